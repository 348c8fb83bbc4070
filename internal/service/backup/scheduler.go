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
	"github.com/xregion/xregion/internal/store"
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

// armPlan schedules p's next run after from.
func (s *Service) armPlan(tx store.Tx, sc store.Scope, p *planRec, from time.Time) error {
	next := nextOccurrence(p.Plan.Rules, from)
	if next.IsZero() {
		return nil
	}
	return s.enqueue(tx, jobPlan, "plan/"+p.ID, jobRef{Account: sc.Account, Region: sc.Region, ID: p.ID, Version: p.VersionID, At: next}, next)
}

func (s *Service) runPlan(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var ref jobRef
	if err := job.DecodePayload(&ref); err != nil {
		return err
	}
	sc := store.Scope{Account: ref.Account, Region: ref.Region, Service: serviceName}
	var p planRec
	found, err := store.GetJSON(tx, sc.Key(kindPlan, ref.ID), &p)
	if err != nil || !found || p.Deleted != nil || p.VersionID != ref.Version {
		return err
	}
	var resources []port.Resource
	for _, r := range p.Plan.Rules {
		if !firesAt(r, ref.At) {
			continue
		}
		if resources == nil {
			if resources, err = s.rds().Resources(kit.Adopt(tx), sc.Account, sc.Region); err != nil {
				return err
			}
		}
		if err := s.runRule(tx, sc, &p, r, resources, ref.At); err != nil {
			return err
		}
	}
	at := ref.At
	p.LastExecution = &at
	if err := store.PutJSON(tx, sc.Key(kindPlan, p.ID), &p); err != nil {
		return err
	}
	return s.armPlan(tx, sc, &p, ref.At)
}

// runRule starts a backup job for each resource the plan's selections pick, into the
// rule's vault, with its lifecycle, tags and copy actions.
func (s *Service) runRule(tx store.Tx, sc store.Scope, p *planRec, r backupapi.BackupRule, resources []port.Resource, at time.Time) error {
	var sels []*selectionRec
	err := store.ScanJSON(tx, sc.Prefix(kindSelection, p.ID), func(_ string, sel *selectionRec) bool {
		sels = append(sels, sel)
		return true
	})
	if err != nil {
		return err
	}
	by := &backupapi.RecoveryPointCreator{BackupPlanId: str(p.ID), BackupPlanArn: str(p.ARN), BackupPlanVersion: str(p.VersionID), BackupRuleId: r.RuleId}
	window := time.Duration(deref64(r.StartWindowMinutes)) * time.Minute
	name := deref(r.TargetBackupVaultName)
	for _, res := range resources {
		sel := firstSelecting(sels, res)
		if sel == nil {
			continue
		}
		id := newJobID()
		j := &backupJobRec{
			ID: id, State: backupapi.BackupJobStateCreated, Vault: name, VaultARN: vaultARN(sc, name),
			ResourceARN: res.ARN, ResourceName: res.ARN[strings.LastIndex(res.ARN, ":")+1:],
			RecoveryPointARN: backupSnapshotARN(sc.Account, sc.Region, id), IAMRole: deref(sel.Selection.IamRoleArn),
			Created: at, StartBy: at.Add(window), Lifecycle: r.Lifecycle, Tags: r.RecoveryPointTags,
			CreatedBy: by, CopyActions: r.CopyActions,
		}
		// A vault deleted since the plan was saved fails the job when it runs, as in AWS.
		if err := s.startBackup(tx, sc, j); err != nil {
			return err
		}
	}
	return nil
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
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
