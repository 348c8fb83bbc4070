package rds_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func TestModifyDBInstance(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	in := postgres("mod")
	in.AllocatedStorage, in.StorageType = aws.Int32(20), aws.String("gp2")
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.advance(2 * time.Minute)

	// Applied at once: the class change makes it modifying until the transition ends.
	out := xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("mod"), DBInstanceClass: aws.String("db.t3.small"),
		AllocatedStorage: aws.Int32(30), ApplyImmediately: aws.Bool(true), DeletionProtection: aws.Bool(true),
		BackupRetentionPeriod: aws.Int32(3),
	}))
	if s := aws.ToString(out.DBInstance.DBInstanceStatus); s != "modifying" || aws.ToString(out.DBInstance.PendingModifiedValues.DBInstanceClass) != "db.t3.small" {
		t.Fatalf("modify answered %s with pending %+v", s, out.DBInstance.PendingModifiedValues)
	}
	if !aws.ToBool(out.DBInstance.DeletionProtection) || aws.ToInt32(out.DBInstance.BackupRetentionPeriod) != 3 {
		t.Errorf("deletion protection and retention apply at once: %+v", out.DBInstance)
	}
	_, err := e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mod"), CopyTagsToSnapshot: aws.Bool(true)})
	wantErr(t, err, "InvalidDBInstanceState", 400, "is not in available state")
	e.advance(time.Minute)
	db := e.describe(t, e.East, "mod")
	if aws.ToString(db.DBInstanceStatus) != "available" || aws.ToString(db.DBInstanceClass) != "db.t3.small" || aws.ToInt32(db.AllocatedStorage) != 30 {
		t.Fatalf("after modifying: %s %s %d", aws.ToString(db.DBInstanceStatus), aws.ToString(db.DBInstanceClass), aws.ToInt32(db.AllocatedStorage))
	}
	if db.PendingModifiedValues != nil && db.PendingModifiedValues.DBInstanceClass != nil {
		t.Errorf("pending values left: %+v", db.PendingModifiedValues)
	}

	// Values the instance already has change nothing.
	same := xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("mod"), DBInstanceClass: aws.String("db.t3.small"), AllocatedStorage: aws.Int32(30),
		DBParameterGroupName: aws.String("default.postgres13"), ApplyImmediately: aws.Bool(true),
	}))
	if s := aws.ToString(same.DBInstance.DBInstanceStatus); s != "available" {
		t.Errorf("a modification to the same values made the instance %s", s)
	}

	// Deferred to the maintenance window.
	out = xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("mod"), DBInstanceClass: aws.String("db.t3.medium"),
		PreferredMaintenanceWindow: aws.String("Sun:23:00-Sun:23:30"), PreferredBackupWindow: aws.String("03:00-03:30"),
	}))
	if s := aws.ToString(out.DBInstance.DBInstanceStatus); s != "available" || aws.ToString(out.DBInstance.PendingModifiedValues.DBInstanceClass) != "db.t3.medium" {
		t.Fatalf("deferred modify answered %s with pending %+v", s, out.DBInstance.PendingModifiedValues)
	}
	if aws.ToString(out.DBInstance.PreferredMaintenanceWindow) != "sun:23:00-sun:23:30" {
		t.Errorf("maintenance window %s", aws.ToString(out.DBInstance.PreferredMaintenanceWindow))
	}
	e.advance(8 * 24 * time.Hour)
	if db := e.describe(t, e.East, "mod"); aws.ToString(db.DBInstanceClass) != "db.t3.medium" || aws.ToString(db.DBInstanceStatus) != "available" {
		t.Fatalf("after the maintenance window: %s %s", aws.ToString(db.DBInstanceStatus), aws.ToString(db.DBInstanceClass))
	}

	// The password is reset whatever ApplyImmediately says.
	out = xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("mod"), MasterUserPassword: aws.String("anotherpassword"),
	}))
	if aws.ToString(out.DBInstance.DBInstanceStatus) != "resetting-master-credentials" || aws.ToString(out.DBInstance.PendingModifiedValues.MasterUserPassword) != "****" {
		t.Fatalf("password reset answered %+v", out.DBInstance)
	}
	e.advance(time.Minute)

	errs := []struct {
		in     *rds.ModifyDBInstanceInput
		code   string
		status int
		msg    string
	}{
		{&rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("nope")}, "DBInstanceNotFound", 404, "DBInstance nope not found."},
		{&rds.ModifyDBInstanceInput{AllocatedStorage: aws.Int32(25)}, "InvalidParameterValue", 400, "can't be decreased"},
		{&rds.ModifyDBInstanceInput{AllocatedStorage: aws.Int32(31)}, "InvalidParameterCombination", 400, "at least 10%"},
		{&rds.ModifyDBInstanceInput{EngineVersion: aws.String("14.12")}, "InvalidParameterCombination", 400,
			"The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version."},
		{&rds.ModifyDBInstanceInput{EngineVersion: aws.String("12.22")}, "InvalidParameterCombination", 400, "Cannot upgrade postgres from 13.4 to 12.22"},
		{&rds.ModifyDBInstanceInput{EngineVersion: aws.String("13.99")}, "InvalidParameterCombination", 400, "Cannot find version 13.99 for postgres"},
		{&rds.ModifyDBInstanceInput{DBInstanceClass: aws.String("db.nope")}, "InvalidParameterCombination", 400, "DBInstanceClass=db.nope"},
		{&rds.ModifyDBInstanceInput{PreferredBackupWindow: aws.String("23:15-23:45")}, "InvalidParameterCombination", 400,
			"The backup window and maintenance window must not overlap."},
		{&rds.ModifyDBInstanceInput{BackupRetentionPeriod: aws.Int32(40)}, "InvalidParameterValue", 400, "Invalid backup retention period: 40"},
		{&rds.ModifyDBInstanceInput{MasterUserPassword: aws.String("short")}, "InvalidParameterValue", 400, "shorter than 8 characters"},
		{&rds.ModifyDBInstanceInput{NewDBInstanceIdentifier: aws.String("bad--name")}, "InvalidParameterValue", 400, "NewDBInstanceIdentifier is not a valid identifier"},
		{&rds.ModifyDBInstanceInput{Engine: aws.String("mysql")}, "InvalidParameterCombination", 400, "Cannot change the engine"},
	}
	for _, c := range errs {
		if c.in.DBInstanceIdentifier == nil {
			c.in.DBInstanceIdentifier = aws.String("mod")
		}
		_, err := e.East.ModifyDBInstance(ctx, c.in)
		wantErr(t, err, c.code, c.status, c.msg)
	}

	// A major version upgrade moves the instance to the new family's default groups.
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("mod"), EngineVersion: aws.String("14"), AllowMajorVersionUpgrade: aws.Bool(true), ApplyImmediately: aws.Bool(true),
	}))
	e.advance(time.Minute)
	db = e.describe(t, e.East, "mod")
	if aws.ToString(db.EngineVersion) != "14.17" || aws.ToString(db.DBParameterGroups[0].DBParameterGroupName) != "default.postgres14" ||
		aws.ToString(db.OptionGroupMemberships[0].OptionGroupName) != "default:postgres-14" {
		t.Errorf("after the upgrade: %s %+v %+v", aws.ToString(db.EngineVersion), db.DBParameterGroups, db.OptionGroupMemberships)
	}

	// Renaming keeps the DbiResourceId.
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("mod"), NewDBInstanceIdentifier: aws.String("renamed"), ApplyImmediately: aws.Bool(true),
	}))
	if s := e.status(t, e.East, "mod"); s != "renaming" {
		t.Errorf("status %s while renaming", s)
	}
	e.advance(time.Minute)
	renamed := e.describe(t, e.East, "renamed")
	if aws.ToString(renamed.DbiResourceId) != aws.ToString(db.DbiResourceId) || aws.ToString(renamed.DBInstanceArn) != "arn:aws:rds:us-east-1:"+account+":db:renamed" {
		t.Errorf("renamed: %+v", renamed)
	}
	_, err = e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mod")})
	wantErr(t, err, "DBInstanceNotFound", 404, "")
}

