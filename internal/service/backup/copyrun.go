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

// runCopyJob moves a copy job along. CREATED → RUNNING when the provider has copied the
// source's image into the destination's account and Region, re-encrypted with the
// destination vault's key, and said what it moved; while either Region is unreachable
// the job stays CREATED and is retried every ten minutes, and after two hours it fails.
// RUNNING → COMPLETED when the bytes have moved and the copy is stored as a recovery
// point in the destination vault.
func (s *Service) runCopyJob(_ context.Context, tx kit.Tx, _ *jobs.Job, ref jobRef) error {
	v := tx.In(ref.Account, ref.Region)
	j, err := copyJobs.Get(v, ref.ID)
	if err != nil || j == nil || !j.active() {
		return err
	}
	was := j.State
	dst, ok := parseVaultARN(j.DestVaultARN)
	switch {
	case !ok:
		j.fail(fmt.Sprintf(statusBadDestination, j.DestVaultARN), s.Clock.Now())
	case j.State == backupapi.CopyJobStateCreated || j.Image == nil:
		err = s.beginCopy(tx, v, j, dst, ref)
	default:
		err = s.finishCopy(tx, v, j, dst, ref)
	}
	if err != nil {
		return err
	}
	if j.State != was {
		if err := s.notify(tx, v, j.SourceVault, copyJobEvent(j)); err != nil {
			return err
		}
	}
	return copyJobs.Put(v, j, j.ID)
}

// beginCopy starts a copy job, or leaves it waiting, or ends it.
func (s *Service) beginCopy(tx kit.Tx, v kit.View, j *copyJobRec, dst vaultRef, ref jobRef) error {
	now := s.Clock.Now()
	if region, down := s.Unreachable(dst.Region, v.Region()); down {
		return s.waitToCopy(tx, j, ref, fmt.Sprintf(statusUnreachable, region))
	}
	src, vault, why, err := s.copyProblem(tx, v, j, dst)
	if err != nil || why != "" {
		if why != "" {
			j.fail(why, now)
		}
		return err
	}
	dv := tx.In(dst.Account, dst.Region)
	held, err := heldOf(dv, src.resourceType(), src.ResourceARN)
	if err != nil {
		return err
	}
	p, _ := s.protector(src.resourceType())
	tr, err := p.Copy(tx, port.CopyRequest{Account: dst.Account, Region: dst.Region, ImageARN: src.imageARN(), ImageAccount: v.Account(), CopyID: copyImageID(j.ID), KeyARN: vault.KeyARN, Base: held})
	switch {
	case errors.Is(err, port.ErrNotReady):
		return s.waitToCopy(tx, j, ref, failureText(err))
	case errors.Is(err, port.ErrCannotProtect):
		j.fail(failureText(err), now)
		return nil
	case err != nil:
		return err
	}
	done := s.transferDone(now, tr.Bytes)
	j.State, j.Started, j.Image, j.Bytes, j.DoneAt, j.DestKeyARN = backupapi.CopyJobStateRunning, &now, &tr.Image, tr.Bytes, &done, vault.KeyARN
	moved := &transfer{Job: transferCopy, Source: v.Region(), Destination: dst.Region, ResourceType: src.resourceType()}
	_, err = jobCopy.Enqueue(tx, done, ref.moving(tr.Bytes, moved))
	return err
}

// waitToCopy leaves a copy job CREATED, to try again in ten minutes, until two hours
// after it was created; then it fails with why.
func (s *Service) waitToCopy(tx kit.Tx, j *copyJobRec, ref jobRef, why string) error {
	now := s.Clock.Now()
	if now.Sub(j.Created) >= copyRetryFor {
		j.fail(why, now)
		return nil
	}
	_, err := jobCopy.Enqueue(tx, now.Add(retryEvery), ref)
	return err
}

// copyProblem reads what a copy needs, the source recovery point and the destination
// vault, and says why the copy cannot be made, if it cannot: the rules of the Regions and
// the resource type, cold storage, cross-account consent, the destination's lock and key.
func (s *Service) copyProblem(tx kit.Tx, v kit.View, j *copyJobRec, dst vaultRef) (*recoveryRec, *vaultRec, string, error) {
	src, err := recoveryPoints.Get(v, j.SourceVault, j.SourceRP)
	if err != nil || src == nil {
		return nil, nil, fmt.Sprintf(statusSourceGone, j.SourceRP), err
	}
	set, err := settingsIn(v)
	if err != nil {
		return nil, nil, "", err
	}
	if why := copyProblem(src.resourceType(), set, v.Account(), v.Region(), dst.Account, dst.Region); why != "" {
		return nil, nil, why, nil
	}
	if why, err := s.roleProblem(tx, v.Account(), j.IAMRole); why != "" || err != nil {
		return nil, nil, why, err
	}
	if src.storageClass(s.Clock.Now()) == backupapi.StorageClassCold {
		return nil, nil, fmt.Sprintf(statusColdCopy, src.ARN), nil
	}
	vault, err := vaults.Get(tx.In(dst.Account, dst.Region), dst.Name)
	if err != nil || vault == nil {
		return nil, nil, fmt.Sprintf(statusDestinationGone, j.DestVaultARN), err
	}
	why, err := s.destinationProblem(tx, v, j, src, vault, dst)
	return src, vault, why, err
}

