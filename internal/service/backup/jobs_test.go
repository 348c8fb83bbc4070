package backup_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// crossRegion is the seed's set-up: a DB instance and a vault in us-east-1, and a vault
// with its own key in us-west-2.
type crossRegion struct {
	*env
	db, westKey, westVaultARN, eastVaultARN string
}

func newCrossRegion(t *testing.T, opts ...servertest.Option) *crossRegion {
	e := start(t, opts...)
	c := &crossRegion{env: e}
	c.db = e.createDB(t, "us-east-1", "mydb", map[string]string{"backup": "daily"})
	c.eastVaultARN = aws.ToString(createVault(t, e.east, "prod").BackupVaultArn)
	c.westKey = e.key(t, "us-west-2")
	c.westVaultARN = aws.ToString(xtest.Must[*backup.CreateBackupVaultOutput](t)(e.west.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{
		BackupVaultName: aws.String("dr"), EncryptionKeyArn: aws.String(c.westKey),
	})).BackupVaultArn)
	return c
}

// backUp runs an on-demand backup of the instance to completion and returns its
// recovery point ARN.
func (c *crossRegion) backUp(t *testing.T, lc *types.Lifecycle) string {
	t.Helper()
	out := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role), Lifecycle: lc,
	}))
	c.inst.WaitIdle()
	j := backupJob(t, c.east, out.BackupJobId)
	if j.State != types.BackupJobStateCompleted {
		t.Fatalf("backup job %s: %s (%s)", aws.ToString(out.BackupJobId), j.State, aws.ToString(j.StatusMessage))
	}
	return aws.ToString(out.RecoveryPointArn)
}

