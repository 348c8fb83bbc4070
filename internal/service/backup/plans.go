package backup

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs/schedule"
	"github.com/xregion/xregion/internal/service/kit"
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
	// keepSourceExpiry as a copy's DeleteAfterDays keeps the expiry of the recovery point
	// it copies.
	keepSourceExpiry = -1
)

// checkLifecycle applies AWS Backup's rules for a lifecycle, with AWS's texts (prefixed
// "Error in <where> :" in a plan's rules): a recovery point is kept 1 to 36500 days,
// and one moved to cold storage stays there at least 90 days before it may expire. Only
// a copy's lifecycle may say keepSourceExpiry; -1 as MoveToColdStorageAfterDays means
// none. The rules hold whatever the resource type, even one without cold storage: a
// plan or a lifecycle names no type.
func checkLifecycle(where string, l *backupapi.Lifecycle, ofCopy bool) error {
	if l == nil {
		return nil
	}
	if l.DeleteAfterEvent != nil { // the model: "Not valid as an input"
		return lifecycleError(where, msgDeleteAfterEvent, msgRuleDeleteAfterEvent)
	}
	if d := l.DeleteAfterDays; d != nil && (*d < 1 || *d > maxRetentionDays) && !(ofCopy && *d == keepSourceExpiry) {
		return lifecycleError(where, msgLifecycleDelete, msgRuleLifecycleDel)
	}
	if l.MoveToColdStorageAfterDays == nil || l.DeleteAfterDays == nil || *l.DeleteAfterDays == keepSourceExpiry || *l.MoveToColdStorageAfterDays < 0 {
		return nil
	}
	if *l.DeleteAfterDays < *l.MoveToColdStorageAfterDays+minColdStorageDays {
		return lifecycleError(where, msgLifecycleColdSpace, msgRuleLifecycleCold)
	}
	return nil
}

func lifecycleError(where string, plain, inRule awserr.Message) error {
	if where == "" {
		return plain.New()
	}
	return inRule.New(where)
}

// buildPlan checks a plan the caller sends and returns it as GetBackupPlan answers it
// (see buildRules); previous are the rules of the version it replaces, if any.
func buildPlan(c kit.Call, in *backupapi.BackupPlanInput, previous []backupapi.BackupRule) (backupapi.BackupPlan, error) {
	rules, err := buildRules(c.Account, c.Region, in.Rules, previous)
	if err != nil {
		return backupapi.BackupPlan{}, err
	}
	if err := checkScanSettings(in.ScanSettings); err != nil {
		return backupapi.BackupPlan{}, err
	}
	return backupapi.BackupPlan{
		BackupPlanName: new(deref(in.BackupPlanName)), Rules: rules,
		AdvancedBackupSettings: in.AdvancedBackupSettings, ScanSettings: in.ScanSettings,
	}, nil
}

