package ec2

import (
	"context"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// volumeRef is the payload of the jobs about one volume.
type volumeRef struct {
	Account  string `json:"account"`
	Region   string `json:"region"`
	VolumeID string `json:"volumeId"`
}

// Subject implements kit.Subject.
func (r volumeRef) Subject() (string, string, []string) {
	return r.Account, r.Region, []string{r.VolumeID}
}

// snapshotRef is the payload of the jobs about one snapshot. ChangedBlocks and
// ChangedBytes say what the snapshot (or copy) stores itself, so that the job listing of
// the admin API shows what an incremental snapshot moved.
type snapshotRef struct {
	Account       string `json:"account"`
	Region        string `json:"region"`
	SnapshotID    string `json:"snapshotId"`
	ChangedBlocks int64  `json:"changedBlocks,omitempty"`
	ChangedBytes  int64  `json:"changedBytes,omitempty"`
}

// Subject implements kit.Subject.
func (r snapshotRef) Subject() (string, string, []string) {
	return r.Account, r.Region, []string{r.SnapshotID}
}

// Job kinds.
var (
	jobVolumeReady = kit.Kind[volumeRef]{Name: "ec2.volume-ready"}    // creating → available
	jobVolumeGone  = kit.Kind[volumeRef]{Name: "ec2.volume-delete"}   // deleting → gone
	jobModify      = kit.Kind[volumeRef]{Name: "ec2.volume-modify"}   // modifying → optimizing → completed
	jobSnapshot    = kit.Kind[snapshotRef]{Name: "ec2.snapshot-done"} // pending → completed
	jobCopy        = kit.Kind[snapshotRef]{Name: "ec2.snapshot-copy"} // a copy's data moves across Regions
	jobTier        = kit.Kind[snapshotRef]{Name: "ec2.snapshot-tier"} // archive tier transitions
)

// copyAttempts bounds the retries of a copy whose source Region is unreachable: with the
// engine's backoff they span hours, as a Region outage may.
const copyAttempts = 50

func (s *Service) registerJobs() {
	jobVolumeReady.Register(s.Kit, kit.Handler[volumeRef]{Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p volumeRef) error {
		return s.runVolumeReady(tx, p)
	}})
	jobVolumeGone.Register(s.Kit, kit.Handler[volumeRef]{Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p volumeRef) error {
		return s.dropVolumeAndGrant(tx, p)
	}})
	jobModify.Register(s.Kit, kit.Handler[volumeRef]{Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p volumeRef) error {
		return s.runModify(tx, p)
	}})
	jobSnapshot.Register(s.Kit, kit.Handler[snapshotRef]{Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p snapshotRef) error {
		return s.completeSnapshot(tx.In(p.Account, p.Region), p.SnapshotID)
	}})
	jobCopy.Register(s.Kit, kit.Handler[snapshotRef]{
		MaxAttempts: copyAttempts,
		Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p snapshotRef) error {
			return s.runCopy(tx, p)
		},
		GiveUp: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p snapshotRef, cause error) error {
			return s.failCopy(tx.In(p.Account, p.Region), p.SnapshotID, cause)
		},
	})
	jobTier.Register(s.Kit, kit.Handler[snapshotRef]{Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p snapshotRef) error {
		return s.runTier(tx, p)
	}})
}

// runVolumeReady makes a creating volume available.
func (s *Service) runVolumeReady(tx kit.Tx, p volumeRef) error {
	v := tx.In(p.Account, p.Region)
	vol, err := volumes.Get(v, p.VolumeID)
	if err != nil || vol == nil || vol.State != ec2api.VolumeStateCreating {
		return err
	}
	vol.State, vol.Job = ec2api.VolumeStateAvailable, ""
	return volumes.Put(v, vol, vol.ID)
}
