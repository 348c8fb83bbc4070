package rds

import (
	"context"
	"fmt"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// The data of the snapshots AWS Backup takes of real instances (and of its copies).
// AWS Backup answers its snapshots as available at once (awsbackup.go), but taking a
// base backup of a server, or copying one into another Region, takes a while: that work
// is a durable job of its own (jobEngineSnapshot), so that a snapshot interrupted by a
// restart of xregion — even by kill -9 — is taken again when xregion comes back, and a
// restore from it waits until its data is all there (engineSnapshotPending).
//
// A snapshot whose data cannot be taken is retried with the job engine's backoff; when
// the job gives up, the snapshot is marked failed (engineSnapRec.Failed) and restores
// from it are refused as restores from a snapshot that is not available.
//
// While its data is being taken the snapshot is creating, as RDS shows the snapshots
// AWS Backup is taking, and AWS Backup's job stays RUNNING (protector.ImageDone): no
// recovery point, copy or restore of it exists before its data does. A snapshot whose
// data could not be taken is failed, and so is the job.
//
// Choice: a snapshot taken again after a restart holds the data of the moment it was
// taken again, not of the moment AWS Backup asked for it; xregion was down in between,
// so no transaction was committed between the two.

var engineSnaps = kit.Table[engineSnapRec]{Kind: "engine-snap"} // engine-snap/<snapshot identifier>

// snapshotFailed is the status of a snapshot whose data could not be taken.
const snapshotFailed = "failed"

// What AWS Backup's jobs show of a snapshot's data.
const (
	textSnapshotTaking text = "The data of DB snapshot %s is still being taken"
	textSnapshotNoData text = "The data of DB snapshot %s could not be taken: %s"
)

// engineSnapRec is an AWS Backup snapshot whose data is not all taken yet, or could not
// be taken. It exists from the snapshot's creation until its data is complete.
type engineSnapRec struct {
	Source string `json:"source,omitempty"` // the ARN of the snapshot a copy is made from
	Failed string `json:"failed,omitempty"` // why the data could not be taken
}

// jobEngineSnapshot takes the data of an AWS Backup snapshot of a real instance.
var jobEngineSnapshot = kit.Kind[resourceRef]{Name: "rds.engine-snapshot"}

func (s *Service) registerEngineJobs() {
	jobEngineSnapshot.Register(s.Kit, kit.Handler[resourceRef]{
		MaxAttempts: maxStepAttempts,
		Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p resourceRef) error {
			return s.runEngineSnapshot(tx, p)
		},
		GiveUp: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p resourceRef, cause error) error {
			return s.failEngineSnapshot(tx.In(p.Account, p.Region), p.ID, cause.Error())
		},
	})
}

// engineAWSBackup starts taking the data of a snapshot AWS Backup makes: of its
// instance, or, for a copy, of the snapshot srcARN names.
func (s *Service) engineAWSBackup(tx kit.Tx, v kit.View, snap *snapshotRec, srcARN string) error {
	if !snap.RealData || s.engines == nil {
		return nil
	}
	snap.Status, snap.Progress = snapshotCreating, 0
	if err := engineSnaps.Put(v, &engineSnapRec{Source: srcARN}, snap.ID); err != nil {
		return err
	}
	_, err := jobEngineSnapshot.Enqueue(s.Join(tx), s.Clock.Now(), refIn(v, snap.ID)) // tx may be AWS Backup's
	return err
}

// runEngineSnapshot starts or checks the work of taking a snapshot's data, and looks
// again a moment later until it is done. A copy waits for its source's data.
func (s *Service) runEngineSnapshot(tx kit.Tx, p resourceRef) error {
	v := tx.In(p.Account, p.Region)
	rec, err := engineSnaps.Get(v, p.ID)
	if err != nil || rec == nil || rec.Failed != "" {
		return err
	}
	snap, err := snapshots.Get(v, p.ID)
	if err != nil || snap == nil || s.engines == nil {
		if err == nil {
			err = engineSnaps.Delete(v, p.ID) // deleted before its data was taken
		}
		return err
	}
	done, err := s.takeEngineSnapshot(tx, v, snap, rec)
	if err != nil {
		s.Log.Warn("rds: the data of an AWS Backup snapshot could not be taken", "snapshot", snap.ID, "err", err)
		return err
	}
	if !done {
		_, err := jobEngineSnapshot.Enqueue(tx, s.Clock.Now().Add(enginePoll), p)
		return err
	}
	snap.Status, snap.Progress = snapshotAvailable, 100
	if err := putSnapshot(v, snap); err != nil {
		return err
	}
	return engineSnaps.Delete(v, p.ID)
}