func TestDeleteDBInstance(t *testing.T) {
	e := start(t)
	protected := postgres("protected")
	protected.DeletionProtection = aws.Bool(true)
	e.create(t, e.East, protected)
	_, err := e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("protected"), SkipFinalSnapshot: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterCombination", 400, "Cannot delete protected DB Instance, please disable deletion protection and try again.")
	// AWS checks deletion protection before the final snapshot.
	_, err = e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("protected")})
	wantErr(t, err, "InvalidParameterCombination", 400, "Cannot delete protected DB Instance")
	_, err = e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("protected"), SkipFinalSnapshot: aws.Bool(true), FinalDBSnapshotIdentifier: aws.String("x")})
	wantErr(t, err, "InvalidParameterCombination", 400, "")
	_, err = e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("gone"), SkipFinalSnapshot: aws.Bool(true)})
	wantErr(t, err, "DBInstanceNotFound", 404, "DBInstance gone not found.")

	// A final snapshot, and automated backups retained.
	keep := postgres("keep")
	keep.CopyTagsToSnapshot = aws.Bool(true)
	keep.Tags = []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}
	db := e.create(t, e.East, keep)
	_, err = e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("keep")})
	wantErr(t, err, "InvalidParameterCombination", 400, "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	out := xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String("keep"), FinalDBSnapshotIdentifier: aws.String("keep-final"), DeleteAutomatedBackups: aws.Bool(false),
	}))
	if aws.ToString(out.DBInstance.DBInstanceStatus) != "deleting" {
		t.Fatalf("delete answered %s", aws.ToString(out.DBInstance.DBInstanceStatus))
	}
	e.WaitIdle()
	_, err = e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("keep")})
	wantErr(t, err, "DBInstanceNotFound", 404, "DBInstance keep not found.")
	final := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("keep-final")}))
	if s := final.DBSnapshots[0]; aws.ToString(s.Status) != "available" || aws.ToString(s.SnapshotType) != "manual" || len(s.TagList) != 1 {
		t.Errorf("final snapshot %+v", s)
	}
	backups := xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{
		DbiResourceId: db.DbiResourceId,
	}))
	if b := backups.DBInstanceAutomatedBackups[0]; aws.ToString(b.Status) != "retained" || b.RestoreWindow.LatestTime == nil {
		t.Errorf("retained backup %+v", b)
	}

	// By default the automated backups go with the instance.
	dropped := e.create(t, e.East, postgres("dropped"))
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("dropped"), SkipFinalSnapshot: aws.Bool(true)}))
	e.WaitIdle()
	_, err = e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DbiResourceId: dropped.DbiResourceId})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")
	snaps := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("dropped")}))
	if len(snaps.DBSnapshots) != 0 {
		t.Errorf("snapshots of a deleted instance left: %d", len(snaps.DBSnapshots))
	}
}

