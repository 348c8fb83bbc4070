package backup_test

import (
	"strings"
	"testing"
	"time"

	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func createRTPlan(t *testing.T, s *solo, name string, points *bk.RestoreTestingRecoveryPointSelection) *bk.CreateRestoreTestingPlanOutput {
	t.Helper()
	return kittest.Must[*bk.CreateRestoreTestingPlanOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpCreateRestoreTestingPlan, &bk.CreateRestoreTestingPlanInput{
		RestoreTestingPlan: &bk.RestoreTestingPlanForCreate{
			RestoreTestingPlanName: new(name), ScheduleExpression: new("cron(0 1 ? * * *)"), RecoveryPointSelection: points,
		},
	}))
}

func latestIn(vaults ...string) *bk.RestoreTestingRecoveryPointSelection {
	return &bk.RestoreTestingRecoveryPointSelection{Algorithm: new("LATEST_WITHIN_WINDOW"), IncludeVaults: vaults, RecoveryPointTypes: []string{"SNAPSHOT"}}
}

func testJobs(t *testing.T, s *solo, planARN string) []bk.RestoreJobsListMember {
	t.Helper()
	return kittest.Must[*bk.ListRestoreJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListRestoreJobs, &bk.ListRestoreJobsInput{ByRestoreTestingPlanArn: new(planARN)})).RestoreJobs
}

// TestRestoreTestingRunsOnTheClock: a plan's schedule starts a restore job per selected
// resource from its latest recovery point in the plan's vaults; the restored resource is
// kept for the validation window, or until a validation result, then deleted.
func TestRestoreTestingRunsOnTheClock(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	prodARN, _ := s.vault("us-east-1", "prod", false)
	s.vault("us-east-1", "other", false)
	tagged := rds.add(kittest.Account, "us-east-1", "tagged", map[string]string{"restore-test": "yes"})
	plain := rds.add(kittest.Account, "us-east-1", "plain", nil)
	s.backUp("us-east-1", "prod", tagged)
	s.h.Advance(time.Hour)
	latest := *s.backUp("us-east-1", "prod", tagged).RecoveryPointArn
	s.backUp("us-east-1", "other", tagged) // a vault the plan leaves out, and the most recent
	s.backUp("us-east-1", "prod", plain)

	plan := createRTPlan(t, s, "nightly", latestIn(prodARN))
	kittest.Must[*bk.CreateRestoreTestingSelectionOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpCreateRestoreTestingSelection, &bk.CreateRestoreTestingSelectionInput{
		RestoreTestingPlanName: new("nightly"), RestoreTestingSelection: &bk.RestoreTestingSelectionForCreate{
			RestoreTestingSelectionName: new("tagged_dbs"), ProtectedResourceType: new("RDS"), IamRoleArn: new(role),
			ProtectedResourceConditions: &bk.ProtectedResourceConditions{StringEquals: []bk.KeyValue{{Key: new("aws:ResourceTag/restore-test"), Value: new("yes")}}},
			ValidationWindowHours:       new(int64(4)),
		},
	}))
	_, err := kittest.Call(s.h, "us-east-1", bk.OpDeleteRestoreTestingPlan, &bk.DeleteRestoreTestingPlanInput{RestoreTestingPlanName: new("nightly")})
	wantMessage(t, err, bk.ErrInvalidRequest, "has selections")
	if n := len(testJobs(t, s, *plan.RestoreTestingPlanArn)); n != 0 {
		t.Fatalf("%d test jobs before the schedule", n)
	}

	now := s.h.Clock.Now().UTC()
	s.h.Advance(time.Date(now.Year(), now.Month(), now.Day()+1, 1, 0, 0, 0, time.UTC).Sub(now)) // to the next 01:00
	jobs := testJobs(t, s, *plan.RestoreTestingPlanArn)
	if len(jobs) != 1 {
		t.Fatalf("one run started %d restore jobs, want 1 (the tagged instance)", len(jobs))
	}
	j := jobs[0]
	if *j.RecoveryPointArn != latest || *j.Status != bk.RestoreJobStatusCompleted || *j.CreatedBy.RestoreTestingPlanArn != *plan.RestoreTestingPlanArn ||
		!strings.Contains(*j.CreatedResourceArn, ":db:awsbackup-restore-test-") || j.DeletionStatus != nil {
		t.Fatalf("test job %+v", j)
	}
	got := kittest.Must[*bk.GetRestoreTestingPlanOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpGetRestoreTestingPlan, &bk.GetRestoreTestingPlanInput{RestoreTestingPlanName: new("nightly")}))
	if got.RestoreTestingPlan.LastExecutionTime == nil || *got.RestoreTestingPlan.StartWindowHours != 24 || *got.RestoreTestingPlan.RecoveryPointSelection.SelectionWindowDays != 30 {
		t.Errorf("plan after a run %+v", got.RestoreTestingPlan)
	}

	// The validation window passes without a result: TIMED_OUT, and the instance deleted.
	s.h.Advance(4 * time.Hour)
	d := kittest.Must[*bk.DescribeRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRestoreJob, &bk.DescribeRestoreJobInput{RestoreJobId: j.RestoreJobId}))
	if deref(d.ValidationStatus) != "TIMED_OUT" || deref(d.DeletionStatus) != "SUCCESSFUL" || len(rds.cleaned) != 1 || rds.cleaned[0] != *j.CreatedResourceArn {
		t.Fatalf("after the window: validation %s, deletion %s, cleaned %v", deref(d.ValidationStatus), deref(d.DeletionStatus), rds.cleaned)
	}

	// The next night: a validation result ends the window at once.
	s.h.Advance(20 * time.Hour)
	jobs = testJobs(t, s, *plan.RestoreTestingPlanArn)
	if len(jobs) != 2 {
		t.Fatalf("two runs made %d jobs", len(jobs))
	}
	second := jobs[0].RestoreJobId // restore jobs list newest first
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpPutRestoreValidationResult, &bk.PutRestoreValidationResultInput{
		RestoreJobId: second, ValidationStatus: new("SUCCESSFUL"), ValidationStatusMessage: new("row counts match"),
	}); err != nil {
		t.Fatal(err)
	}
	s.h.Advance(0)
	d = kittest.Must[*bk.DescribeRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRestoreJob, &bk.DescribeRestoreJobInput{RestoreJobId: second}))
	if deref(d.ValidationStatus) != "SUCCESSFUL" || deref(d.ValidationStatusMessage) != "row counts match" || deref(d.DeletionStatus) != "SUCCESSFUL" || len(rds.cleaned) != 2 {
		t.Errorf("after a result: %+v, cleaned %v", d, rds.cleaned)
	}
}