// takeEngineSnapshot asks the engines for the snapshot's data and reports whether it is
// all there. The op names the snapshot only: after a restart the same op starts the
// work again.
func (s *Service) takeEngineSnapshot(tx kit.Tx, v kit.View, snap *snapshotRec, rec *engineSnapRec) (bool, error) {
	op := "awsbackup/" + v.Account() + "/" + v.Region() + "/" + snap.ID
	if rec.Source == "" {
		return s.engines.Snapshot(tx, op, snap.ResourceID, snapshotStore(v, snap))
	}
	src, srcV, err := backupSnapshot(tx, rec.Source)
	if err != nil {
		return false, err
	}
	if src == nil {
		return false, s.failEngineSnapshot(v, snap.ID, fmt.Sprintf("its source %s was deleted before it was copied", rec.Source))
	}
	switch pending, failed, err := engineSnapshotPending(srcV, src.ID); {
	case err != nil:
		return false, err
	case failed != "":
		return false, s.failEngineSnapshot(v, snap.ID, "its source's data could not be taken: "+failed)
	case pending:
		return false, nil
	}
	return s.engines.CopyBackups(tx, op, snapshotStore(srcV, src), snapshotStore(v, snap))
}

// failEngineSnapshot records that a snapshot's data could not be taken, and why.
func (s *Service) failEngineSnapshot(v kit.View, id, why string) error {
	s.Log.Warn("rds: an AWS Backup snapshot holds no data", "snapshot", id, "why", why)
	snap, err := snapshots.Get(v, id)
	if err != nil {
		return err
	}
	if snap != nil {
		snap.Status = snapshotFailed
		if err := putSnapshot(v, snap); err != nil {
			return err
		}
	}
	return engineSnaps.Put(v, &engineSnapRec{Failed: why}, id)
}

// ImageDone implements port.ImageProgress: a snapshot AWS Backup made of a real
// instance, or copied, is done once its data is all there.
func (p protector) ImageDone(tx kit.Tx, account, region, imageARN string) error {
	snap, v, err := ownSnapshot(p.s.Join(tx), account, imageARN)
	if err != nil {
		return err
	}
	if snap == nil {
		return backupFailure(textBackupNoSnapshot, imageARN)
	}
	switch pending, failed, err := engineSnapshotPending(v, snap.ID); {
	case err != nil:
		return err
	case failed != "":
		return backupFailure(textSnapshotNoData, snap.ID, failed)
	case pending:
		return port.NotReady("%s", textSnapshotTaking.with(snap.ID))
	}
	return nil
}

// engineSnapshotPending reports whether the data of snapshot id of v is still being
// taken, or why it could not be.
func engineSnapshotPending(v kit.View, id string) (pending bool, failed string, err error) {
	rec, err := engineSnaps.Get(v, id)
	if err != nil || rec == nil {
		return false, "", err
	}
	return rec.Failed == "", rec.Failed, nil
}

// restoreSourcePending reports whether a restore from ref must wait for its snapshot's
// data, and refuses one whose data could not be taken.
func restoreSourcePending(tx kit.Tx, ref port.BackupStore) (bool, error) {
	if ref.Kind != port.SnapshotBackups {
		return false, nil
	}
	pending, failed, err := engineSnapshotPending(tx.In(ref.Account, ref.Region), ref.Name)
	if err == nil && failed != "" {
		err = fmt.Errorf("rds: snapshot %s holds no data: %s", ref.Name, failed)
	}
	return pending, err
}