func TestOnDemandBackupAndCrossRegionCopy(t *testing.T) {
	c := newCrossRegion(t, servertest.WithTransitionDelay(time.Minute))
	started := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role),
		IdempotencyToken: aws.String("once"),
	}))
	rpARN := aws.ToString(started.RecoveryPointArn)
	wantRP := "arn:aws:rds:us-east-1:" + account + ":snapshot:awsbackup:job-" + strings.ToLower(aws.ToString(started.BackupJobId))
	if rpARN != wantRP {
		t.Errorf("recovery point %s, want %s", rpARN, wantRP)
	}
	again := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role),
		IdempotencyToken: aws.String("once"),
	}))
	if aws.ToString(again.BackupJobId) != aws.ToString(started.BackupJobId) {
		t.Error("a retried StartBackupJob started a second job")
	}

	// The job moves on the engine's clock: CREATED, RUNNING, COMPLETED.
	for _, want := range []types.BackupJobState{types.BackupJobStateCreated, types.BackupJobStateRunning, types.BackupJobStateCompleted} {
		j := backupJob(t, c.east, started.BackupJobId)
		if j.State != want {
			t.Fatalf("backup job is %s, want %s", j.State, want)
		}
		c.advance(time.Minute)
	}
	j := backupJob(t, c.east, started.BackupJobId)
	if aws.ToString(j.ResourceArn) != c.db || aws.ToString(j.ResourceType) != "RDS" || aws.ToString(j.ResourceName) != "mydb" ||
		aws.ToString(j.BackupVaultArn) != c.eastVaultARN || j.CompletionDate == nil || aws.ToInt64(j.BackupSizeInBytes) != 20<<30 {
		t.Errorf("completed job %+v", j)
	}

	// The recovery point is an RDS snapshot of type awsbackup, encrypted like the instance.
	rp := xtest.Must[*backup.DescribeRecoveryPointOutput](t)(c.east.DescribeRecoveryPoint(ctx, &backup.DescribeRecoveryPointInput{
		BackupVaultName: aws.String("prod"), RecoveryPointArn: aws.String(rpARN),
	}))
	inst := xtest.Must[*rds.DescribeDBInstancesOutput](t)(c.rds("us-east-1").DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mydb")})).DBInstances[0]
	if rp.Status != types.RecoveryPointStatusCompleted || aws.ToString(rp.EncryptionKeyArn) != aws.ToString(inst.KmsKeyId) ||
		rp.StorageClass != types.StorageClassWarm || aws.ToString(rp.ResourceArn) != c.db {
		t.Errorf("recovery point %+v", rp)
	}
	snaps := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(c.rds("us-east-1").DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("awsbackup")}))
	if len(snaps.DBSnapshots) != 1 || aws.ToString(snaps.DBSnapshots[0].DBSnapshotArn) != rpARN {
		t.Errorf("awsbackup snapshots %+v", snaps.DBSnapshots)
	}
	_, err := c.rds("us-east-1").DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: snaps.DBSnapshots[0].DBSnapshotIdentifier})
	xtest.WantErrorContaining(t, err, "InvalidDBSnapshotState", 400, "")
	_, err = c.east.DeleteBackupVault(ctx, &backup.DeleteBackupVaultInput{BackupVaultName: aws.String("prod")})
	xtest.WantErrorContaining(t, err, "InvalidRequestException", 400, "contains recovery points")

	// Copy to us-west-2: re-encrypted with the destination vault's key, keeping the
	// source's creation date.
	copied := xtest.Must[*backup.StartCopyJobOutput](t)(c.east.StartCopyJob(ctx, &backup.StartCopyJobInput{
		RecoveryPointArn: aws.String(rpARN), SourceBackupVaultName: aws.String("prod"),
		DestinationBackupVaultArn: aws.String(c.westVaultARN), IamRoleArn: aws.String(role),
		Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(35)},
	}))
	if cj := copyJob(t, c.east, copied.CopyJobId); cj.State != types.CopyJobStateCreated {
		t.Fatalf("copy job is %s, want CREATED", cj.State)
	}
	c.advance(time.Minute)
	if cj := copyJob(t, c.east, copied.CopyJobId); cj.State != types.CopyJobStateRunning {
		t.Fatalf("copy job is %s, want RUNNING", cj.State)
	}
	c.advance(time.Minute)
	cj := copyJob(t, c.east, copied.CopyJobId)
	if cj.State != types.CopyJobStateCompleted || !strings.HasPrefix(aws.ToString(cj.DestinationRecoveryPointArn), "arn:aws:rds:us-west-2:"+account+":snapshot:awsbackup:copyjob-") ||
		aws.ToString(cj.SourceBackupVaultArn) != c.eastVaultARN || aws.ToString(cj.DestinationBackupVaultArn) != c.westVaultARN {
		t.Fatalf("copy job %+v", cj)
	}
	if cj.CreatedByBackupJobId != nil {
		t.Errorf("a copy StartCopyJob started names backup job %s", aws.ToString(cj.CreatedByBackupJobId))
	}
	west := recoveryPoints(t, c.west, "dr")
	if len(west) != 1 {
		t.Fatalf("us-west-2 vault holds %d recovery points", len(west))
	}
	w := west[0]
	if aws.ToString(w.RecoveryPointArn) != aws.ToString(cj.DestinationRecoveryPointArn) || aws.ToString(w.EncryptionKeyArn) != c.westKey ||
		aws.ToString(w.SourceBackupVaultArn) != c.eastVaultARN || !aws.ToTime(w.CreationDate).Equal(aws.ToTime(rp.CreationDate)) {
		t.Errorf("copy %+v", w)
	}
	wantExpiry := aws.ToTime(rp.CreationDate).Add(35 * 24 * time.Hour)
	if w.CalculatedLifecycle == nil || !aws.ToTime(w.CalculatedLifecycle.DeleteAt).Equal(wantExpiry) {
		t.Errorf("copy lifecycle %+v, want deletion at %v", w.CalculatedLifecycle, wantExpiry)
	}
	westSnaps := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(c.rds("us-west-2").DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("awsbackup")}))
	if len(westSnaps.DBSnapshots) != 1 || aws.ToString(westSnaps.DBSnapshots[0].KmsKeyId) != c.westKey || aws.ToString(westSnaps.DBSnapshots[0].SourceRegion) != "us-east-1" {
		t.Errorf("us-west-2 snapshots %+v", westSnaps.DBSnapshots)
	}
	jobsList := xtest.Must[*backup.ListCopyJobsOutput](t)(c.east.ListCopyJobs(ctx, &backup.ListCopyJobsInput{ByDestinationVaultArn: aws.String(c.westVaultARN)}))
	if len(jobsList.CopyJobs) != 1 {
		t.Errorf("ListCopyJobs = %+v", jobsList.CopyJobs)
	}

	// The lifecycle expires the copy, and its snapshot, 35 days after the source was made.
	c.advance(34 * 24 * time.Hour)
	if n := len(recoveryPoints(t, c.west, "dr")); n != 1 {
		t.Fatalf("%d recovery points after 34 days, want 1", n)
	}
	c.advance(24 * time.Hour)
	if n := len(recoveryPoints(t, c.west, "dr")); n != 0 {
		t.Errorf("%d recovery points after 35 days, want 0", n)
	}
	westSnaps = xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(c.rds("us-west-2").DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("awsbackup")}))
	if len(westSnaps.DBSnapshots) != 0 {
		t.Errorf("the expired copy's snapshot is still there: %+v", westSnaps.DBSnapshots)
	}
	if n := len(recoveryPoints(t, c.east, "prod")); n != 1 {
		t.Errorf("the source recovery point (no lifecycle) is gone too")
	}
}

