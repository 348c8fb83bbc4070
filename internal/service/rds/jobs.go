package rds

import (
	"context"
	"encoding/json"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
)

// Job kinds.
const (
	jobInstanceStep = "rds.instance-step"    // one status transition of an instance
	jobDailyBackup  = "rds.daily-backup"     // an instance's automated snapshot, daily
	jobMaintenance  = "rds.maintenance"      // deferred modifications, in the maintenance window
	jobAutoStart    = "rds.auto-start"       // a stopped instance starts again after seven days
	jobSnapshotStep = "rds.snapshot-step"    // a snapshot (or copy) becomes available
	jobBackupExpire = "rds.backup-expire"    // a retained backup's snapshots and window expire
	jobReplicaStart = "rds.replica-start"    // a replicated backup goes from pending to replicating
	jobReplicaSync  = "rds.replication-sync" // replicated backups of a Region are checked and recorded
	autoStartAfter  = 7 * day                // RDS User Guide, "Stopping an Amazon RDS DB instance temporarily"
	replicaRetry    = time.Minute            // how soon a cross-Region step retries an unreachable Region
	syncInterval    = time.Hour              // windows are computed between runs (replicatedUntil); runs catch broken keys and gone sources
	maxStepAttempts = 20                     // steps only fail on a damaged store
)

// payload is what every RDS job carries: where the resource lives and which one it is.
// At is the instant a scheduled job was armed for: a job whose resource has since been
// rescheduled finds a different instant there and does nothing.
type payload struct {
	Account string    `json:"a"`
	Region  string    `json:"r"`
	ID      string    `json:"id"` // DbiResourceId, or a snapshot identifier
	Seq     int64     `json:"seq,omitempty"`
	At      time.Time `json:"at,omitzero"`
}

// jobKey serialises the jobs of one kind for one resource. The kind is part of it
// because the engine runs a key's jobs in order and a daily backup armed for tomorrow
// must not hold back the instance's status transitions of today.
func jobKey(kind, account, region, id string) string {
	return kind + "/" + account + "/" + region + "/" + id
}

func (s *Service) enqueue(tx store.Tx, kind string, p payload, runAt time.Time) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.jobs.Enqueue(tx, jobs.Job{Kind: kind, Key: jobKey(kind, p.Account, p.Region, p.ID), Account: p.Account, Region: p.Region, RunAt: runAt, Payload: b})
	return err
}

func (s *Service) registerJobs() {
	handler := func(run func(ctx context.Context, tx store.Tx, p payload) error) jobs.Handler {
		return jobs.Handler{
			MaxAttempts: maxStepAttempts,
			Run: func(ctx context.Context, tx store.Tx, job *jobs.Job) error {
				var p payload
				if err := job.DecodePayload(&p); err != nil {
					return err
				}
				return run(ctx, tx, p)
			},
		}
	}
	s.jobs.Register(jobInstanceStep, handler(s.runInstanceStep))
	s.jobs.Register(jobDailyBackup, handler(s.runDailyBackup))
	s.jobs.Register(jobMaintenance, handler(s.runMaintenance))
	s.jobs.Register(jobAutoStart, handler(s.runAutoStart))
	s.jobs.Register(jobSnapshotStep, handler(s.runSnapshotStep))
	s.jobs.Register(jobBackupExpire, handler(s.runBackupExpire))
	s.jobs.Register(jobReplicaStart, handler(s.runReplicaStart))
	s.jobs.Register(jobReplicaSync, handler(s.runReplicaSync))
}

// step stores inst, in the status it has just been given, and arms the job that takes
// it to its next status after the transition delay.
func (s *Service) step(tx store.Tx, sc store.Scope, inst *instanceRec) error {
	inst.Seq++
	if err := putInstance(tx, sc, inst); err != nil {
		return err
	}
	return s.enqueue(tx, jobInstanceStep, payload{Account: sc.Account, Region: sc.Region, ID: inst.ResourceID, Seq: inst.Seq}, s.jobs.After())
}
