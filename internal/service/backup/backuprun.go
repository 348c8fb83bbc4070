package backup

import (
	"context"
	"errors"
	"fmt"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// runBackupJob moves a backup job along. CREATED → RUNNING when the provider has taken
// the image (a snapshot of the resource as it is then) and said what it moved; while the
// resource is not ready, or its Region unreachable, the job stays CREATED and is retried
// every ten minutes, and when its start window closes it is EXPIRED. RUNNING → COMPLETED
// when the bytes have moved (see transferDone) and the image is stored as a recovery
// point in the vault; a job whose completion window closes first is EXPIRED.
func (s *Service) runBackupJob(_ context.Context, tx kit.Tx, _ *jobs.Job, ref jobRef) error {
	v := tx.In(ref.Account, ref.Region)
	j, err := backupJobs.Get(v, ref.ID)
	if err != nil || j == nil || j.done() {
		return err
	}
	// A job RUNNING without an image is of the first release, which took the image at
	// the end: it starts again.
	was := j.State
	if j.State == backupapi.BackupJobStateCreated || j.Image == nil {
		err = s.beginBackup(tx, v, j, ref)
	} else {
		err = s.finishBackup(tx, v, j, ref)
	}
	if err != nil {
		return err
	}
	if j.State != was {
		if err := s.notify(tx, v, j.Vault, backupJobEvent(j)); err != nil {
			return err
		}
	}
	return backupJobs.Put(v, j, j.ID)
}

// beginBackup starts a job, or leaves it waiting, or ends it.
func (s *Service) beginBackup(tx kit.Tx, v kit.View, j *backupJobRec, ref jobRef) error {
	now := s.Clock.Now()
	if !now.Before(j.StartBy) {
		j.end(backupapi.BackupJobStateExpired, startWindowText(j.Waiting), now)
		return nil
	}
	if region, down := s.Unreachable(v.Region()); down {
		return s.waitToStart(tx, j, ref, fmt.Sprintf(statusRegionDown, region))
	}
	why, err := s.backupProblem(tx, v, j)
	if err != nil || why != "" {
		if why != "" {
			j.end(backupapi.BackupJobStateFailed, why, now)
		}
		return err
	}
	p, _ := s.protector(j.resourceType())
	held, err := heldOf(v, j.resourceType(), j.ResourceARN)
	if err != nil {
		return err
	}
	tr, err := p.Backup(tx, port.BackupRequest{Account: v.Account(), Region: v.Region(), ResourceARN: j.ResourceARN, BackupID: backupImageID(j.ID), Base: held})
	switch {
	case errors.Is(err, port.ErrNotReady):
		return s.waitToStart(tx, j, ref, failureText(err))
	case errors.Is(err, port.ErrCannotProtect):
		j.end(backupapi.BackupJobStateFailed, failureText(err), now)
		return nil
	case err != nil:
		return err
	}
	done := s.transferDone(now, tr.Bytes)
	j.State, j.Started, j.Image, j.Bytes, j.DoneAt, j.Waiting = backupapi.BackupJobStateRunning, &now, &tr.Image, tr.Bytes, &done, ""
	j.RecoveryPointARN = tr.Image.ARN
	set, err := settingsIn(v)
	if err != nil {
		return err
	}
	if ownsARN(j.resourceType(), set) {
		j.RecoveryPointARN = ownRecoveryPointARN(v.Account(), v.Region(), j.ID)
	}
	at, moved := done, &transfer{Job: transferBackup, Source: v.Region(), Destination: v.Region(), ResourceType: j.resourceType()}
	if j.CompleteBy != nil && done.After(*j.CompleteBy) {
		at, moved = *j.CompleteBy, nil // the job will not make it: it ends then
	}
	_, err = jobBackup.Enqueue(tx, at, ref.moving(tr.Bytes, moved))
	return err
}

// waitToStart leaves a job CREATED, to try again in ten minutes or when its start window
// closes, whichever is first.
func (s *Service) waitToStart(tx kit.Tx, j *backupJobRec, ref jobRef, why string) error {
	j.Waiting = why
	_, err := jobBackup.Enqueue(tx, minTime(s.Clock.Now().Add(retryEvery), j.StartBy), ref)
	return err
}

// backupProblem says why a job cannot start, whatever its resource's state: the vault is
// gone, its lock refuses the lifecycle, or no provider backs up the resource's type.
func (s *Service) backupProblem(tx kit.Tx, v kit.View, j *backupJobRec) (string, error) {
	vault, err := vaults.Get(v, j.Vault)
	switch {
	case err != nil:
		return "", err
	case vault == nil:
		return fmt.Sprintf(statusVaultGone, j.Vault), nil
	}
	if why := vault.Lock.retentionProblem(j.Lifecycle); why != "" {
		return fmt.Sprintf(statusVaultLocked, vault.Name, why), nil
	}
	if _, ok := s.protector(j.resourceType()); !ok {
		return fmt.Sprintf(statusNoProvider, j.resourceType()), nil
	}
	return s.roleProblem(tx, v.Account(), j.IAMRole)
}

// finishBackup stores a running job's image as a recovery point and starts the rule's
// copy actions, or ends the job EXPIRED or FAILED. A job whose image is still being
// taken stays RUNNING (awaitImage).
func (s *Service) finishBackup(tx kit.Tx, v kit.View, j *backupJobRec, ref jobRef) error {
	now := s.Clock.Now()
	if j.CompleteBy != nil && j.DoneAt != nil && j.DoneAt.After(*j.CompleteBy) {
		j.end(backupapi.BackupJobStateExpired, statusExpiredRunning, now)
		return s.dropImage(tx, v, j.resourceType(), j.Image)
	}
	vault, err := vaults.Get(v, j.Vault)
	if err != nil {
		return err
	}
	if vault == nil {
		j.end(backupapi.BackupJobStateFailed, fmt.Sprintf(statusVaultGone, j.Vault), now)
		return s.dropImage(tx, v, j.resourceType(), j.Image)
	}
	if waiting, err := s.awaitImage(tx, v, j, ref); waiting || err != nil {
		return err
	}
	set, err := settingsIn(v)
	if err != nil {
		return err
	}
	img := j.Image
	rp := &recoveryRec{
		ARN: j.RecoveryPointARN, Vault: vault.Name, VaultARN: vault.ARN, ResourceARN: j.ResourceARN, ResourceName: j.ResourceName,
		IAMRole: j.IAMRole, Created: j.Created, Completed: now, Size: img.SizeBytes, Encrypted: img.Encrypted,
		KeyARN: img.KmsKeyARN, Lifecycle: j.Lifecycle, CreatedBy: j.CreatedBy, Engine: img.Engine,
		EngineVersion: img.EngineVersion, InstanceID: img.ResourceID, Tags: j.Tags, ResourceType: j.resourceType(),
		Content: img.Content, ColdCapable: coldCapable(j.resourceType(), set), Index: j.Index,
	}
	if rp.ARN != img.ARN {
		rp.Image = img.ARN
	}
	if err := s.putRecoveryPoint(tx, v, rp, true); err != nil {
		return err
	}
	j.end(backupapi.BackupJobStateCompleted, "", now)
	j.Size = img.SizeBytes
	if err := noteProtected(v, j, now); err != nil {
		return err
	}
	// A plan rule's copy actions start once its backup is complete.
	for _, c := range j.CopyActions {
		if _, err := s.startCopy(tx, v, rp, deref(c.DestinationBackupVaultArn), j.IAMRole, c.Lifecycle, j.CreatedBy, j.ID); err != nil {
			return err
		}
	}
	return nil
}

// awaitImage looks whether a running job's image holds its data yet (a real database's
// base backup takes a while after the provider answered). While it does not, the job
// stays RUNNING and looks again soon, until its completion window closes (EXPIRED); an
// image whose data cannot be taken fails the job with the provider's reason. It reports
// whether the job must wait or has ended.
func (s *Service) awaitImage(tx kit.Tx, v kit.View, j *backupJobRec, ref jobRef) (bool, error) {
	now := s.Clock.Now()
	pending, failed, err := s.imageState(tx, v, j.resourceType(), j.Image)
	switch {
	case err != nil:
		return true, err
	case failed != "":
		j.end(backupapi.BackupJobStateFailed, failed, now)
	case pending && j.CompleteBy != nil && !now.Before(*j.CompleteBy):
		j.end(backupapi.BackupJobStateExpired, statusExpiredRunning, now)
	case pending:
		return true, s.waitForImage(tx, jobBackup, ref, j.CompleteBy)
	default:
		return false, nil
	}
	return true, s.dropImage(tx, v, j.resourceType(), j.Image)
}

// startWindowText is the StatusMessage of a job that did not start in its window.
func startWindowText(waiting string) string {
	if waiting == "" {
		return statusExpiredStart
	}
	return statusExpiredStart + ": " + waiting
}