func TestRestoreFromCopy(t *testing.T) {
	c := newCrossRegion(t)
	rpARN := c.backUp(t, nil)
	copied := xtest.Must[*backup.StartCopyJobOutput](t)(c.east.StartCopyJob(ctx, &backup.StartCopyJobInput{
		RecoveryPointArn: aws.String(rpARN), SourceBackupVaultName: aws.String("prod"),
		DestinationBackupVaultArn: aws.String(c.westVaultARN), IamRoleArn: aws.String(role),
	}))
	c.inst.WaitIdle()
	westRP := copyJob(t, c.east, copied.CopyJobId).DestinationRecoveryPointArn

	meta := xtest.Must[*backup.GetRecoveryPointRestoreMetadataOutput](t)(c.west.GetRecoveryPointRestoreMetadata(ctx, &backup.GetRecoveryPointRestoreMetadataInput{
		BackupVaultName: aws.String("dr"), RecoveryPointArn: westRP,
	}))
	if meta.RestoreMetadata["DBInstanceIdentifier"] != "mydb" || meta.RestoreMetadata["Engine"] != "postgres" {
		t.Errorf("restore metadata %v", meta.RestoreMetadata)
	}
	restore := xtest.Must[*backup.StartRestoreJobOutput](t)(c.west.StartRestoreJob(ctx, &backup.StartRestoreJobInput{
		RecoveryPointArn: westRP, IamRoleArn: aws.String(role), Metadata: map[string]string{"DBInstanceIdentifier": "mydb-restored"},
	}))
	c.inst.WaitIdle()
	r := xtest.Must[*backup.DescribeRestoreJobOutput](t)(c.west.DescribeRestoreJob(ctx, &backup.DescribeRestoreJobInput{RestoreJobId: restore.RestoreJobId}))
	want := "arn:aws:rds:us-west-2:" + account + ":db:mydb-restored"
	if r.Status != types.RestoreJobStatusCompleted || aws.ToString(r.CreatedResourceArn) != want {
		t.Fatalf("restore job %+v", r)
	}
	db := xtest.Must[*rds.DescribeDBInstancesOutput](t)(c.rds("us-west-2").DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mydb-restored")})).DBInstances[0]
	if aws.ToString(db.KmsKeyId) != c.westKey || aws.ToString(db.Engine) != "postgres" || aws.ToString(db.DBInstanceStatus) != "available" {
		t.Errorf("restored instance %+v", db)
	}
	rp := xtest.Must[*backup.DescribeRecoveryPointOutput](t)(c.west.DescribeRecoveryPoint(ctx, &backup.DescribeRecoveryPointInput{BackupVaultName: aws.String("dr"), RecoveryPointArn: westRP}))
	if rp.LastRestoreTime == nil {
		t.Error("LastRestoreTime not recorded")
	}

	// The same name again: the restore job fails with RDS's reason.
	again := xtest.Must[*backup.StartRestoreJobOutput](t)(c.west.StartRestoreJob(ctx, &backup.StartRestoreJobInput{
		RecoveryPointArn: westRP, IamRoleArn: aws.String(role), Metadata: map[string]string{"DBInstanceIdentifier": "mydb-restored"},
	}))
	c.inst.WaitIdle()
	r = xtest.Must[*backup.DescribeRestoreJobOutput](t)(c.west.DescribeRestoreJob(ctx, &backup.DescribeRestoreJobInput{RestoreJobId: again.RestoreJobId}))
	if r.Status != types.RestoreJobStatusFailed || !strings.Contains(aws.ToString(r.StatusMessage), "already exists") {
		t.Errorf("second restore %+v", r)
	}
	_, err := c.west.StartRestoreJob(ctx, &backup.StartRestoreJobInput{RecoveryPointArn: westRP, IamRoleArn: aws.String(role), Metadata: map[string]string{}})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "DBInstanceIdentifier")
	_, err = c.east.StartRestoreJob(ctx, &backup.StartRestoreJobInput{RecoveryPointArn: westRP, IamRoleArn: aws.String(role), Metadata: map[string]string{"DBInstanceIdentifier": "x"}})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "")
}

