package backup

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs/schedule"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// Defaults of a rule that sets none, as the AWS Backup console fills them in.
const (
	defaultSchedule         = "cron(0 5 ? * * *)"
	defaultTimezone         = "Etc/UTC"
	defaultStartWindow      = 8 * 60
	defaultCompletionWindow = 7 * 24 * 60
	minWindowMinutes        = 60
	minColdStorageDays      = 90 // a recovery point stays in cold storage at least this long
	minScheduleInterval     = time.Hour
	requestPlan             = "plan"
	requestSelection        = "selection"
	// keepSourceExpiry as a copy's DeleteAfterDays keeps the expiry of the recovery point
	// it copies.
	keepSourceExpiry = -1
)

// checkLifecycle applies AWS Backup's rules for a lifecycle: a recovery point moved to
// cold storage stays there at least 90 days before it may expire, and only a copy's
// lifecycle may say keepSourceExpiry.
func checkLifecycle(where string, l *backupapi.Lifecycle, ofCopy bool) error {
	if l == nil {
		return nil
	}
	if l.DeleteAfterDays != nil && *l.DeleteAfterDays < 1 && !(ofCopy && *l.DeleteAfterDays == keepSourceExpiry) {
		return invalidParameter("Error in %s : DeleteAfterDays must be at least 1", where)
	}
	if l.MoveToColdStorageAfterDays == nil || l.DeleteAfterDays == nil || *l.DeleteAfterDays == keepSourceExpiry {
		return nil
	}
	cold, del := *l.MoveToColdStorageAfterDays, *l.DeleteAfterDays
	if del < cold+minColdStorageDays {
		return invalidParameter("Error in %s : DeleteAfterDays (%d) must be at least %d days greater than MoveToColdStorageAfterDays (%d)", where, del, minColdStorageDays, cold)
	}
	return nil
}

// checkVaultARN checks the form of a copy action's destination vault ARN.
func checkVaultARN(where, s string) error {
	a, err := arn.Parse(s)
	if err == nil && a.Service == serviceName && strings.HasPrefix(a.Resource, "backup-vault:") && vaultName.MatchString(strings.TrimPrefix(a.Resource, "backup-vault:")) {
		return nil
	}
	return invalidParameter("Error in %s : Invalid destination backup vault ARN %s", where, s)
}

// buildRules checks a plan's rules and returns them as GetBackupPlan answers them: with
// rule ids (kept from the previous version for rules of the same name) and defaults.
func buildRules(in []backupapi.BackupRuleInput, previous []backupapi.BackupRule) ([]backupapi.BackupRule, error) {
	if len(in) == 0 {
		return nil, invalidParameter("A backup plan must contain at least one rule")
	}
	oldIDs := map[string]string{}
	for _, r := range previous {
		oldIDs[deref(r.RuleName)] = deref(r.RuleId)
	}
	seen := map[string]bool{}
	rules := make([]backupapi.BackupRule, 0, len(in))
	for _, r := range in {
		name := deref(r.RuleName)
		where := "rule " + name
		if seen[name] {
			return nil, invalidParameter("Rule names must be unique within a backup plan: %s is used more than once", name)
		}
		seen[name] = true
		vault := deref(r.TargetBackupVaultName)
		if !vaultName.MatchString(vault) {
			return nil, invalidParameter("Error in %s : Backup vault name %s is not valid", where, vault)
		}
		out := backupapi.BackupRule{
			RuleName: str(name), TargetBackupVaultName: str(vault),
			ScheduleExpression: r.ScheduleExpression, ScheduleExpressionTimezone: r.ScheduleExpressionTimezone,
			StartWindowMinutes: r.StartWindowMinutes, CompletionWindowMinutes: r.CompletionWindowMinutes,
			Lifecycle: r.Lifecycle, RecoveryPointTags: r.RecoveryPointTags, CopyActions: r.CopyActions,
			EnableContinuousBackup: r.EnableContinuousBackup,
		}
		if out.ScheduleExpression == nil {
			out.ScheduleExpression = str(defaultSchedule)
		}
		if out.ScheduleExpressionTimezone == nil {
			out.ScheduleExpressionTimezone = str(defaultTimezone)
		}
		if err := checkSchedule(where, *out.ScheduleExpression, *out.ScheduleExpressionTimezone); err != nil {
			return nil, err
		}
		if out.StartWindowMinutes == nil {
			out.StartWindowMinutes = ptr(int64(defaultStartWindow))
		}
		if out.CompletionWindowMinutes == nil {
			out.CompletionWindowMinutes = ptr(max(int64(defaultCompletionWindow), *out.StartWindowMinutes+minWindowMinutes))
		}
		if *out.StartWindowMinutes < minWindowMinutes {
			return nil, invalidParameter("Error in %s : StartWindowMinutes must be at least %d minutes", where, minWindowMinutes)
		}
		if *out.CompletionWindowMinutes < *out.StartWindowMinutes+minWindowMinutes {
			return nil, invalidParameter("Error in %s : CompletionWindowMinutes must be at least %d minutes greater than StartWindowMinutes", where, minWindowMinutes)
		}
		if out.EnableContinuousBackup == nil {
			out.EnableContinuousBackup = new(bool)
		}
		if err := checkLifecycle(where, out.Lifecycle, false); err != nil {
			return nil, err
		}
		for _, c := range out.CopyActions {
			if err := checkVaultARN(where, deref(c.DestinationBackupVaultArn)); err != nil {
				return nil, err
			}
			if err := checkLifecycle(where+" copy action", c.Lifecycle, true); err != nil {
				return nil, err
			}
		}
		if id, ok := oldIDs[name]; ok {
			out.RuleId = str(id)
		} else {
			out.RuleId = str(ids.UUID())
		}
		rules = append(rules, out)
	}
	return rules, nil
}

