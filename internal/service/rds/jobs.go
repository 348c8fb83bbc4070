package rds

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

const (
	autoStartAfter  = 7 * day     // RDS User Guide, "Stopping an Amazon RDS DB instance temporarily"
	replicaRetry    = time.Minute // how soon a cross-Region step retries an unreachable Region
	syncInterval    = time.Hour   // windows are computed between runs (replicatedUntil); runs catch broken keys and gone sources
	maxStepAttempts = 20          // steps only fail on a damaged store
	syncID          = "sync"      // the id of a Region's replication sync job
)

// resourceRef names the resource a job is about: where it lives and which one it is (a
// DbiResourceId, or a snapshot identifier). The JSON names are those of the jobs enqueued
// before the kit, so that pending jobs run after an upgrade.
type resourceRef struct {
	Account string `json:"a"`
	Region  string `json:"r"`
	ID      string `json:"id"`
}

// Subject implements kit.Subject: jobs of one kind about one resource run in order, and
// the kind is part of the key, so a daily backup armed for tomorrow does not hold back
// the instance's status transitions of today.
func (r resourceRef) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.ID} }

func refIn(v kit.View, id string) resourceRef {
	return resourceRef{Account: v.Account(), Region: v.Region(), ID: id}
}

// stepPayload is one status transition of an instance. Seq is the instance's Seq when the
// step was armed: a later request that moved the instance on makes the step stale.
type stepPayload struct {
	resourceRef
	Seq int64 `json:"seq,omitempty"`
}

// armedPayload is a job scheduled for an instant. At is the instant it was armed for: a
// job whose resource has since been rescheduled finds a different instant there and does
// nothing.
type armedPayload struct {
	resourceRef
	At time.Time `json:"at,omitzero"`
}

// Job kinds.
var (
	jobInstanceStep = kit.Kind[stepPayload]{Name: "rds.instance-step"}      // one status transition of an instance
	jobDailyBackup  = kit.Kind[armedPayload]{Name: "rds.daily-backup"}      // an instance's automated snapshot, daily
	jobMaintenance  = kit.Kind[armedPayload]{Name: "rds.maintenance"}       // deferred modifications, in the maintenance window
	jobAutoStart    = kit.Kind[armedPayload]{Name: "rds.auto-start"}        // a stopped instance starts again after seven days
	jobSnapshotStep = kit.Kind[resourceRef]{Name: "rds.snapshot-step"}      // a snapshot (or copy) becomes available
	jobBackupExpire = kit.Kind[armedPayload]{Name: "rds.backup-expire"}     // a retained backup's snapshots and window expire
	jobReplicaStart = kit.Kind[resourceRef]{Name: "rds.replica-start"}      // a replicated backup goes from pending to replicating
	jobReplicaSync  = kit.Kind[armedPayload]{Name: "rds.replication-sync"}  // replicated backups of a Region are checked and recorded
	jobReplicaWatch = kit.Kind[armedPayload]{Name: "rds.replication-watch"} // the Region's cross-Region replications are watched for stops and resumes
	jobParamApply   = kit.Kind[resourceRef]{Name: "rds.parameter-apply"}    // an instance's immediate parameter changes are applied
)

// runner adapts a job's function, which needs neither the context nor the job, to a
// kit.Handler.
func runner[P kit.Subject](run func(tx kit.Tx, p P) error) kit.Handler[P] {
	return kit.Handler[P]{
		MaxAttempts: maxStepAttempts,
		Run:         func(_ context.Context, tx kit.Tx, _ *jobs.Job, p P) error { return run(tx, p) },
	}
}

func (s *Service) registerJobs() {
	jobInstanceStep.Register(s.Kit, runner(s.runInstanceStep))
	jobDailyBackup.Register(s.Kit, runner(s.runDailyBackup))
	jobMaintenance.Register(s.Kit, runner(s.runMaintenance))
	jobAutoStart.Register(s.Kit, runner(s.runAutoStart))
	jobSnapshotStep.Register(s.Kit, runner(s.runSnapshotStep))
	jobBackupExpire.Register(s.Kit, runner(s.runBackupExpire))
	jobReplicaStart.Register(s.Kit, runner(s.runReplicaStart))
	jobReplicaSync.Register(s.Kit, runner(s.runReplicaSync))
	jobReplicaWatch.Register(s.Kit, runner(s.runReplicationWatch))
	jobParamApply.Register(s.Kit, runner(s.runParamApply))
	s.registerEngineJobs()
	s.registerPasswordJobs()
}

// arm enqueues a job of kind scheduled for at, about the resource id of v.
func arm(tx kit.Tx, kind kit.Kind[armedPayload], v kit.View, id string, at time.Time) error {
	_, err := kind.Enqueue(tx, at, armedPayload{resourceRef: refIn(v, id), At: at})
	return err
}

// step stores inst, in the status it has just been given, and arms the job that takes
// it to its next status after the transition delay.
func (s *Service) step(tx kit.Tx, v kit.View, inst *instanceRec) error {
	inst.Seq++
	if err := putInstance(v, inst); err != nil {
		return err
	}
	_, err := jobInstanceStep.Enqueue(tx, s.After(), stepPayload{resourceRef: refIn(v, inst.ResourceID), Seq: inst.Seq})
	return err
}
