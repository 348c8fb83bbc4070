package backup

import (
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/port"
)

func TestMatchGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "arn:aws:rds:us-east-1:123456789012:db:mydb", true},
		{"arn:aws:rds:us-east-1:123456789012:db:my*", "arn:aws:rds:us-east-1:123456789012:db:mydb", true},
		{"arn:aws:rds:us-east-1:123456789012:db:my*", "arn:aws:rds:us-east-1:123456789012:db:other", false},
		{"arn:aws:rds:*:db:*db", "arn:aws:rds:us-east-1:123456789012:db:mydb", true},
		{"*prod*", "db-prod-1", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{"ab*ba", "aba", false}, // the prefix and suffix may not overlap
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"a/b?[c]", "a/b?[c]", true}, // nothing but * is special
	} {
		if got := matchGlob(c.pattern, c.s); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestSelects(t *testing.T) {
	s := func(v string) *string { return &v }
	prod := port.Resource{ARN: "arn:aws:rds:us-east-1:123456789012:db:prod", Tags: map[string]string{"env": "prod", "tier": "gold"}}
	dev := port.Resource{ARN: "arn:aws:rds:us-east-1:123456789012:db:dev", Tags: map[string]string{"env": "dev"}}
	cond := func(k, v string) backupapi.ConditionParameter {
		return backupapi.ConditionParameter{ConditionKey: s("aws:ResourceTag/" + k), ConditionValue: s(v)}
	}
	for _, c := range []struct {
		name      string
		sel       backupapi.BackupSelection
		prod, dev bool
	}{
		{"every resource", backupapi.BackupSelection{Resources: []string{"*"}}, true, true},
		{"not dev", backupapi.BackupSelection{Resources: []string{"*"}, NotResources: []string{"*:db:dev"}}, true, false},
		{"tag", backupapi.BackupSelection{ListOfTags: []backupapi.Condition{{ConditionType: s("STRINGEQUALS"), ConditionKey: s("env"), ConditionValue: s("dev")}}}, false, true},
		{"equals", backupapi.BackupSelection{Resources: []string{"*"}, Conditions: &backupapi.Conditions{StringEquals: []backupapi.ConditionParameter{cond("env", "prod")}}}, true, false},
		{"not equals", backupapi.BackupSelection{Resources: []string{"*"}, Conditions: &backupapi.Conditions{StringNotEquals: []backupapi.ConditionParameter{cond("env", "prod")}}}, false, true},
		{"like", backupapi.BackupSelection{Resources: []string{"*"}, Conditions: &backupapi.Conditions{StringLike: []backupapi.ConditionParameter{cond("tier", "g*")}}}, true, false},
		{"not like", backupapi.BackupSelection{Resources: []string{"*"}, Conditions: &backupapi.Conditions{StringNotLike: []backupapi.ConditionParameter{cond("env", "p*")}}}, false, true},
		{"conditions all hold", backupapi.BackupSelection{Resources: []string{"*"}, Conditions: &backupapi.Conditions{
			StringEquals: []backupapi.ConditionParameter{cond("env", "prod")}, StringLike: []backupapi.ConditionParameter{cond("tier", "silver")},
		}}, false, false},
	} {
		sel := &selectionRec{Selection: c.sel}
		if got := selects(sel, prod); got != c.prod {
			t.Errorf("%s: prod selected = %v, want %v", c.name, got, c.prod)
		}
		if got := selects(sel, dev); got != c.dev {
			t.Errorf("%s: dev selected = %v, want %v", c.name, got, c.dev)
		}
	}
}

func TestNextOccurrenceAcrossRulesAndZones(t *testing.T) {
	s := func(v string) *string { return &v }
	rules := []backupapi.BackupRule{
		{ScheduleExpression: s("cron(0 5 ? * * *)"), ScheduleExpressionTimezone: s("Etc/UTC")},
		{ScheduleExpression: s("cron(0 1 ? * * *)"), ScheduleExpressionTimezone: s("America/New_York")}, // 06:00 UTC in winter
	}
	from := time.Date(2026, 11, 22, 5, 30, 0, 0, time.UTC)
	if got, want := nextOccurrence(rules, from), time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next = %v, want %v", got, want)
	}
	if !firesAt(rules[0], time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)) || firesAt(rules[0], time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)) {
		t.Error("firesAt of the 05:00 UTC rule")
	}
}
