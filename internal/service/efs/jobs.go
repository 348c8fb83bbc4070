package efs

import (
	"context"
	"time"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// ref is the payload of the jobs about one resource of a Region: a file system, a mount
// target, an access point, or one side of a replication (filed under its file system).
type ref struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	ID      string `json:"id"`
	// All asks a replication's deletion to remove the other Region's side too.
	All bool `json:"all,omitempty"`
}

// Subject implements kit.Subject.
func (r ref) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.ID} }

func refIn(v kit.View, id string) ref { return ref{Account: v.Account(), Region: v.Region(), ID: id} }

// deletion is a record a Delete* call moves to deleting, and the job that removes it.
type deletion[T any] struct {
	table kit.Table[T]
	rec   *T
	id    string
	state *string // the record's lifecycle state
	gone  kit.Kind[ref]
}

// markDeleting moves a record to deleting and arms the job that removes it; one already
// deleting is left as it is, and its second Delete* succeeds, as with AWS.
func markDeleting[T any](s *Service, tx kit.Tx, v kit.View, d deletion[T]) error {
	if *d.state == efsapi.LifeCycleStateDeleting {
		return nil
	}
	*d.state = efsapi.LifeCycleStateDeleting
	if err := d.table.Put(v, d.rec, d.id); err != nil {
		return err
	}
	_, err := d.gone.Enqueue(tx, s.After(), refIn(v, d.id))
	return err
}

// Job kinds.
var (
	jobFSReady     = kit.Kind[ref]{Name: "efs.fs-ready"}    // creating or updating → available
	jobFSGone      = kit.Kind[ref]{Name: "efs.fs-delete"}   // deleting → gone, with its files
	jobTargetReady = kit.Kind[ref]{Name: "efs.mt-ready"}    // creating → available
	jobTargetGone  = kit.Kind[ref]{Name: "efs.mt-delete"}   // deleting → gone, with its interface
	jobPointReady  = kit.Kind[ref]{Name: "efs.ap-ready"}    // creating → available
	jobPointGone   = kit.Kind[ref]{Name: "efs.ap-delete"}   // deleting → gone
	jobReplEnable  = kit.Kind[ref]{Name: "efs.repl-enable"} // ENABLING → ENABLED: the first copy
	jobReplSync    = kit.Kind[ref]{Name: "efs.repl-sync"}   // every syncInterval: the changes since
	jobReplDelete  = kit.Kind[ref]{Name: "efs.repl-delete"} // DELETING → gone, one Region's side
)

// syncInterval is how often a replication copies what changed: EFS replicates most
// changes within 15 minutes (its recovery point objective), and LastReplicatedTimestamp
// moves with each copy.
const syncInterval = 15 * time.Minute

// crossRegionAttempts bounds the retries of work that waits for an unreachable Region:
// with the engine's backoff they span hours, as a Region outage may.
const crossRegionAttempts = 50

func (s *Service) registerJobs() {
	run := func(fn func(kit.Tx, ref) error) kit.Handler[ref] {
		return kit.Handler[ref]{Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p ref) error { return fn(tx, p) }}
	}
	jobFSReady.Register(s.Kit, run(s.runFSReady))
	jobFSGone.Register(s.Kit, run(s.runFSGone))
	jobTargetReady.Register(s.Kit, run(s.runTargetReady))
	jobTargetGone.Register(s.Kit, run(s.runTargetGone))
	jobPointReady.Register(s.Kit, run(s.runPointReady))
	jobPointGone.Register(s.Kit, run(s.runPointGone))
	jobReplSync.Register(s.Kit, run(s.runReplSync))
	enable := run(s.runReplEnable)
	enable.MaxAttempts = crossRegionAttempts
	enable.GiveUp = func(_ context.Context, tx kit.Tx, _ *jobs.Job, p ref, cause error) error {
		return s.failReplEnable(tx, p, cause)
	}
	jobReplEnable.Register(s.Kit, enable)
	del := run(s.runReplDelete)
	del.MaxAttempts = crossRegionAttempts
	jobReplDelete.Register(s.Kit, del)
}
