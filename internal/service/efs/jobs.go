package efs

import (
	"context"
	"time"

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