func TestCopyWaitsForUnreachableRegionThenFails(t *testing.T) {
	c := newCrossRegion(t)
	rpARN := c.backUp(t, nil)
	c.inst.SetUnreachable("us-west-2", true)
	copied := xtest.Must[*backup.StartCopyJobOutput](t)(c.east.StartCopyJob(ctx, &backup.StartCopyJobInput{
		RecoveryPointArn: aws.String(rpARN), SourceBackupVaultName: aws.String("prod"),
		DestinationBackupVaultArn: aws.String(c.westVaultARN), IamRoleArn: aws.String(role),
	}))
	c.advance(90 * time.Minute)
	if cj := copyJob(t, c.east, copied.CopyJobId); cj.State != types.CopyJobStateCreated {
		t.Fatalf("copy job to an unreachable Region is %s after 90 minutes, want CREATED", cj.State)
	}
	c.advance(time.Hour)
	cj := copyJob(t, c.east, copied.CopyJobId)
	if cj.State != types.CopyJobStateFailed || !strings.Contains(aws.ToString(cj.StatusMessage), "us-west-2") {
		t.Fatalf("copy job after two hours: %s (%s)", cj.State, aws.ToString(cj.StatusMessage))
	}

	// Once the Region is back, a new copy goes through.
	c.inst.SetUnreachable("us-west-2", false)
	again := xtest.Must[*backup.StartCopyJobOutput](t)(c.east.StartCopyJob(ctx, &backup.StartCopyJobInput{
		RecoveryPointArn: aws.String(rpARN), SourceBackupVaultName: aws.String("prod"),
		DestinationBackupVaultArn: aws.String(c.westVaultARN), IamRoleArn: aws.String(role),
	}))
	c.inst.WaitIdle()
	if cj := copyJob(t, c.east, again.CopyJobId); cj.State != types.CopyJobStateCompleted {
		t.Errorf("copy after recovery: %s", cj.State)
	}
}

