package backup_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

// TestListsInCreationOrder: plans list oldest first and backup and copy jobs newest
// first (see doc.go's List order), page after page, with AWS's filters.
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
	slices.Reverse(wantJobs)
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
	slices.Reverse(wantCopies)
	if !slices.Equal(gotCopies, wantCopies) {
		t.Errorf("copy jobs listed %v, want %v", gotCopies, wantCopies)
	}
}

// TestMessageCategories: a job that completed is of category SUCCESS, one whose role
// AWS Backup cannot assume ACCESS_DENIED, one whose vault lock refuses its lifecycle INVALID_PARAMETERS, a
// stopped one ABORTED and one that never started EXPIRED; ByMessageCategory takes each
// category's jobs, and every job for ANY and AGGREGATE_ALL.
func TestMessageCategories(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	ok := s.backUp("us-east-1", "prod", db)
	s.h.Advance(time.Minute) // the jobs list in creation order
	missing := "arn:aws:iam::" + kittest.Account + ":role/missing"
	denied := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.IamRoleArn = new(missing) })
	s.h.Advance(time.Minute)
	s.vault("us-east-1", "locked", false)
	kittest.Must[*awsmodel.Empty](t)(kittest.Call(s.h, "us-east-1", bk.OpPutBackupVaultLockConfiguration, &bk.PutBackupVaultLockConfigurationInput{
		BackupVaultName: new("locked"), MaxRetentionDays: new(int64(10)),
	}))
	locked := s.backUp("us-east-1", "locked", db, func(in *bk.StartBackupJobInput) { in.Lifecycle = &bk.Lifecycle{DeleteAfterDays: new(int64(100))} })
	s.h.Advance(time.Minute)
	rds.setBusy(db, "modifying")
	stopped := s.backUp("us-east-1", "prod", db)
	kittest.Must[*awsmodel.Empty](t)(kittest.Call(s.h, "us-east-1", bk.OpStopBackupJob, &bk.StopBackupJobInput{BackupJobId: stopped.BackupJobId}))
	s.h.Advance(time.Minute)
	expired := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.StartWindowMinutes = new(int64(60)) })
	s.h.Advance(2 * time.Hour)
	want := map[string]string{
		*ok.BackupJobId: "SUCCESS", *denied.BackupJobId: "ACCESS_DENIED", *locked.BackupJobId: "INVALID_PARAMETERS",
		*stopped.BackupJobId: "ABORTED", *expired.BackupJobId: "EXPIRED",
	}
	for id, category := range want {
		if j := s.backupJob("us-east-1", id); deref(j.MessageCategory) != category {
			t.Errorf("job %s (%s, %q): category %q, want %s", id, *j.State, deref(j.StatusMessage), deref(j.MessageCategory), category)
		}
	}
	listed := func(category string) []string {
		out := kittest.Must[*bk.ListBackupJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupJobs, &bk.ListBackupJobsInput{ByMessageCategory: new(category)}))
		var ids []string
		for _, j := range out.BackupJobs {
			ids = append(ids, *j.BackupJobId)
		}
		return ids
	}
	for id, category := range want {
		if got := listed(category); !slices.Equal(got, []string{id}) {
			t.Errorf("%s lists %v, want [%s]", category, got, id)
		}
	}
	every := []string{*expired.BackupJobId, *stopped.BackupJobId, *locked.BackupJobId, *denied.BackupJobId, *ok.BackupJobId}
	for _, filter := range []string{"ANY", "AGGREGATE_ALL"} {
		if got := listed(filter); !slices.Equal(got, every) {
			t.Errorf("%s lists %v, want %v", filter, got, every)
		}
	}
	c := s.copy("us-east-1", "prod", *ok.RecoveryPointArn, west)
	s.h.Advance(time.Minute)
	deniedCopy := kittest.Must[*bk.StartCopyJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpStartCopyJob, &bk.StartCopyJobInput{
		RecoveryPointArn: ok.RecoveryPointArn, SourceBackupVaultName: new("prod"), DestinationBackupVaultArn: new(west), IamRoleArn: new(missing),
	}))
	s.h.Advance(0)
	copies := func(category string) []string {
		out := kittest.Must[*bk.ListCopyJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListCopyJobs, &bk.ListCopyJobsInput{ByMessageCategory: new(category)}))
		var ids []string
		for _, j := range out.CopyJobs {
			ids = append(ids, *j.CopyJobId)
		}
		return ids
	}
	if got := copies("SUCCESS"); deref(c.MessageCategory) != "SUCCESS" || !slices.Equal(got, []string{*c.CopyJobId}) {
		t.Errorf("copy category %v; SUCCESS lists %v", deref(c.MessageCategory), got)
	}
	if got := copies("ACCESS_DENIED"); !slices.Equal(got, []string{*deniedCopy.CopyJobId}) {
		t.Errorf("ACCESS_DENIED lists copies %v, want %s", got, *deniedCopy.CopyJobId)
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

// TestVaultsAndRecoveryPointsInAWSOrder: vaults made out of name order list oldest
// first, and a vault's or a resource's recovery points newest first, two to a page; a
// NextToken keeps its place when new vaults and recovery points come between two pages.
func TestVaultsAndRecoveryPointsInAWSOrder(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	for _, name := range []string{"zulu", "alpha", "mike"} {
		s.vault("us-east-1", name, false)
		s.h.Advance(time.Minute)
	}
	vaultPage := func(token *string) ([]string, *string) {
		out := kittest.Must[*bk.ListBackupVaultsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupVaults, &bk.ListBackupVaultsInput{MaxResults: new(int64(2)), NextToken: token}))
		var names []string
		for _, v := range out.BackupVaultList {
			names = append(names, *v.BackupVaultName)
		}
		return names, out.NextToken
	}
	first, token := vaultPage(nil)
	s.vault("us-east-1", "bravo", false) // created between two pages: it belongs at the end
	rest, _ := vaultPage(token)
	if got := append(first, rest...); !slices.Equal(got, []string{"zulu", "alpha", "mike", "bravo"}) {
		t.Errorf("vaults listed %v, want zulu alpha mike bravo", got)
	}
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	var made []string
	for range 3 {
		made = append(made, *s.backUp("us-east-1", "alpha", db).RecoveryPointArn)
		s.h.Advance(time.Minute)
	}
	byVault := func(token *string) ([]string, *string) {
		out := kittest.Must[*bk.ListRecoveryPointsByBackupVaultOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListRecoveryPointsByBackupVault,
			&bk.ListRecoveryPointsByBackupVaultInput{BackupVaultName: new("alpha"), MaxResults: new(int64(2)), NextToken: token}))
		var arns []string
		for _, r := range out.RecoveryPoints {
			arns = append(arns, *r.RecoveryPointArn)
		}
		return arns, out.NextToken
	}
	byResource := func(token *string) ([]string, *string) {
		out := kittest.Must[*bk.ListRecoveryPointsByResourceOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListRecoveryPointsByResource,
			&bk.ListRecoveryPointsByResourceInput{ResourceArn: new(db), MaxResults: new(int64(2)), NextToken: token}))
		var arns []string
		for _, r := range out.RecoveryPoints {
			arns = append(arns, *r.RecoveryPointArn)
		}
		return arns, out.NextToken
	}
	for _, list := range []struct {
		name string
		page func(*string) ([]string, *string)
	}{{"by vault", byVault}, {"by resource", byResource}} {
		newestFirst := slices.Clone(made)
		slices.Reverse(newestFirst)
		first, token := list.page(nil)
		// A recovery point newer than every one listed comes before the next page.
		made = append(made, *s.backUp("us-east-1", "alpha", db).RecoveryPointArn)
		s.h.Advance(time.Minute)
		rest, next := list.page(token)
		if got := append(first, rest...); !slices.Equal(got, newestFirst) || next != nil {
			t.Errorf("recovery points %s listed %v (next %v), want %v", list.name, got, next, newestFirst)
		}
	}
}
