package backup_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

// TestListsInCreationOrder: plans, backup jobs and copy jobs list in the order they were
// created, page after page, with AWS's filters.
func TestListsInCreationOrder(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	var wantPlans, wantJobs []string
	for i := range 5 {
		name := "plan" + strconv.Itoa(i)
		rule := bk.BackupRuleInput{RuleName: new("r"), TargetBackupVaultName: new("prod"), ScheduleExpression: new("cron(0 5 ? * * *)")}
		kittest.Must[*bk.CreateBackupPlanOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpCreateBackupPlan, &bk.CreateBackupPlanInput{
			BackupPlan: &bk.BackupPlanInput{BackupPlanName: new(name), Rules: []bk.BackupRuleInput{rule}},
		}))
		wantPlans = append(wantPlans, name)
		j := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db"+strconv.Itoa(i), nil))
		wantJobs = append(wantJobs, *j.BackupJobId)
		s.h.Advance(time.Minute)
	}
	var gotPlans []string
	for token := (*string)(nil); ; {
		out := kittest.Must[*bk.ListBackupPlansOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupPlans, &bk.ListBackupPlansInput{MaxResults: new(int64(2)), NextToken: token}))
		for _, p := range out.BackupPlansList {
			gotPlans = append(gotPlans, *p.BackupPlanName)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(gotPlans, wantPlans) {
		t.Errorf("plans listed %v, want %v", gotPlans, wantPlans)
	}
	jobs := kittest.Must[*bk.ListBackupJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupJobs, &bk.ListBackupJobsInput{ByResourceType: new("RDS"), ByState: new("COMPLETED")}))
	var gotJobs []string
	for _, j := range jobs.BackupJobs {
		gotJobs = append(gotJobs, *j.BackupJobId)
	}
	if !slices.Equal(gotJobs, wantJobs) {
		t.Errorf("backup jobs listed %v, want %v", gotJobs, wantJobs)
	}
	if none := kittest.Must[*bk.ListBackupJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupJobs, &bk.ListBackupJobsInput{ByResourceType: new("EFS")})); len(none.BackupJobs) != 0 {
		t.Errorf("EFS jobs %v", none.BackupJobs)
	}
	rp := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "x", nil)).RecoveryPointArn
	var wantCopies []string
	for range 3 {
		wantCopies = append(wantCopies, *s.copy("us-east-1", "prod", *rp, west).CopyJobId)
		s.h.Advance(time.Minute)
	}
	copies := kittest.Must[*bk.ListCopyJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListCopyJobs, &bk.ListCopyJobsInput{ByDestinationVaultArn: new(west)}))
	var gotCopies []string
	for _, c := range copies.CopyJobs {
		gotCopies = append(gotCopies, *c.CopyJobId)
	}
	if !slices.Equal(gotCopies, wantCopies) {
		t.Errorf("copy jobs listed %v, want %v", gotCopies, wantCopies)
	}
}

// TestMessageCategories: a job that completed is of category SUCCESS, one that failed of
// none; ByMessageCategory takes SUCCESS's jobs, and every job for ANY and AGGREGATE_ALL.
func TestMessageCategories(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	ok := s.backUp("us-east-1", "prod", db)
	s.h.Advance(time.Minute) // the jobs list in creation order
	missing := "arn:aws:iam::" + kittest.Account + ":role/missing"
	failed := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.IamRoleArn = new(missing) })
	if deref(ok.MessageCategory) != "SUCCESS" || failed.MessageCategory != nil || *failed.State != bk.BackupJobStateFailed {
		t.Errorf("categories: completed %v, failed (%s) %v", deref(ok.MessageCategory), *failed.State, deref(failed.MessageCategory))
	}
	listed := func(category string) []string {
		out := kittest.Must[*bk.ListBackupJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupJobs, &bk.ListBackupJobsInput{ByMessageCategory: new(category)}))
		var ids []string
		for _, j := range out.BackupJobs {
			ids = append(ids, *j.BackupJobId)
		}
		return ids
	}
	both := []string{*ok.BackupJobId, *failed.BackupJobId}
	if got := listed("SUCCESS"); !slices.Equal(got, both[:1]) {
		t.Errorf("SUCCESS lists %v", got)
	}
	for _, every := range []string{"ANY", "AGGREGATE_ALL"} {
		if got := listed(every); !slices.Equal(got, both) {
			t.Errorf("%s lists %v, want %v", every, got, both)
		}
	}
	if got := listed("ACCESS_DENIED"); len(got) != 0 {
		t.Errorf("ACCESS_DENIED lists %v", got)
	}
	c := s.copy("us-east-1", "prod", *ok.RecoveryPointArn, west)
	copies := kittest.Must[*bk.ListCopyJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListCopyJobs, &bk.ListCopyJobsInput{ByMessageCategory: new("SUCCESS")}))
	if deref(c.MessageCategory) != "SUCCESS" || len(copies.CopyJobs) != 1 || *copies.CopyJobs[0].CopyJobId != *c.CopyJobId {
		t.Errorf("copy category %v; SUCCESS lists %d copies", deref(c.MessageCategory), len(copies.CopyJobs))
	}
}

// TestNoJobIsAParent: AWS makes parent (composite) jobs only of composite resources,
// which xregion does not serve: every backup, copy and restore job says it is no parent,
// and ByParentJobId lists nothing.
func TestNoJobIsAParent(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	j := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db", nil))
	if j.IsParent == nil || *j.IsParent || j.ParentJobId != nil || j.NumberOfChildJobs == nil || *j.NumberOfChildJobs != 0 || j.ChildJobsInState != nil {
		t.Errorf("backup job: IsParent %v, parent %v, children %v %v", j.IsParent, j.ParentJobId, j.NumberOfChildJobs, j.ChildJobsInState)
	}
	c := s.copy("us-east-1", "prod", *j.RecoveryPointArn, west)
	if c.IsParent == nil || *c.IsParent || c.ParentJobId != nil {
		t.Errorf("copy job: IsParent %v, parent %v", c.IsParent, c.ParentJobId)
	}
	backups := kittest.Must[*bk.ListBackupJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupJobs, &bk.ListBackupJobsInput{ByParentJobId: j.BackupJobId}))
	copies := kittest.Must[*bk.ListCopyJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListCopyJobs, &bk.ListCopyJobsInput{ByParentJobId: c.CopyJobId}))
	if len(backups.BackupJobs) != 0 || len(copies.CopyJobs) != 0 {
		t.Errorf("children listed: %d backup jobs, %d copy jobs", len(backups.BackupJobs), len(copies.CopyJobs))
	}
	started := kittest.Must[*bk.StartRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpStartRestoreJob, &bk.StartRestoreJobInput{
		RecoveryPointArn: j.RecoveryPointArn, IamRoleArn: new(role), Metadata: map[string]string{"DBInstanceIdentifier": "restored"},
	}))
	r := kittest.Must[*bk.DescribeRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRestoreJob, &bk.DescribeRestoreJobInput{RestoreJobId: started.RestoreJobId}))
	if r.IsParent == nil || *r.IsParent {
		t.Errorf("restore job: IsParent %v", r.IsParent)
	}
}