func TestScheduledPlanBacksUpAndCopies(t *testing.T) {
	c := newCrossRegion(t)
	other := c.createDB(t, "us-east-1", "otherdb", nil)
	rule := dailyRule("prod", c.westVaultARN)
	rule.RecoveryPointTags = map[string]string{"made-by": "daily"}
	plan := createPlan(t, c.east, "daily", rule)
	xtest.Must[*backup.CreateBackupSelectionOutput](t)(c.east.CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{
		BackupPlanId: plan.BackupPlanId, BackupSelection: &types.BackupSelection{
			SelectionName: aws.String("tagged"), IamRoleArn: aws.String(role),
			ListOfTags: []types.Condition{{ConditionType: types.ConditionTypeStringequals, ConditionKey: aws.String("backup"), ConditionValue: aws.String("daily")}},
		},
	}))
	// By ARN too: the instance both select is backed up once.
	xtest.Must[*backup.CreateBackupSelectionOutput](t)(c.east.CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{
		BackupPlanId: plan.BackupPlanId, BackupSelection: &types.BackupSelection{
			SelectionName: aws.String("by-arn"), IamRoleArn: aws.String(role), Resources: []string{"arn:aws:rds:us-east-1:" + account + ":db:my*"},
		},
	}))

	// cron(0 5 ? * * *): advancing a day passes exactly one 05:00 UTC.
	c.advance(24 * time.Hour)
	jobs := xtest.Must[*backup.ListBackupJobsOutput](t)(c.east.ListBackupJobs(ctx, &backup.ListBackupJobsInput{}))
	if len(jobs.BackupJobs) != 1 {
		t.Fatalf("%d backup jobs after a day, want 1 (of mydb): %+v", len(jobs.BackupJobs), jobs.BackupJobs)
	}
	j := jobs.BackupJobs[0]
	if j.State != types.BackupJobStateCompleted || aws.ToString(j.ResourceArn) != c.db || j.CreatedBy == nil ||
		aws.ToString(j.CreatedBy.BackupPlanId) != aws.ToString(plan.BackupPlanId) || aws.ToTime(j.CreationDate).UTC().Hour() != 5 {
		t.Errorf("scheduled job %+v (created by %+v)", j, j.CreatedBy)
	}
	// CreatedBy names the plan and the rule with its schedule, as AWS's does.
	if by := j.CreatedBy; by != nil && (aws.ToString(by.BackupPlanName) != "daily" || aws.ToString(by.BackupRuleName) != aws.ToString(rule.RuleName) ||
		aws.ToString(by.BackupRuleCron) != aws.ToString(rule.ScheduleExpression) || aws.ToString(by.BackupRuleTimezone) != aws.ToString(rule.ScheduleExpressionTimezone) ||
		aws.ToString(by.BackupPlanVersion) != aws.ToString(plan.VersionId)) {
		t.Errorf("CreatedBy = %+v", *by)
	}
	if aws.ToString(j.ResourceArn) == other {
		t.Error("a resource no selection picks was backed up")
	}
	copies := xtest.Must[*backup.ListCopyJobsOutput](t)(c.east.ListCopyJobs(ctx, &backup.ListCopyJobsInput{}))
	if len(copies.CopyJobs) != 1 || copies.CopyJobs[0].State != types.CopyJobStateCompleted || copies.CopyJobs[0].CreatedBy == nil {
		t.Fatalf("copy jobs %+v", copies.CopyJobs)
	}
	// The copy names the backup job whose copy action started it, in lists and on its own.
	if by := copies.CopyJobs[0].CreatedByBackupJobId; aws.ToString(by) != aws.ToString(j.BackupJobId) {
		t.Errorf("copy job CreatedByBackupJobId %v, want the backup job %s", aws.ToString(by), aws.ToString(j.BackupJobId))
	}
	if by := copyJob(t, c.east, copies.CopyJobs[0].CopyJobId).CreatedByBackupJobId; aws.ToString(by) != aws.ToString(j.BackupJobId) {
		t.Errorf("DescribeCopyJob CreatedByBackupJobId %v, want %s", aws.ToString(by), aws.ToString(j.BackupJobId))
	}
	west := recoveryPoints(t, c.west, "dr")
	if len(west) != 1 || aws.ToInt64(west[0].Lifecycle.DeleteAfterDays) != 180 || aws.ToString(west[0].CreatedBy.BackupPlanId) != aws.ToString(plan.BackupPlanId) {
		t.Errorf("us-west-2 copies %+v", west)
	}
	for region, rp := range map[string]*string{"us-east-1": j.RecoveryPointArn, "us-west-2": west[0].RecoveryPointArn} {
		client := map[string]*backup.Client{"us-east-1": c.east, "us-west-2": c.west}[region]
		if tags := xtest.Must[*backup.ListTagsOutput](t)(client.ListTags(ctx, &backup.ListTagsInput{ResourceArn: rp})).Tags; tags["made-by"] != "daily" {
			t.Errorf("%s recovery point tags %v, want the rule's RecoveryPointTags", region, tags)
		}
	}
	got := xtest.Must[*backup.GetBackupPlanOutput](t)(c.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: plan.BackupPlanId}))
	if got.LastExecutionDate == nil {
		t.Error("LastExecutionDate not set")
	}

	// Three more days: three more backups; the rule's 120-day lifecycle keeps them all.
	c.advance(3 * 24 * time.Hour)
	if n := len(recoveryPoints(t, c.east, "prod")); n != 4 {
		t.Errorf("%d recovery points after four days, want 4", n)
	}
	// A deleted plan runs no more.
	for _, sel := range xtest.Must[*backup.ListBackupSelectionsOutput](t)(c.east.ListBackupSelections(ctx, &backup.ListBackupSelectionsInput{BackupPlanId: plan.BackupPlanId})).BackupSelectionsList {
		xtest.Must[*backup.DeleteBackupSelectionOutput](t)(c.east.DeleteBackupSelection(ctx, &backup.DeleteBackupSelectionInput{BackupPlanId: plan.BackupPlanId, SelectionId: sel.SelectionId}))
	}
	xtest.Must[*backup.DeleteBackupPlanOutput](t)(c.east.DeleteBackupPlan(ctx, &backup.DeleteBackupPlanInput{BackupPlanId: plan.BackupPlanId}))
	c.advance(2 * 24 * time.Hour)
	if n := len(recoveryPoints(t, c.east, "prod")); n != 4 {
		t.Errorf("%d recovery points after the plan's deletion, want still 4", n)
	}
}