// buildRules checks the rules of a plan of account and region and returns them as
// GetBackupPlan answers them: with rule ids (kept from the previous version for rules of
// the same name) and defaults.
func buildRules(account, region string, in []backupapi.BackupRuleInput, previous []backupapi.BackupRule) ([]backupapi.BackupRule, error) {
	if len(in) == 0 {
		return nil, msgPlanWithoutRules.New()
	}
	oldIDs := map[string]string{}
	for _, r := range previous {
		oldIDs[deref(r.RuleName)] = deref(r.RuleId)
	}
	seen := map[string]bool{}
	rules := make([]backupapi.BackupRule, 0, len(in))
	for _, r := range in {
		name := deref(r.RuleName)
		if seen[name] {
			return nil, msgRuleNameTwice.New(name)
		}
		seen[name] = true
		rule, err := buildRule(account, region, r)
		if err != nil {
			return nil, err
		}
		if id, ok := oldIDs[name]; ok {
			rule.RuleId = new(id)
		} else {
			rule.RuleId = new(ids.UUID())
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// buildRule checks one rule of a plan of region and fills in its defaults. A copy action
// to a Region that takes no copies from region is refused here, whatever the resources
// the plan will back up.
func buildRule(account, region string, r backupapi.BackupRuleInput) (backupapi.BackupRule, error) {
	where := "rule " + deref(r.RuleName)
	vault := deref(r.TargetBackupVaultName)
	if !vaultName.MatchString(vault) && !managedVaultName(vault) {
		return backupapi.BackupRule{}, msgRuleVaultName.New(where, vault)
	}
	if err := checkRuleOptions(where, account, region, r); err != nil {
		return backupapi.BackupRule{}, err
	}
	out := backupapi.BackupRule{
		RuleName: r.RuleName, TargetBackupVaultName: new(vault),
		ScheduleExpression: r.ScheduleExpression, ScheduleExpressionTimezone: r.ScheduleExpressionTimezone,
		StartWindowMinutes: r.StartWindowMinutes, CompletionWindowMinutes: r.CompletionWindowMinutes,
		Lifecycle: r.Lifecycle, RecoveryPointTags: r.RecoveryPointTags, CopyActions: r.CopyActions,
		EnableContinuousBackup: r.EnableContinuousBackup, TargetLogicallyAirGappedBackupVaultArn: r.TargetLogicallyAirGappedBackupVaultArn,
		IndexActions: r.IndexActions, ScanActions: r.ScanActions,
	}
	if out.RuleName == nil {
		out.RuleName = new("")
	}
	if out.ScheduleExpression == nil {
		out.ScheduleExpression = new(defaultSchedule)
	}
	if out.ScheduleExpressionTimezone == nil {
		out.ScheduleExpressionTimezone = new(defaultTimezone)
	}
	if out.EnableContinuousBackup == nil {
		out.EnableContinuousBackup = new(bool)
	}
	if err := checkSchedule(where, *out.ScheduleExpression, *out.ScheduleExpressionTimezone); err != nil {
		return out, err
	}
	if err := fillWindows(where, &out); err != nil {
		return out, err
	}
	if err := checkLifecycle(where, out.Lifecycle, false); err != nil {
		return out, err
	}
	for _, c := range out.CopyActions {
		if err := checkDestination(where, region, deref(c.DestinationBackupVaultArn)); err != nil {
			return out, err
		}
		if err := checkLifecycle(where, c.Lifecycle, true); err != nil {
			return out, err
		}
	}
	return out, nil
}

// fillWindows gives a rule the default windows it lacks and checks them: a job starts
// within the start window and completes within the completion window, which must leave
// it at least an hour beyond the start.
func fillWindows(where string, r *backupapi.BackupRule) error {
	if r.StartWindowMinutes == nil {
		r.StartWindowMinutes = new(int64(defaultStartWindow))
	}
	if r.CompletionWindowMinutes == nil {
		r.CompletionWindowMinutes = new(max(int64(defaultCompletionWindow), *r.StartWindowMinutes+minWindowMinutes))
	}
	if *r.StartWindowMinutes < minWindowMinutes {
		return msgRuleStartWindow.New(where, minWindowMinutes)
	}
	if *r.CompletionWindowMinutes < *r.StartWindowMinutes+minWindowMinutes {
		return msgRuleCompletion.New(where, minWindowMinutes)
	}
	return nil
}

// checkSchedule accepts AWS Backup's schedules: cron() expressions in an IANA time zone
// that run at most hourly.
func checkSchedule(where, expr, zone string) error {
	if !strings.HasPrefix(strings.TrimSpace(expr), "cron(") {
		return msgRuleNotCron.New(where, expr)
	}
	sched, err := schedule.ParseInZone(expr, zone)
	if err != nil {
		return msgRuleBadSchedule.New(where, err)
	}
	if iv := sched.MinInterval(); iv != 0 && iv < minScheduleInterval {
		return msgRuleTooFrequent.New(where, expr)
	}
	return nil
}

func (s *Service) CreateBackupPlan(ctx context.Context, in *backupapi.CreateBackupPlanInput) (*backupapi.CreateBackupPlanOutput, error) {
	c := s.Call(ctx)
	plan, err := buildPlan(c, in.BackupPlan, nil)
	if err != nil {
		return nil, err
	}
	name := *plan.BackupPlanName
	crid := deref(in.CreatorRequestId)
	p, err := kit.Write(s.Kit, func(tx kit.Tx) (*planRec, error) {
		v := c.In(tx)
		if prev, err := retriedPlan(v, crid); prev != nil || err != nil {
			return prev, err
		}
		if err := checkPlanName(v, name, ""); err != nil {
			return nil, err
		}
		now := c.Now()
		id := ids.UUID()
		p := &planRec{
			ID: id, ARN: planARN(v, id), VersionID: newVersionID(),
			Plan: plan, Created: now, Versioned: now, CreatorRequestID: crid, Tags: in.BackupPlanTags,
			Advanced: plan.AdvancedBackupSettings,
		}
		if crid != "" {
			if err := requests.Put(v, []byte(id), requestPlan, crid); err != nil {
				return nil, err
			}
		}
		if err := s.armPlan(tx, v, p, now); err != nil {
			return nil, err
		}
		return p, savePlan(v, p)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateBackupPlanOutput{
		BackupPlanId: new(p.ID), BackupPlanArn: new(p.ARN), CreationDate: new(p.Created),
		VersionId: new(p.VersionID), AdvancedBackupSettings: p.Advanced,
	}, nil
}

// retriedPlan is the plan an earlier request with the same CreatorRequestId created, if
// it still exists: a retry gets its answer.
func retriedPlan(v kit.View, crid string) (*planRec, error) {
	if crid == "" {
		return nil, nil
	}
	id := idOf(v, requests, requestPlan, crid)
	if id == "" {
		return nil, nil
	}
	p, err := plans.Get(v, id)
	if err != nil || p == nil || p.Deleted != nil {
		return nil, err
	}
	return p, nil
}

// checkPlanName refuses a name another plan that is not deleted already has; self is the
// plan being renamed, if any. A Region holds few plans, so a scan costs less than an index.
func checkPlanName(v kit.View, name, self string) error {
	taken := false
	err := plans.Scan(v, func(q *planRec) bool {
		taken = q.Deleted == nil && q.ID != self && deref(q.Plan.BackupPlanName) == name
		return !taken
	})
	if err != nil {
		return err
	}
	if taken {
		return msgPlanExists.New(name)
	}
	return nil
}

// savePlan writes a plan's current version and keeps it among its versions.
func savePlan(v kit.View, p *planRec) error {
	if err := plans.Put(v, p, p.ID); err != nil {
		return err
	}
	return planVersions.Put(v, p, p.ID, p.VersionID)
}

// getPlan reads the current version of a plan that has not been deleted.
func getPlan(v kit.View, id string) (*planRec, error) {
	p, err := plans.Get(v, id)
	if err != nil {
		return nil, err
	}
	if p == nil || p.Deleted != nil {
		return nil, msgPlanNotFound.New()
	}
	return p, nil
}

// planVersion reads one version of a plan, or its current version when version is nil;
// a deleted plan has only its versions.
func planVersion(v kit.View, id string, version *string) (*planRec, error) {
	if version == nil {
		return getPlan(v, id)
	}
	p, err := planVersions.Get(v, id, *version)
	if err == nil && p == nil {
		err = msgPlanNotFound.New()
	}
	return p, err
}

func (s *Service) GetBackupPlan(ctx context.Context, in *backupapi.GetBackupPlanInput) (*backupapi.GetBackupPlanOutput, error) {
	c := s.Call(ctx)
	p, err := kit.Read(s.Kit, func(tx kit.Tx) (*planRec, error) {
		return planVersion(c.In(tx), *in.BackupPlanId, in.VersionId)
	})
	if err != nil {
		return nil, err
	}
	plan := p.Plan
	out := &backupapi.GetBackupPlanOutput{
		BackupPlan: &plan, BackupPlanId: new(p.ID), BackupPlanArn: new(p.ARN), VersionId: new(p.VersionID),
		CreationDate: new(p.Versioned), DeletionDate: p.Deleted, LastExecutionDate: p.LastExecution,
		AdvancedBackupSettings: p.Advanced, CreatorRequestId: nonEmpty(p.CreatorRequestID),
	}
	if n := deref64(in.MaxScheduledRunsPreview); n > 0 && p.Deleted == nil {
		out.ScheduledRunsPreview = scheduledRuns(p.Plan.Rules, c.Now(), int(n))
	}
	return out, nil
}

// scheduledRuns previews the next n runs of rules after now: each rule due at each of
// their next occurrences, in time order (rules due together in the plan's order).
func scheduledRuns(rules []backupapi.BackupRule, now time.Time, n int) []backupapi.ScheduledPlanExecutionMember {
	out := []backupapi.ScheduledPlanExecutionMember{}
	for t := nextOccurrence(rules, now); !t.IsZero() && len(out) < n; t = nextOccurrence(rules, t) {
		for _, r := range rules {
			if len(out) < n && firesAt(r, t) {
				kind := backupapi.RuleExecutionTypeSnapshots
				if r.EnableContinuousBackup != nil && *r.EnableContinuousBackup {
					kind = backupapi.RuleExecutionTypeContinuousAndSnapshots
				}
				out = append(out, backupapi.ScheduledPlanExecutionMember{ExecutionTime: new(t), RuleId: r.RuleId, RuleExecutionType: new(kind)})
			}
		}
	}
	return out
}

func (s *Service) UpdateBackupPlan(ctx context.Context, in *backupapi.UpdateBackupPlanInput) (*backupapi.UpdateBackupPlanOutput, error) {
	c := s.Call(ctx)
	p, err := kit.Write(s.Kit, func(tx kit.Tx) (*planRec, error) {
		v := c.In(tx)
		p, err := getPlan(v, *in.BackupPlanId)
		if err != nil {
			return nil, err
		}
		plan, err := buildPlan(c, in.BackupPlan, p.Plan.Rules)
		if err != nil {
			return nil, err
		}
		if err := checkPlanName(v, *plan.BackupPlanName, p.ID); err != nil {
			return nil, err
		}
		p.Plan, p.Advanced = plan, plan.AdvancedBackupSettings
		p.VersionID = newVersionID()
		p.Versioned = c.Now()
		if err := s.armPlan(tx, v, p, p.Versioned); err != nil {
			return nil, err
		}
		return p, savePlan(v, p)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.UpdateBackupPlanOutput{
		BackupPlanId: new(p.ID), BackupPlanArn: new(p.ARN), CreationDate: new(p.Versioned),
		VersionId: new(p.VersionID), AdvancedBackupSettings: p.Advanced, ScanSettings: p.Plan.ScanSettings,
	}, nil
}

func (s *Service) DeleteBackupPlan(ctx context.Context, in *backupapi.DeleteBackupPlanInput) (*backupapi.DeleteBackupPlanOutput, error) {
	c := s.Call(ctx)
	p, err := kit.Write(s.Kit, func(tx kit.Tx) (*planRec, error) {
		v := c.In(tx)
		p, err := getPlan(v, *in.BackupPlanId)
		if err != nil {
			return nil, err
		}
		hasSelections := false
		if err := selections.Keys(v, "", func(kit.Entry) bool {
			hasSelections = true
			return false
		}, p.ID); err != nil {
			return nil, err
		}
		if hasSelections {
			return nil, msgPlanHasSelections.New()
		}
		// The plan is kept, marked deleted, for ListBackupPlans' IncludeDeleted and
		// GetBackupPlan of a given version; its versions stay readable.
		p.Deleted = new(c.Now())
		if err := tx.CancelJobs(p.Job); err != nil {
			return nil, err
		}
		p.Job = ""
		if p.CreatorRequestID != "" {
			if err := requests.Delete(v, requestPlan, p.CreatorRequestID); err != nil {
				return nil, err
			}
		}
		return p, savePlan(v, p)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.DeleteBackupPlanOutput{BackupPlanId: new(p.ID), BackupPlanArn: new(p.ARN), DeletionDate: p.Deleted, VersionId: new(p.VersionID)}, nil
}

func planListMember(p *planRec) backupapi.BackupPlansListMember {
	return backupapi.BackupPlansListMember{
		BackupPlanArn: new(p.ARN), BackupPlanId: new(p.ID), CreationDate: new(p.Versioned),
		DeletionDate: p.Deleted, VersionId: new(p.VersionID), BackupPlanName: p.Plan.BackupPlanName,
		LastExecutionDate: p.LastExecution, AdvancedBackupSettings: p.Advanced, CreatorRequestId: nonEmpty(p.CreatorRequestID),
	}
}

func (s *Service) ListBackupPlans(ctx context.Context, in *backupapi.ListBackupPlansInput) (*backupapi.ListBackupPlansOutput, error) {
	withDeleted := in.IncludeDeleted != nil && *in.IncludeDeleted
	q := listQuery[planRec]{Op: "ListBackupPlans", Token: in.NextToken, Max: in.MaxResults,
		Keep:    func(p *planRec) bool { return p.Deleted == nil || withDeleted },
		Created: func(p *planRec) (time.Time, string) { return p.Created, p.ID }}
	items, next, err := listByCreation(s, s.Call(ctx), q, plans, planListMember)
	if err != nil {
		return nil, err
	}
	return &backupapi.ListBackupPlansOutput{BackupPlansList: items, NextToken: next}, nil
}

func (s *Service) ListBackupPlanVersions(ctx context.Context, in *backupapi.ListBackupPlanVersionsInput) (*backupapi.ListBackupPlanVersionsOutput, error) {
	c := s.Call(ctx)
	id := *in.BackupPlanId
	if _, err := kit.Read(s.Kit, func(tx kit.Tx) (*planRec, error) {
		p, err := plans.Get(c.In(tx), id)
		if err == nil && p == nil {
			err = msgPlanNotFound.New()
		}
		return p, err
	}); err != nil {
		return nil, err
	}
	// Versions list oldest first, in the order they were saved: their ids are random, so
	// the order of their keys would say nothing.
	q := listQuery[planRec]{Op: "ListBackupPlanVersions", Within: id, Token: in.NextToken, Max: in.MaxResults,
		Created: func(p *planRec) (time.Time, string) { return p.Versioned, p.VersionID }}
	items, next, err := listByCreation(s, c, q, planVersions, planListMember)
	if err != nil {
		return nil, err
	}
	return &backupapi.ListBackupPlanVersionsOutput{BackupPlanVersionsList: items, NextToken: next}, nil
}
