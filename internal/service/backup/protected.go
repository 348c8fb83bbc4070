package backup

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// kindProtected records, per resource ARN, the last backup AWS Backup completed of it:
// ListProtectedResources lists the resources backed up at least once.
const kindProtected = "protected"

type protectedRec struct {
	ARN             string    `json:"arn"`
	Name            string    `json:"name"`
	LastBackup      time.Time `json:"lastBackup"`
	LastVaultARN    string    `json:"lastVaultArn"`
	LastRecoveryARN string    `json:"lastRecoveryArn"`
}

// noteProtected records a completed backup of a resource.
func noteProtected(tx store.Tx, sc store.Scope, j *backupJobRec, at time.Time) error {
	var p protectedRec
	if _, err := store.GetJSON(tx, sc.Key(kindProtected, j.ResourceARN), &p); err != nil {
		return err
	}
	p.ARN, p.Name, p.LastBackup, p.LastVaultARN, p.LastRecoveryARN = j.ResourceARN, j.ResourceName, at, j.VaultARN, j.RecoveryPointARN
	return store.PutJSON(tx, sc.Key(kindProtected, j.ResourceARN), &p)
}

func protectedOut(p *protectedRec) backupapi.ProtectedResource {
	return backupapi.ProtectedResource{
		ResourceArn: str(p.ARN), ResourceType: str(resourceTypeRDS), LastBackupTime: timePtr(p.LastBackup),
		ResourceName: str(p.Name), LastBackupVaultArn: str(p.LastVaultARN), LastRecoveryPointArn: str(p.LastRecoveryARN),
	}
}

func (s *Service) listProtectedResources(ctx context.Context, in *backupapi.ListProtectedResourcesInput) (*backupapi.ListProtectedResourcesOutput, error) {
	info := request.From(ctx)
	out := &backupapi.ListProtectedResourcesOutput{Results: []backupapi.ProtectedResource{}}
	err := s.st.View(func(tx store.Tx) error {
		var err error
		out.NextToken, err = scanPage(tx, scopeOf(info).Prefix(kindProtected), in.NextToken, in.MaxResults, func(p *protectedRec) bool {
			out.Results = append(out.Results, protectedOut(p))
			return true
		})
		return err
	})
	return out, err
}

func (s *Service) describeProtectedResource(ctx context.Context, in *backupapi.DescribeProtectedResourceInput) (*backupapi.DescribeProtectedResourceOutput, error) {
	info := request.From(ctx)
	var p protectedRec
	err := s.st.View(func(tx store.Tx) error {
		found, err := store.GetJSON(tx, scopeOf(info).Key(kindProtected, *in.ResourceArn), &p)
		if err == nil && !found {
			err = backupapi.ErrResourceNotFound.New("Resource %s is not protected by AWS Backup", *in.ResourceArn)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	o := protectedOut(&p)
	return &backupapi.DescribeProtectedResourceOutput{
		ResourceArn: o.ResourceArn, ResourceType: o.ResourceType, LastBackupTime: o.LastBackupTime, ResourceName: o.ResourceName,
		LastBackupVaultArn: o.LastBackupVaultArn, LastRecoveryPointArn: o.LastRecoveryPointArn,
	}, nil
}

// getSupportedResourceTypes answers the resource types xregion's AWS Backup can back up,
// which are fewer than AWS's: only RDS DB instances exist here to back up.
func (s *Service) getSupportedResourceTypes(context.Context, *awsmodel.Empty) (*backupapi.GetSupportedResourceTypesOutput, error) {
	return &backupapi.GetSupportedResourceTypesOutput{ResourceTypes: []string{resourceTypeRDS}}, nil
}

// stopBackupJob aborts a backup job that has not finished; its pending step then finds
// it done.
func (s *Service) stopBackupJob(ctx context.Context, in *backupapi.StopBackupJobInput) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	err := s.st.Update(func(tx store.Tx) error {
		var j backupJobRec
		found, err := store.GetJSON(tx, sc.Key(kindBackupJob, *in.BackupJobId), &j)
		if err != nil {
			return err
		}
		if !found {
			return backupapi.ErrResourceNotFound.New("Cannot find job ID %s", *in.BackupJobId)
		}
		if j.done() {
			return backupapi.ErrInvalidRequest.New("Backup job %s cannot be stopped: it is %s", j.ID, j.State)
		}
		now := s.clock.Now()
		j.State, j.StatusMessage, j.Completed = backupapi.BackupJobStateAborted, "Backup job was stopped by the user", &now
		return store.PutJSON(tx, sc.Key(kindBackupJob, j.ID), &j)
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}