func TestBackupJobErrors(t *testing.T) {
	c := newCrossRegion(t)
	_, err := c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{BackupVaultName: aws.String("missing"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role)})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "missing")
	_, err = c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{BackupVaultName: aws.String("prod"), ResourceArn: aws.String("arn:aws:fsx:us-east-1:" + account + ":file-system/fs-0123456789abcdef0"), IamRoleArn: aws.String(role)})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "")
	_, err = c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String("role")})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "IAM role")
	_, err = c.east.DescribeBackupJob(ctx, &backup.DescribeBackupJobInput{BackupJobId: aws.String("NOPE")})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "NOPE")

	// A DB instance that does not exist fails the job, not the call.
	out := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String("arn:aws:rds:us-east-1:" + account + ":db:ghost"), IamRoleArn: aws.String(role),
	}))
	c.inst.WaitIdle()
	j := backupJob(t, c.east, out.BackupJobId)
	if j.State != types.BackupJobStateFailed || !strings.Contains(aws.ToString(j.StatusMessage), "ghost") {
		t.Errorf("backup of a missing instance: %s (%s)", j.State, aws.ToString(j.StatusMessage))
	}
	failed := xtest.Must[*backup.ListBackupJobsOutput](t)(c.east.ListBackupJobs(ctx, &backup.ListBackupJobsInput{ByState: types.BackupJobStateFailed}))
	if len(failed.BackupJobs) != 1 {
		t.Errorf("ListBackupJobs ByState FAILED = %d jobs", len(failed.BackupJobs))
	}
}