func TestRebootStopStart(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("cycle")))
	_, err := e.East.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("cycle")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "Instance cycle is not in available state.")
	e.advance(2 * time.Minute)

	reboot := xtest.Must[*rds.RebootDBInstanceOutput](t)(e.East.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("cycle")}))
	if aws.ToString(reboot.DBInstance.DBInstanceStatus) != "rebooting" {
		t.Fatalf("reboot answered %s", aws.ToString(reboot.DBInstance.DBInstanceStatus))
	}
	e.advance(time.Minute)
	_, err = e.East.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("cycle"), ForceFailover: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterCombination", 400, "Forced failover requires a Multi-AZ DB instance.")

	_, err = e.East.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("cycle")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "Instance cycle is not stopped, it cannot be started.")
	stop := xtest.Must[*rds.StopDBInstanceOutput](t)(e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("cycle"), DBSnapshotIdentifier: aws.String("before-stop")}))
	if aws.ToString(stop.DBInstance.DBInstanceStatus) != "stopping" {
		t.Fatalf("stop answered %s", aws.ToString(stop.DBInstance.DBInstanceStatus))
	}
	e.advance(time.Minute)
	if s := e.status(t, e.East, "cycle"); s != "stopped" {
		t.Fatalf("status %s, want stopped", s)
	}
	_, err = e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("cycle")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "Instance cycle is not in available state.")
	snap := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("before-stop")}))
	if aws.ToString(snap.DBSnapshots[0].Status) != "available" {
		t.Errorf("snapshot before stopping is %s", aws.ToString(snap.DBSnapshots[0].Status))
	}

	start := xtest.Must[*rds.StartDBInstanceOutput](t)(e.East.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("cycle")}))
	if aws.ToString(start.DBInstance.DBInstanceStatus) != "starting" {
		t.Fatalf("start answered %s", aws.ToString(start.DBInstance.DBInstanceStatus))
	}
	e.advance(time.Minute)
	if s := e.status(t, e.East, "cycle"); s != "available" {
		t.Fatalf("status %s, want available", s)
	}

	// RDS starts a stopped instance again after seven days.
	xtest.Must[*rds.StopDBInstanceOutput](t)(e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("cycle")}))
	e.advance(time.Minute)
	e.advance(6 * 24 * time.Hour)
	if s := e.status(t, e.East, "cycle"); s != "stopped" {
		t.Fatalf("after six days: %s", s)
	}
	e.advance(24 * time.Hour)
	if s := e.status(t, e.East, "cycle"); s != "starting" {
		t.Fatalf("after seven days: %s, want starting", s)
	}
	e.advance(time.Minute)
	if s := e.status(t, e.East, "cycle"); s != "available" {
		t.Fatalf("status %s, want available", s)
	}

	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("cycle"), SkipFinalSnapshot: aws.Bool(true)}))
	_, err = e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("cycle"), SkipFinalSnapshot: aws.Bool(true)})
	wantErr(t, err, "InvalidDBInstanceState", 400, "Instance cycle is already being deleted.")
	if s := e.status(t, e.East, "cycle"); s != "deleting" {
		t.Fatalf("status %s, want deleting", s)
	}
	e.advance(time.Minute)
	_, err = e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("cycle")})
	wantErr(t, err, "DBInstanceNotFound", 404, "DBInstance cycle not found.")
}

