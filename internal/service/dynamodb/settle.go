package dynamodb

import (
	"context"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// runSettle ends a table's transition: a DELETING table goes with everything stored for
// it; a CREATING or UPDATING one (and its new indexes, its restore) becomes ACTIVE,
// unless a replica is still being added or removed, whose job settles it.
func (s *Service) runSettle(_ context.Context, tx kit.Tx, _ *jobs.Job, p tableRef) error {
	v := tx.In(p.Account, p.Region)
	rec, err := tables.Get(v, p.Table)
	if err != nil || rec == nil || rec.ID != p.ID {
		return err
	}
	rec.Job = ""
	if rec.Status == ddb.TableStatusDeleting {
		return s.dropTable(tx, v, rec)
	}
	settle(rec)
	return tables.Put(v, rec, rec.Name)
}

// settle makes a table ACTIVE once nothing keeps it UPDATING.
func settle(rec *tableRecord) {
	for _, r := range rec.Replicas {
		if r.Status == ddb.ReplicaStatusCreating || r.Status == ddb.ReplicaStatusDeleting {
			return
		}
	}
	rec.Status = ddb.TableStatusActive
	for i := range rec.GSIs {
		rec.GSIs[i].Status = ddb.IndexStatusActive
	}
	if rec.SSE != nil {
		rec.SSE.Status = ddb.SSEStatusEnabled
	}
	if rec.Restore != nil {
		rec.Restore.InProgress = false
	}
}

// dropTable removes a deleted table and everything stored for it. Its backups stay, as
// DynamoDB's do.
func (s *Service) dropTable(tx kit.Tx, v kit.View, rec *tableRecord) error {
	jobs := []string{rec.Job}
	if rec.TTL != nil {
		jobs = append(jobs, rec.TTL.Job)
	}
	if rec.PITR != nil {
		jobs = append(jobs, rec.PITR.Job)
	}
	if err := tx.CancelJobs(jobs...); err != nil {
		return err
	}
	if err := dropItems(v, rec.ID); err != nil {
		return err
	}
	return tables.Delete(v, rec.Name)
}