// destinationProblem says why the destination vault refuses a copy: cross-account backup
// is off, or the vault's access policy does not let the source account copy into it; the
// copy's retention breaks the vault's lock; or the vault's key cannot encrypt.
func (s *Service) destinationProblem(tx kit.Tx, v kit.View, j *copyJobRec, src *recoveryRec, vault *vaultRec, dst vaultRef) (string, error) {
	if dst.Account != v.Account() {
		enabled, err := crossAccountEnabled(tx, v.Account())
		switch {
		case err != nil:
			return "", err
		case !enabled:
			return statusNotOrganization, nil
		case !policyAllowsCopy(vault.Policy, v.Account(), j.IAMRole, vault.ARN):
			return statusCopyDenied, nil
		}
	}
	if why := vault.Lock.retentionProblem(copyLifecycle(j, src)); why != "" {
		return fmt.Sprintf(statusDestinationLocked, vault.Name, why), nil
	}
	key, err := s.keys.Resolve(tx, dst.Account, dst.Region, vault.KeyARN)
	switch {
	case errors.Is(err, port.ErrKeyNotFound):
		return fmt.Sprintf(statusKeyGone, vault.KeyARN), nil
	case err != nil:
		return "", err
	case key.State == "PendingDeletion" || key.State == "PendingReplicaDeletion":
		return fmt.Sprintf(statusKeyPendingDeletion, key.ARN), nil
	case !key.Enabled:
		return fmt.Sprintf(statusKeyDisabled, key.ARN), nil
	}
	return "", nil
}

// copyLifecycle is the lifecycle of a job's copy: its own, or with DeleteAfterDays -1,
// its source's.
func copyLifecycle(j *copyJobRec, src *recoveryRec) *backupapi.Lifecycle {
	if l := j.Lifecycle; l != nil && l.DeleteAfterDays != nil && *l.DeleteAfterDays == keepSourceExpiry {
		return src.Lifecycle
	}
	return j.Lifecycle
}

// finishCopy stores a running job's copy as a recovery point in the destination vault.
// A copy whose data is still being copied stays RUNNING; one whose data cannot be copied
// fails with the provider's reason.
func (s *Service) finishCopy(tx kit.Tx, v kit.View, j *copyJobRec, dst vaultRef, ref jobRef) error {
	now := s.Clock.Now()
	dv := tx.In(dst.Account, dst.Region)
	vault, err := vaults.Get(dv, dst.Name)
	if err != nil {
		return err
	}
	src, err := recoveryPoints.Get(v, j.SourceVault, j.SourceRP)
	if err != nil {
		return err
	}
	if vault == nil || src == nil {
		j.fail(fmt.Sprintf(statusDestinationGone, j.DestVaultARN), now)
		return s.dropImage(tx, dv, j.resourceType(), j.Image)
	}
	switch pending, failed, err := s.imageState(tx, dv, j.resourceType(), j.Image); {
	case err != nil:
		return err
	case failed != "":
		j.fail(failed, now)
		return s.dropImage(tx, dv, j.resourceType(), j.Image)
	case pending:
		return s.waitForImage(tx, jobCopy, ref, nil)
	}
	set, err := settingsIn(dv)
	if err != nil {
		return err
	}
	rp := *src
	rp.ARN, rp.Image, rp.Vault, rp.VaultARN, rp.SourceVaultARN = j.Image.ARN, "", vault.Name, vault.ARN, src.VaultARN
	if src.Image != "" { // a copy of a recovery point AWS Backup names is named so too
		rp.ARN, rp.Image = ownRecoveryPointARN(dst.Account, dst.Region, j.ID), j.Image.ARN
	}
	rp.Completed, rp.Encrypted, rp.KeyARN, rp.Lifecycle, rp.LastRestore = now, j.Image.Encrypted, j.Image.KmsKeyARN, copyLifecycle(j, src), nil
	// The index of the source belongs to it: a copy has none of its own.
	rp.Content, rp.ColdCapable, rp.ExpireJob, rp.Index = j.Image.Content, coldCapable(src.resourceType(), set), "", ""
	if j.CreatedBy != nil {
		rp.CreatedBy = j.CreatedBy
	}
	if err := s.putRecoveryPoint(tx, dv, &rp, true); err != nil {
		return err
	}
	j.State, j.Completed, j.DestRP = backupapi.CopyJobStateCompleted, &now, rp.ARN
	return nil
}