func TestRecoveryPointLifecycleAndDeletion(t *testing.T) {
	c := newCrossRegion(t)
	rpARN := c.backUp(t, &types.Lifecycle{DeleteAfterDays: aws.Int64(10)})
	// Recovery points carry tags of their own, by their (RDS snapshot) ARN.
	xtest.Must[*backup.TagResourceOutput](t)(c.east.TagResource(ctx, &backup.TagResourceInput{ResourceArn: aws.String(rpARN), Tags: map[string]string{"case": "INC-1"}}))
	if tags := xtest.Must[*backup.ListTagsOutput](t)(c.east.ListTags(ctx, &backup.ListTagsInput{ResourceArn: aws.String(rpARN)})).Tags; tags["case"] != "INC-1" {
		t.Errorf("recovery point tags %v", tags)
	}
	upd := xtest.Must[*backup.UpdateRecoveryPointLifecycleOutput](t)(c.east.UpdateRecoveryPointLifecycle(ctx, &backup.UpdateRecoveryPointLifecycleInput{
		BackupVaultName: aws.String("prod"), RecoveryPointArn: aws.String(rpARN), Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(20)},
	}))
	if upd.CalculatedLifecycle == nil || aws.ToInt64(upd.Lifecycle.DeleteAfterDays) != 20 {
		t.Fatalf("UpdateRecoveryPointLifecycle = %+v", upd)
	}
	_, err := c.east.UpdateRecoveryPointLifecycle(ctx, &backup.UpdateRecoveryPointLifecycleInput{
		BackupVaultName: aws.String("prod"), RecoveryPointArn: aws.String(rpARN),
		Lifecycle: &types.Lifecycle{MoveToColdStorageAfterDays: aws.Int64(30), DeleteAfterDays: aws.Int64(60)},
	})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "cannot be less than 90 days apart")
	c.advance(15 * 24 * time.Hour) // past the old expiry: the new one holds
	if n := len(recoveryPoints(t, c.east, "prod")); n != 1 {
		t.Fatalf("%d recovery points after 15 days, want 1", n)
	}
	byRes := xtest.Must[*backup.ListRecoveryPointsByResourceOutput](t)(c.east.ListRecoveryPointsByResource(ctx, &backup.ListRecoveryPointsByResourceInput{ResourceArn: aws.String(c.db)}))
	if len(byRes.RecoveryPoints) != 1 || aws.ToString(byRes.RecoveryPoints[0].BackupVaultName) != "prod" {
		t.Errorf("ListRecoveryPointsByResource = %+v", byRes.RecoveryPoints)
	}
	xtest.Must[*backup.DeleteRecoveryPointOutput](t)(c.east.DeleteRecoveryPoint(ctx, &backup.DeleteRecoveryPointInput{BackupVaultName: aws.String("prod"), RecoveryPointArn: aws.String(rpARN)}))
	_, err = c.east.DescribeRecoveryPoint(ctx, &backup.DescribeRecoveryPointInput{BackupVaultName: aws.String("prod"), RecoveryPointArn: aws.String(rpARN)})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "")
	// The vault is empty now, and can go.
	xtest.Must[*backup.DeleteBackupVaultOutput](t)(c.east.DeleteBackupVault(ctx, &backup.DeleteBackupVaultInput{BackupVaultName: aws.String("prod")}))
	c.advance(10 * 24 * time.Hour) // the armed expiry finds nothing
}

