package backup

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/jobs/schedule"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

var (
	jobRestoreTest    = kit.Kind[planRun]{Name: "backup.restore-test-schedule"} // a restore testing plan's next run
	jobRestoreCleanup = kit.Kind[jobRef]{Name: "backup.restore-test-cleanup"}   // deleting what a restore test restored
)

// armRestoreTest schedules a restore testing plan's next run after from, in place of the
// one armed before (see armPlan). The caller saves p.
func (s *Service) armRestoreTest(tx kit.Tx, v kit.View, p *rtPlanRec, from time.Time) error {
	if err := tx.CancelJobs(p.Job); err != nil {
		return err
	}
	p.Job = ""
	sched, err := schedule.ParseInZone(p.Schedule, p.Zone)
	if err != nil {
		return nil // checked when the plan was saved
	}
	next := sched.Next(from)
	if next.IsZero() {
		return nil
	}
	id, err := jobRestoreTest.Enqueue(tx, next, planRun{Account: v.Account(), Region: v.Region(), ID: p.Name, Version: p.version(), At: next})
	p.Job = id
	return err
}

// runRestoreTest starts a plan's restore jobs, one per protected resource its selections
// pick that has a recovery point to test, and re-arms the plan.
func (s *Service) runRestoreTest(_ context.Context, tx kit.Tx, _ *jobs.Job, run planRun) error {
	v := tx.In(run.Account, run.Region)
	p, err := rtPlans.Get(v, run.ID)
	if err != nil || p == nil || p.version() != run.Version {
		return err
	}
	sels, err := rtSelections.List(v, p.Name)
	if err != nil {
		return err
	}
	for _, sel := range sels {
		if err := s.testSelection(tx, v, p, sel, run.At); err != nil {
			return err
		}
	}
	p.LastRun = &run.At
	if err := s.armRestoreTest(tx, v, p, run.At); err != nil {
		return err
	}
	return rtPlans.Put(v, p, p.Name)
}

// testSelection starts the restore jobs of one selection. The resources are those AWS
// Backup protects in the Region (a resource deleted since its backups is still one), of
// the selection's type; tags, for conditions, are those of the resources that exist.
func (s *Service) testSelection(tx kit.Tx, v kit.View, p *rtPlanRec, sel *rtSelectionRec, at time.Time) error {
	typ := deref(sel.Selection.ProtectedResourceType)
	prov, ok := s.protector(typ)
	if !ok {
		return nil
	}
	live, err := prov.Resources(tx, v.Account(), v.Region())
	if err != nil {
		return err
	}
	tags := map[string]map[string]string{}
	for _, r := range live {
		tags[r.ARN] = r.Tags
	}
	protected, err := protections.List(v)
	if err != nil {
		return err
	}
	for _, pr := range protected {
		if pr.resourceType() != typ || !rtSelects(sel.Selection, pr.ARN, tags[pr.ARN]) {
			continue
		}
		rp, err := pointToTest(v, p, pr.ARN, at)
		if err != nil {
			return err
		}
		if rp != nil {
			if err := s.startRestoreTest(tx, v, p, sel, rp); err != nil {
				return err
			}
		}
	}
	return nil
}

// rtSelects reports whether a selection picks a resource: by ARN ("*" for all), or by
// its conditions on the resource's tags (aws:ResourceTag/<key>), all of which must hold.
func rtSelects(sel backupapi.RestoreTestingSelectionForCreate, resourceARN string, tags map[string]string) bool {
	if len(sel.ProtectedResourceArns) > 0 {
		return slices.Contains(sel.ProtectedResourceArns, "*") || slices.Contains(sel.ProtectedResourceArns, resourceARN)
	}
	c := sel.ProtectedResourceConditions
	if c == nil {
		return false
	}
	tag := func(kv backupapi.KeyValue) (string, bool) {
		v, ok := tags[strings.TrimPrefix(deref(kv.Key), "aws:ResourceTag/")]
		return v, ok
	}
	for _, kv := range c.StringEquals {
		if v, ok := tag(kv); !ok || v != deref(kv.Value) {
			return false
		}
	}
	for _, kv := range c.StringNotEquals {
		if v, ok := tag(kv); ok && v == deref(kv.Value) {
			return false
		}
	}
	return true
}

// pointToTest chooses the recovery point of a resource a plan tests: one of the Region's
// snapshot recovery points in the plan's vaults made within its selection window, the
// latest or one at random as its algorithm says; nil when there is none.
func pointToTest(v kit.View, p *rtPlanRec, resourceARN string, at time.Time) (*recoveryRec, error) {
	if !slices.Contains(p.Points.RecoveryPointTypes, backupapi.RestoreTestingRecoveryPointTypeSnapshot) {
		return nil, nil // continuous recovery points are not made here
	}
	since := at.Add(-time.Duration(deref64(p.Points.SelectionWindowDays)) * day)
	var candidates []*recoveryRec
	err := pointsOfResource.Keys(v, "", func(e kit.Entry) bool {
		rp, err := recoveryPoints.Get(v, idOf(v, recoveryVaults, e.Last()), e.Last())
		if err == nil && rp != nil && !rp.Created.Before(since) && !rp.Created.After(at) && vaultIn(rp.VaultARN, p.Points) {
			candidates = append(candidates, rp)
		}
		return true
	}, resourceARN)
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	slices.SortFunc(candidates, func(a, b *recoveryRec) int { return a.Created.Compare(b.Created) })
	if deref(p.Points.Algorithm) == backupapi.RestoreTestingRecoveryPointSelectionAlgorithmRandomWithinWindow {
		// Random, and the same for a run that is retried: chosen by a digest of the run.
		i := port.DigestOf(resourceARN, at.UTC().Format(time.RFC3339)) % uint64(len(candidates))
		return candidates[i], nil
	}
	return candidates[len(candidates)-1], nil
}