// checkSchedule accepts AWS Backup's schedules: cron() expressions in an IANA time zone
// that run at most hourly.
func checkSchedule(where, expr, zone string) error {
	if !strings.HasPrefix(strings.TrimSpace(expr), "cron(") {
		return invalidParameter("Error in %s : Invalid schedule expression %s: a backup rule's schedule must be a cron() expression", where, expr)
	}
	sched, err := schedule.ParseInZone(expr, zone)
	if err != nil {
		return invalidParameter("Error in %s : %v", where, err)
	}
	if iv := sched.MinInterval(); iv != 0 && iv < minScheduleInterval {
		return invalidParameter("Error in %s : The schedule %s runs more often than once an hour, the most frequent schedule AWS Backup allows", where, expr)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func (s *Service) createBackupPlan(ctx context.Context, in *backupapi.CreateBackupPlanInput) (*backupapi.CreateBackupPlanOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	rules, err := buildRules(in.BackupPlan.Rules, nil)
	if err != nil {
		return nil, err
	}
	name := deref(in.BackupPlan.BackupPlanName)
	var p planRec
	err = s.st.Update(func(tx store.Tx) error {
		if crid := deref(in.CreatorRequestId); crid != "" {
			done, err := s.retried(tx, sc, requestPlan, crid, func(id string) (bool, error) {
				found, err := store.GetJSON(tx, sc.Key(kindPlan, id), &p)
				return found && p.Deleted == nil, err
			})
			if done || err != nil {
				return err
			}
		}
		if err := checkPlanName(tx, sc, name, ""); err != nil {
			return err
		}
		now := s.clock.Now()
		id := ids.UUID()
		p = planRec{
			ID: id, ARN: planARN(sc, id), VersionID: newVersionID(),
			Plan:    backupapi.BackupPlan{BackupPlanName: str(name), Rules: rules, AdvancedBackupSettings: in.BackupPlan.AdvancedBackupSettings},
			Created: now, Versioned: now, CreatorRequestID: deref(in.CreatorRequestId), Tags: in.BackupPlanTags,
			Advanced: in.BackupPlan.AdvancedBackupSettings,
		}
		if p.CreatorRequestID != "" {
			if err := tx.Put(sc.Key(kindRequest, requestPlan, p.CreatorRequestID), []byte(id)); err != nil {
				return err
			}
		}
		if err := savePlan(tx, sc, &p); err != nil {
			return err
		}
		return s.armPlan(tx, sc, &p, now)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateBackupPlanOutput{
		BackupPlanId: str(p.ID), BackupPlanArn: str(p.ARN), CreationDate: timePtr(p.Created),
		VersionId: str(p.VersionID), AdvancedBackupSettings: p.Advanced,
	}, nil
}

// checkPlanName refuses a name another plan that is not deleted already has; self is the
// plan being renamed, if any. A Region holds few plans, so a scan costs less than an index.
func checkPlanName(tx store.Tx, sc store.Scope, name, self string) error {
	taken := false
	err := store.ScanJSON(tx, sc.Prefix(kindPlan), func(_ string, q *planRec) bool {
		taken = q.Deleted == nil && q.ID != self && deref(q.Plan.BackupPlanName) == name
		return !taken
	})
	if err != nil {
		return err
	}
	if taken {
		return backupapi.ErrAlreadyExists.New("Backup plan with the same name %s already exists", name)
	}
	return nil
}

// retried looks up what an earlier request with the same CreatorRequestId created; load
// reads it and reports whether it still exists, in which case the retry gets its answer.
func (s *Service) retried(tx store.Tx, sc store.Scope, what, crid string, load func(id string) (bool, error)) (bool, error) {
	id := tx.Get(sc.Key(kindRequest, what, crid))
	if id == nil {
		return false, nil
	}
	return load(string(id))
}

// savePlan writes a plan's current version and keeps it among its versions.
func savePlan(tx store.Tx, sc store.Scope, p *planRec) error {
	if err := store.PutJSON(tx, sc.Key(kindPlan, p.ID), p); err != nil {
		return err
	}
	return store.PutJSON(tx, sc.Key(kindPlanVersion, p.ID, p.VersionID), p)
}

// getPlan reads the current version of a plan that has not been deleted.
func getPlan(tx store.Tx, sc store.Scope, id string) (*planRec, error) {
	var p planRec
	found, err := store.GetJSON(tx, sc.Key(kindPlan, id), &p)
	if err != nil {
		return nil, err
	}
	if !found || p.Deleted != nil {
		return nil, planNotFound(id)
	}
	return &p, nil
}

func (s *Service) getBackupPlan(ctx context.Context, in *backupapi.GetBackupPlanInput) (*backupapi.GetBackupPlanOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	var p planRec
	err := s.st.View(func(tx store.Tx) error {
		key := sc.Key(kindPlan, *in.BackupPlanId)
		if in.VersionId != nil {
			key = sc.Key(kindPlanVersion, *in.BackupPlanId, *in.VersionId)
		}
		found, err := store.GetJSON(tx, key, &p)
		if err != nil {
			return err
		}
		if !found || (in.VersionId == nil && p.Deleted != nil) {
			return planNotFound(*in.BackupPlanId)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	plan := p.Plan
	out := &backupapi.GetBackupPlanOutput{
		BackupPlan: &plan, BackupPlanId: str(p.ID), BackupPlanArn: str(p.ARN), VersionId: str(p.VersionID),
		CreationDate: timePtr(p.Versioned), DeletionDate: p.Deleted, LastExecutionDate: p.LastExecution,
		AdvancedBackupSettings: p.Advanced,
	}
	if p.CreatorRequestID != "" {
		out.CreatorRequestId = str(p.CreatorRequestID)
	}
	return out, nil
}

func (s *Service) updateBackupPlan(ctx context.Context, in *backupapi.UpdateBackupPlanInput) (*backupapi.UpdateBackupPlanOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	var p *planRec
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		if p, err = getPlan(tx, sc, *in.BackupPlanId); err != nil {
			return err
		}
		rules, err := buildRules(in.BackupPlan.Rules, p.Plan.Rules)
		if err != nil {
			return err
		}
		name := deref(in.BackupPlan.BackupPlanName)
		if err := checkPlanName(tx, sc, name, p.ID); err != nil {
			return err
		}
		p.Plan = backupapi.BackupPlan{BackupPlanName: str(name), Rules: rules, AdvancedBackupSettings: in.BackupPlan.AdvancedBackupSettings}
		p.Advanced = in.BackupPlan.AdvancedBackupSettings
		p.VersionID = newVersionID()
		p.Versioned = s.clock.Now()
		if err := savePlan(tx, sc, p); err != nil {
			return err
		}
		return s.armPlan(tx, sc, p, p.Versioned)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.UpdateBackupPlanOutput{
		BackupPlanId: str(p.ID), BackupPlanArn: str(p.ARN), CreationDate: timePtr(p.Versioned),
		VersionId: str(p.VersionID), AdvancedBackupSettings: p.Advanced,
	}, nil
}

func (s *Service) deleteBackupPlan(ctx context.Context, in *backupapi.DeleteBackupPlanInput) (*backupapi.DeleteBackupPlanOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	var p *planRec
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		if p, err = getPlan(tx, sc, *in.BackupPlanId); err != nil {
			return err
		}
		hasSelections := false
		if err := tx.Scan(sc.Prefix(kindSelection, p.ID), "", func(string, []byte) bool {
			hasSelections = true
			return false
		}); err != nil {
			return err
		}
		if hasSelections {
			return backupapi.ErrInvalidRequest.New("Related backup plan selections must be deleted prior to backup plan deletion.")
		}
		// The plan is kept, marked deleted, for ListBackupPlans' IncludeDeleted and
		// GetBackupPlan of a given version; its versions stay readable.
		p.Deleted = timePtr(s.clock.Now())
		if p.CreatorRequestID != "" {
			if err := tx.Delete(sc.Key(kindRequest, requestPlan, p.CreatorRequestID)); err != nil {
				return err
			}
		}
		return savePlan(tx, sc, p)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.DeleteBackupPlanOutput{BackupPlanId: str(p.ID), BackupPlanArn: str(p.ARN), DeletionDate: p.Deleted, VersionId: str(p.VersionID)}, nil
}

func planListMember(p *planRec) backupapi.BackupPlansListMember {
	m := backupapi.BackupPlansListMember{
		BackupPlanArn: str(p.ARN), BackupPlanId: str(p.ID), CreationDate: timePtr(p.Versioned),
		DeletionDate: p.Deleted, VersionId: str(p.VersionID), BackupPlanName: p.Plan.BackupPlanName,
		LastExecutionDate: p.LastExecution, AdvancedBackupSettings: p.Advanced,
	}
	if p.CreatorRequestID != "" {
		m.CreatorRequestId = str(p.CreatorRequestID)
	}
	return m
}

func (s *Service) listBackupPlans(ctx context.Context, in *backupapi.ListBackupPlansInput) (*backupapi.ListBackupPlansOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	withDeleted := in.IncludeDeleted != nil && *in.IncludeDeleted
	out := &backupapi.ListBackupPlansOutput{BackupPlansList: []backupapi.BackupPlansListMember{}}
	err := s.st.View(func(tx store.Tx) error {
		var err error
		out.NextToken, err = scanPage(tx, sc.Prefix(kindPlan), in.NextToken, in.MaxResults, func(p *planRec) bool {
			if p.Deleted != nil && !withDeleted {
				return false
			}
			out.BackupPlansList = append(out.BackupPlansList, planListMember(p))
			return true
		})
		return err
	})
	return out, err
}

func (s *Service) listBackupPlanVersions(ctx context.Context, in *backupapi.ListBackupPlanVersionsInput) (*backupapi.ListBackupPlanVersionsOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	out := &backupapi.ListBackupPlanVersionsOutput{BackupPlanVersionsList: []backupapi.BackupPlansListMember{}}
	err := s.st.View(func(tx store.Tx) error {
		if tx.Get(sc.Key(kindPlan, *in.BackupPlanId)) == nil {
			return planNotFound(*in.BackupPlanId)
		}
		var err error
		out.NextToken, err = scanPage(tx, sc.Prefix(kindPlanVersion, *in.BackupPlanId), in.NextToken, in.MaxResults, func(p *planRec) bool {
			out.BackupPlanVersionsList = append(out.BackupPlanVersionsList, planListMember(p))
			return true
		})
		return err
	})
	return out, err
}