// TestRestoreTestingRefusals: names, schedules, windows, selections and validation
// results AWS refuses.
func TestRestoreTestingRefusals(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	call := func(name, schedule string, points *bk.RestoreTestingRecoveryPointSelection) error {
		_, err := kittest.Call(s.h, "us-east-1", bk.OpCreateRestoreTestingPlan, &bk.CreateRestoreTestingPlanInput{
			RestoreTestingPlan: &bk.RestoreTestingPlanForCreate{RestoreTestingPlanName: new(name), ScheduleExpression: new(schedule), RecoveryPointSelection: points},
		})
		return err
	}
	wantMessage(t, call("bad-name", "cron(0 1 ? * * *)", latestIn("*")), bk.ErrInvalidParameterValue, "bad-name")
	wantMessage(t, call("ok", "rate(1 day)", latestIn("*")), bk.ErrInvalidParameterValue, "cron()")
	wantMessage(t, call("ok", "cron(0 1 ? * * *)", &bk.RestoreTestingRecoveryPointSelection{Algorithm: new("LATEST_WITHIN_WINDOW"), IncludeVaults: []string{"*"}, RecoveryPointTypes: []string{"SNAPSHOT"}, SelectionWindowDays: new(int64(400))}), bk.ErrInvalidParameterValue, "SelectionWindowDays")
	createRTPlan(t, s, "ok", latestIn("*"))
	wantMessage(t, call("ok", "cron(0 1 ? * * *)", latestIn("*")), bk.ErrAlreadyExists, "ok")

	sel := func(edit func(*bk.RestoreTestingSelectionForCreate)) error {
		in := &bk.RestoreTestingSelectionForCreate{RestoreTestingSelectionName: new("s"), ProtectedResourceType: new("RDS"), IamRoleArn: new(role), ProtectedResourceArns: []string{"*"}}
		edit(in)
		_, err := kittest.Call(s.h, "us-east-1", bk.OpCreateRestoreTestingSelection, &bk.CreateRestoreTestingSelectionInput{RestoreTestingPlanName: new("ok"), RestoreTestingSelection: in})
		return err
	}
	wantMessage(t, sel(func(in *bk.RestoreTestingSelectionForCreate) { in.ProtectedResourceType = new("EFS") }), bk.ErrInvalidParameterValue, "EFS")
	wantMessage(t, sel(func(in *bk.RestoreTestingSelectionForCreate) { in.ProtectedResourceArns = nil }), bk.ErrInvalidParameterValue, "by ARN or by conditions")
	wantMessage(t, sel(func(in *bk.RestoreTestingSelectionForCreate) { in.ValidationWindowHours = new(int64(200)) }), bk.ErrInvalidParameterValue, "ValidationWindowHours")

	// A restore a user started is no test.
	rp := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db", nil)).RecoveryPointArn
	rj := kittest.Must[*bk.StartRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpStartRestoreJob, &bk.StartRestoreJobInput{
		RecoveryPointArn: rp, IamRoleArn: new(role), Metadata: map[string]string{"DBInstanceIdentifier": "back"},
	}))
	_, err := kittest.Call(s.h, "us-east-1", bk.OpPutRestoreValidationResult, &bk.PutRestoreValidationResultInput{RestoreJobId: rj.RestoreJobId, ValidationStatus: new("SUCCESSFUL")})
	wantMessage(t, err, bk.ErrInvalidRequest, "not started by a restore testing plan")
}