// vaultIn reports whether a vault is one a plan's selection includes and does not
// exclude ("*" and wildcards as in its ARNs).
func vaultIn(vaultARN string, sel backupapi.RestoreTestingRecoveryPointSelection) bool {
	match := func(patterns []string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { return matchGlob(p, vaultARN) })
	}
	return match(sel.IncludeVaults) && !match(sel.ExcludeVaults)
}

// startRestoreTest starts the restore job of a test. An RDS restore needs the identifier
// of the instance to create: the test's is awsbackup-restore-test-<job>, unless the
// selection's RestoreMetadataOverrides names one.
func (s *Service) startRestoreTest(tx kit.Tx, v kit.View, p *rtPlanRec, sel *rtSelectionRec, rp *recoveryRec) error {
	id := newJobID()
	meta := map[string]string{}
	if rp.resourceType() == typeRDS {
		meta[metaInstanceID] = "awsbackup-restore-test-" + strings.ToLower(id[:8])
	}
	maps.Copy(meta, sel.Selection.RestoreMetadataOverrides)
	j := &restoreJobRec{
		ID: id, Status: backupapi.RestoreJobStatusPending, RecoveryPoint: rp.ARN, RPCreated: rp.Created, Metadata: meta,
		IAMRole: deref(sel.Selection.IamRoleArn), Created: s.Clock.Now(), Size: rp.Size, ResourceType: rp.resourceType(),
		TestPlanARN: p.ARN, ValidationHours: deref64(sel.Selection.ValidationWindowHours),
	}
	if err := restoreJobs.Put(v, j, j.ID); err != nil {
		return err
	}
	_, err := jobRestore.Enqueue(tx, s.After(), refIn(v, j.ID))
	return err
}

// armCleanup schedules the deletion of what a restore test restored at, in place of the
// one armed before: steps of one job run in the order they were armed, so the end of
// the validation window would hold back a deletion that a validation result brings
// forward. The caller saves j.
func armCleanup(tx kit.Tx, v kit.View, j *restoreJobRec, at time.Time) error {
	if err := tx.CancelJobs(j.CleanupJob); err != nil {
		return err
	}
	id, err := jobRestoreCleanup.Enqueue(tx, at, refIn(v, j.ID))
	j.CleanupJob = id
	return err
}

// runCleanup deletes the resource a restore test created, through its provider. A test
// whose validation window passes without a result is TIMED_OUT.
func (s *Service) runCleanup(_ context.Context, tx kit.Tx, _ *jobs.Job, ref jobRef) error {
	v := tx.In(ref.Account, ref.Region)
	j, err := restoreJobs.Get(v, ref.ID)
	if err != nil || j == nil || j.CreatedARN == "" || j.DeletionStatus == backupapi.RestoreDeletionStatusSuccessful {
		return err
	}
	if j.ValidationHours > 0 && (j.ValidationStatus == "" || j.ValidationStatus == backupapi.RestoreValidationStatusValidating) {
		j.ValidationStatus = backupapi.RestoreValidationStatusTimedOut
	}
	j.DeletionStatus, j.DeletionMessage = backupapi.RestoreDeletionStatusSuccessful, ""
	prov, _ := s.protector(j.resourceType())
	cleaner, ok := prov.(port.RestoreCleaner)
	switch {
	case !ok:
		j.DeletionStatus, j.DeletionMessage = backupapi.RestoreDeletionStatusFailed, "Resource type "+j.resourceType()+" cannot be deleted after a restore test here"
	default:
		err = cleaner.DeleteRestored(tx, v.Account(), v.Region(), j.CreatedARN)
		if errors.Is(err, port.ErrCannotProtect) {
			j.DeletionStatus, j.DeletionMessage, err = backupapi.RestoreDeletionStatusFailed, failureText(err), nil
		}
	}
	if err != nil {
		return err
	}
	return restoreJobs.Put(v, j, j.ID)
}

// PutRestoreValidationResult records a test's validation; a final result (anything but
// VALIDATING) ends the validation window: the restored resource is deleted now.
func (s *Service) PutRestoreValidationResult(ctx context.Context, in *backupapi.PutRestoreValidationResultInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		j, err := restoreJobs.Get(v, *in.RestoreJobId)
		switch {
		case err != nil:
			return nil, err
		case j == nil:
			return nil, msgRestoreNotFound.New(*in.RestoreJobId)
		case j.TestPlanARN == "":
			return nil, msgNotATest.New(j.ID)
		case j.Status != backupapi.RestoreJobStatusCompleted:
			return nil, msgTestNotRestored.New(j.ID, j.Status)
		}
		j.ValidationStatus, j.ValidationMessage = *in.ValidationStatus, deref(in.ValidationStatusMessage)
		if j.ValidationStatus != backupapi.RestoreValidationStatusValidating && j.DeletionStatus == "" {
			j.DeletionStatus = backupapi.RestoreDeletionStatusDeleting
			if err := armCleanup(tx, v, j, c.Now()); err != nil {
				return nil, err
			}
		}
		return &awsmodel.Empty{}, restoreJobs.Put(v, j, j.ID)
	})
}
