package backup

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/jobs/schedule"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// A plan runs on one job: armed for the earliest next occurrence among its rules'
// schedules, it starts a backup job per selected resource for every rule due then, and
// re-arms itself. The job names the plan version it was armed for; a plan updated or
// deleted since arms (or wants) no more, so the stale job finds nothing to do.

// nextOccurrence is the first time after t that any of rules fires.
func nextOccurrence(rules []backupapi.BackupRule, t time.Time) time.Time {
	var next time.Time
	for _, r := range rules {
		sched, err := schedule.ParseInZone(deref(r.ScheduleExpression), deref(r.ScheduleExpressionTimezone))
		if err != nil {
			continue // checked when the plan was saved
		}
		if n := sched.Next(t); !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return next
}

// firesAt reports whether rule r has an occurrence at t.
func firesAt(r backupapi.BackupRule, t time.Time) bool {
	sched, err := schedule.ParseInZone(deref(r.ScheduleExpression), deref(r.ScheduleExpressionTimezone))
	return err == nil && sched.Next(t.Add(-time.Second)).Equal(t)
}

// armPlan schedules p's next run after from, in place of the one armed before: runs of
// one plan wait for each other in the order they were armed, so a stale run would hold
// back a schedule that an update brought forward. The caller saves p.
func (s *Service) armPlan(tx kit.Tx, v kit.View, p *planRec, from time.Time) error {
	if err := tx.CancelJobs(p.Job); err != nil {
		return err
	}
	p.Job = ""
	next := nextOccurrence(p.Plan.Rules, from)
	if next.IsZero() {
		return nil
	}
	id, err := jobPlan.Enqueue(tx, next, planRun{Account: v.Account(), Region: v.Region(), ID: p.ID, Version: p.VersionID, At: next})
	p.Job = id
	return err
}

func (s *Service) runPlan(_ context.Context, tx kit.Tx, _ *jobs.Job, run planRun) error {
	v := tx.In(run.Account, run.Region)
	p, err := plans.Get(v, run.ID)
	if err != nil || p == nil || p.Deleted != nil || p.VersionID != run.Version {
		return err
	}
	var resources []typedResource
	for _, r := range p.Plan.Rules {
		if !firesAt(r, run.At) {
			continue
		}
		if resources == nil {
			if resources, err = s.protectedResources(tx, v); err != nil {
				return err
			}
		}
		if err := s.runRule(tx, v, p, r, resources, run.At); err != nil {
			return err
		}
	}
	p.LastExecution = new(run.At)
	p.Job = "" // this run
	if err := s.armPlan(tx, v, p, run.At); err != nil {
		return err
	}
	return plans.Put(v, p, p.ID)
}

// typedResource is a resource a plan may back up, with its type.
type typedResource struct {
	port.Resource
	Type string
}

// protectedResources lists the resources a plan may back up in the Region of v: those of
// every resource type with a provider that the Region opts in to (see optInDefaults).
func (s *Service) protectedResources(tx kit.Tx, v kit.View) ([]typedResource, error) {
	set, err := settingsIn(v)
	if err != nil {
		return nil, err
	}
	out := []typedResource{}
	for _, p := range s.protectors {
		if !set.optedIn(p.ResourceType()) {
			continue
		}
		found, err := p.Resources(tx, v.Account(), v.Region())
		if err != nil {
			return nil, err
		}
		for _, r := range found {
			out = append(out, typedResource{Resource: r, Type: p.ResourceType()})
		}
	}
	return out, nil
}

// runRule starts a backup job for each resource the plan's selections pick, into the
// rule's vault, with its lifecycle, tags and copy actions.
func (s *Service) runRule(tx kit.Tx, v kit.View, p *planRec, r backupapi.BackupRule, resources []typedResource, at time.Time) error {
	sels, err := selections.List(v, p.ID)
	if err != nil {
		return err
	}
	by := creatorOf(p, r)
	window := time.Duration(deref64(r.StartWindowMinutes)) * time.Minute
	name := deref(r.TargetBackupVaultName)
	for _, res := range resources {
		sel := firstSelecting(sels, res.Resource)
		if sel == nil {
			continue
		}
		id := newJobID()
		rpARN, err := recoveryPointARN(v, res.Type, id)
		if err != nil {
			return err
		}
		j := &backupJobRec{
			ID: id, State: backupapi.BackupJobStateCreated, Vault: name, VaultARN: vaultARN(v, name),
			ResourceARN: res.ARN, ResourceName: nameOf(res.ARN), ResourceType: res.Type,
			RecoveryPointARN: rpARN, IAMRole: deref(sel.Selection.IamRoleArn),
			Created: at, StartBy: at.Add(window), CompleteBy: minutesAfter(at, r.CompletionWindowMinutes),
			Lifecycle: r.Lifecycle, Tags: r.RecoveryPointTags, CreatedBy: by, CopyActions: r.CopyActions,
			Index: ruleIndex(r, res.Type),
		}
		// A vault deleted since the plan was saved fails the job when it runs, as in AWS.
		if err := s.startBackup(tx, v, j); err != nil {
			return err
		}
	}
	return nil
}

// creatorOf is the CreatedBy of the jobs and recovery points a plan's rule makes: the
// plan and its version, and the rule with its schedule, as AWS names them.
func creatorOf(p *planRec, r backupapi.BackupRule) *backupapi.RecoveryPointCreator {
	return &backupapi.RecoveryPointCreator{
		BackupPlanId: new(p.ID), BackupPlanArn: new(p.ARN), BackupPlanName: p.Plan.BackupPlanName, BackupPlanVersion: new(p.VersionID),
		BackupRuleId: r.RuleId, BackupRuleName: r.RuleName, BackupRuleCron: r.ScheduleExpression, BackupRuleTimezone: r.ScheduleExpressionTimezone,
	}
}

// nameOf is a resource's name: what follows the last ':' or '/' of its ARN.
func nameOf(resourceARN string) string {
	return resourceARN[strings.LastIndexAny(resourceARN, ":/")+1:]
}

// firstSelecting is the first selection that picks res (whose IAM role the backup job
// uses), or nil: a resource several selections pick is backed up once.
func firstSelecting(sels []*selectionRec, res port.Resource) *selectionRec {
	for _, sel := range sels {
		if selects(sel, res) {
			return sel
		}
	}
	return nil
}

// selects applies AWS Backup's selection rules: a resource is picked when Resources
// names it (an ARN, or a pattern with *) or any ListOfTags condition matches its tags
// (checkSelection makes sure there is one or the other), it passes every Conditions
// test, and NotResources does not name it.
func selects(sel *selectionRec, res port.Resource) bool {
	b := sel.Selection
	picked := false
	for _, pattern := range b.Resources {
		if matchGlob(pattern, res.ARN) {
			picked = true
		}
	}
	for _, c := range b.ListOfTags {
		if v, ok := res.Tags[deref(c.ConditionKey)]; ok && v == deref(c.ConditionValue) {
			picked = true
		}
	}
	if !picked {
		return false
	}
	for _, pattern := range b.NotResources {
		if matchGlob(pattern, res.ARN) {
			return false
		}
	}
	if c := b.Conditions; c != nil {
		for _, t := range c.StringEquals {
			if v, ok := tagOf(res, t); !ok || v != deref(t.ConditionValue) {
				return false
			}
		}
		for _, t := range c.StringNotEquals {
			if v, ok := tagOf(res, t); ok && v == deref(t.ConditionValue) {
				return false
			}
		}
		for _, t := range c.StringLike {
			if v, ok := tagOf(res, t); !ok || !matchGlob(deref(t.ConditionValue), v) {
				return false
			}
		}
		for _, t := range c.StringNotLike {
			if v, ok := tagOf(res, t); ok && matchGlob(deref(t.ConditionValue), v) {
				return false
			}
		}
	}
	return true
}

// tagOf reads the tag a condition names as "aws:ResourceTag/<key>".
func tagOf(res port.Resource, c backupapi.ConditionParameter) (string, bool) {
	key, ok := strings.CutPrefix(deref(c.ConditionKey), "aws:ResourceTag/")
	if !ok {
		return "", false
	}
	v, ok := res.Tags[key]
	return v, ok
}

// matchGlob matches s against a selection's pattern, in which * stands for any run of
// characters ("*" alone selects every resource) and nothing else is special.
func matchGlob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	rest, ok := strings.CutPrefix(s, parts[0])
	if !ok {
		return false
	}
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, mid)
		if i < 0 {
			return false
		}
		rest = rest[i+len(mid):]
	}
	return strings.HasSuffix(rest, parts[len(parts)-1])
}