func TestStartEncryptedInstanceNeedsItsKey(t *testing.T) {
	e := start(t)
	key := e.kmsKey(t, e.kmsEast)
	in := postgres("locked")
	in.StorageEncrypted, in.KmsKeyId = aws.Bool(true), aws.String(key)
	db := e.create(t, e.East, in)
	if aws.ToString(db.KmsKeyId) != key {
		t.Fatalf("KmsKeyId %s, want %s", aws.ToString(db.KmsKeyId), key)
	}
	xtest.Must[*rds.StopDBInstanceOutput](t)(e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("locked")}))
	e.WaitIdle()
	xtest.Must[*kms.DisableKeyOutput](t)(e.kmsEast.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(key)}))
	_, err := e.East.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("locked")})
	wantErr(t, err, "KMSKeyNotAccessibleFault", 400, key)
}

func TestTags(t *testing.T) {
	e := start(t)
	db := e.create(t, e.East, postgres("tagged"))
	arn := db.DBInstanceArn
	xtest.Must[*rds.AddTagsToResourceOutput](t)(e.East.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")},
	}}))
	xtest.Must[*rds.AddTagsToResourceOutput](t)(e.East.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("one")},
	}}))
	xtest.Must[*rds.RemoveTagsFromResourceOutput](t)(e.East.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: arn, TagKeys: []string{"b"}}))
	tags := xtest.Must[*rds.ListTagsForResourceOutput](t)(e.East.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: arn}))
	if len(tags.TagList) != 1 || aws.ToString(tags.TagList[0].Value) != "one" {
		t.Fatalf("tags %+v", tags.TagList)
	}
	if got := e.describe(t, e.East, "tagged").TagList; len(got) != 1 {
		t.Errorf("DescribeDBInstances TagList %+v", got)
	}

	xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("tagged"), DBSnapshotIdentifier: aws.String("tsnap")}))
	snapARN := "arn:aws:rds:us-east-1:" + account + ":snapshot:tsnap"
	xtest.Must[*rds.AddTagsToResourceOutput](t)(e.East.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(snapARN), Tags: []types.Tag{{Key: aws.String("s"), Value: aws.String("x")}}}))
	if got := xtest.Must[*rds.ListTagsForResourceOutput](t)(e.East.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(snapARN)})); len(got.TagList) != 1 {
		t.Errorf("snapshot tags %+v", got.TagList)
	}

	_, err := e.East.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String("arn:aws:rds:us-east-1:" + account + ":db:missing")})
	wantErr(t, err, "DBInstanceNotFound", 404, "DBInstance missing not found.")
	_, err = e.East.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String("arn:aws:rds:us-east-1:" + account + ":snapshot:missing")})
	wantErr(t, err, "DBSnapshotNotFound", 404, "DBSnapshot missing not found.")
	_, err = e.West.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: arn})
	wantErr(t, err, "InvalidParameterValue", 400, "does not match an RDS resource in this region")
	var many []types.Tag
	for i := 0; i < 50; i++ {
		many = append(many, types.Tag{Key: aws.String(string(rune('A'+i%26)) + string(rune('a'+i/26))), Value: aws.String("v")})
	}
	_, err = e.East.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: many})
	wantErr(t, err, "InvalidParameterValue", 400, "Cannot add more than 50 tags")
}