func TestCopyKeepsSourceExpiry(t *testing.T) {
	c := newCrossRegion(t)
	rpARN := c.backUp(t, &types.Lifecycle{DeleteAfterDays: aws.Int64(7)})
	_, err := c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role),
		Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(-1)},
	})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "DeleteAfterDays cannot be less than 1")
	// -1 on a copy keeps the source's expiry.
	xtest.Must[*backup.StartCopyJobOutput](t)(c.east.StartCopyJob(ctx, &backup.StartCopyJobInput{
		RecoveryPointArn: aws.String(rpARN), SourceBackupVaultName: aws.String("prod"),
		DestinationBackupVaultArn: aws.String(c.westVaultARN), IamRoleArn: aws.String(role),
		Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(-1)},
	}))
	c.inst.WaitIdle()
	west := recoveryPoints(t, c.west, "dr")
	if len(west) != 1 || aws.ToInt64(west[0].Lifecycle.DeleteAfterDays) != 7 {
		t.Fatalf("copy %+v, want the source's 7-day lifecycle", west)
	}
	c.advance(8 * 24 * time.Hour)
	if n := len(recoveryPoints(t, c.west, "dr")) + len(recoveryPoints(t, c.east, "prod")); n != 0 {
		t.Errorf("%d recovery points after the source's expiry, want 0", n)
	}
}

func TestProtectedResourcesAndStoppingJobs(t *testing.T) {
	c := newCrossRegion(t, servertest.WithTransitionDelay(time.Minute))
	types0 := xtest.Must[*backup.GetSupportedResourceTypesOutput](t)(c.east.GetSupportedResourceTypes(ctx, &backup.GetSupportedResourceTypesInput{}))
	if !slices.Equal(types0.ResourceTypes, []string{"DynamoDB", "EBS", "EFS", "RDS"}) {
		t.Errorf("GetSupportedResourceTypes = %v", types0.ResourceTypes)
	}
	_, err := c.east.DescribeProtectedResource(ctx, &backup.DescribeProtectedResourceInput{ResourceArn: aws.String(c.db)})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "")

	// A job stopped before it finished is ABORTED and makes no recovery point.
	stopped := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role),
	}))
	xtest.Must[*backup.StopBackupJobOutput](t)(c.east.StopBackupJob(ctx, &backup.StopBackupJobInput{BackupJobId: stopped.BackupJobId}))
	c.advance(5 * time.Minute)
	if j := backupJob(t, c.east, stopped.BackupJobId); j.State != types.BackupJobStateAborted {
		t.Errorf("stopped job is %s", j.State)
	}
	if n := len(recoveryPoints(t, c.east, "prod")); n != 0 {
		t.Errorf("a stopped job made %d recovery points", n)
	}
	_, err = c.east.StopBackupJob(ctx, &backup.StopBackupJobInput{BackupJobId: stopped.BackupJobId})
	xtest.WantErrorContaining(t, err, "InvalidRequestException", 400, "ABORTED")

	done := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role),
	}))
	c.advance(5 * time.Minute)
	p := xtest.Must[*backup.DescribeProtectedResourceOutput](t)(c.east.DescribeProtectedResource(ctx, &backup.DescribeProtectedResourceInput{ResourceArn: aws.String(c.db)}))
	if aws.ToString(p.LastRecoveryPointArn) != aws.ToString(done.RecoveryPointArn) || aws.ToString(p.LastBackupVaultArn) != c.eastVaultARN ||
		aws.ToString(p.ResourceType) != "RDS" || aws.ToString(p.ResourceName) != "mydb" || p.LastBackupTime == nil {
		t.Errorf("DescribeProtectedResource = %+v", p)
	}
	list := xtest.Must[*backup.ListProtectedResourcesOutput](t)(c.east.ListProtectedResources(ctx, &backup.ListProtectedResourcesInput{}))
	if len(list.Results) != 1 || aws.ToString(list.Results[0].ResourceArn) != c.db {
		t.Errorf("ListProtectedResources = %+v", list.Results)
	}
	if west := xtest.Must[*backup.ListProtectedResourcesOutput](t)(c.west.ListProtectedResources(ctx, &backup.ListProtectedResourcesInput{})); len(west.Results) != 0 {
		t.Errorf("us-west-2 lists %+v", west.Results)
	}
}
