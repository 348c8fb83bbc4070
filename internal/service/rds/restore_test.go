package rds_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestRestoreToPointInTime(t *testing.T) {
	e := start(t)
	src := e.encryptedSource(t, "mydb")
	e.advance(6 * time.Hour)
	key := e.kmsKey(t, e.kmsWest)
	arn := e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(key)}).DBInstanceAutomatedBackupsArn
	e.advance(time.Hour)
	replica := e.backupByARN(t, e.West, aws.ToString(arn))

	// In the destination Region, from the replicated backup: the engine, version, storage
	// and encryption come from the backup, re-keyed under the destination's key.
	out := xtest.Must[*rds.RestoreDBInstanceToPointInTimeOutput](t)(e.West.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDBInstanceAutomatedBackupsArn: arn, TargetDBInstanceIdentifier: aws.String("dr"), RestoreTime: replica.RestoreWindow.EarliestTime,
		DBInstanceClass: aws.String("db.t3.small"), Tags: []types.Tag{{Key: aws.String("restored"), Value: aws.String("yes")}},
	}))
	if aws.ToString(out.DBInstance.DBInstanceStatus) != "creating" {
		t.Fatalf("restore answered %s", aws.ToString(out.DBInstance.DBInstanceStatus))
	}
	e.WaitIdle()
	dr := e.describe(t, e.West, "dr")
	if aws.ToString(dr.DBInstanceStatus) != "available" || aws.ToString(dr.Engine) != "postgres" || aws.ToString(dr.EngineVersion) != "13.4" ||
		aws.ToInt32(dr.AllocatedStorage) != 10 || !aws.ToBool(dr.StorageEncrypted) || aws.ToString(dr.KmsKeyId) != key ||
		aws.ToString(dr.DBInstanceClass) != "db.t3.small" || aws.ToString(dr.DBName) != "mydb" || aws.ToString(dr.MasterUsername) != "masterusername" ||
		aws.ToString(dr.DbiResourceId) == aws.ToString(src.DbiResourceId) || len(dr.TagList) != 1 ||
		aws.ToString(dr.OptionGroupMemberships[0].OptionGroupName) != "default:postgres-13" {
		t.Fatalf("restored instance %+v", dr)
	}

	// In the source Region, from the instance or its DbiResourceId.
	xtest.Must[*rds.RestoreDBInstanceToPointInTimeOutput](t)(e.East.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDBInstanceIdentifier: aws.String("mydb"), TargetDBInstanceIdentifier: aws.String("copy1"), UseLatestRestorableTime: aws.Bool(true),
	}))
	xtest.Must[*rds.RestoreDBInstanceToPointInTimeOutput](t)(e.East.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDbiResourceId: src.DbiResourceId, TargetDBInstanceIdentifier: aws.String("copy2"), UseLatestRestorableTime: aws.Bool(true),
	}))
	e.WaitIdle()
	if c := e.describe(t, e.East, "copy1"); aws.ToString(c.KmsKeyId) != aws.ToString(src.KmsKeyId) || aws.ToString(c.DBInstanceStatus) != "available" {
		t.Errorf("restore in the source Region %+v", c)
	}

	window := e.describe(t, e.East, "mydb").LatestRestorableTime
	errs := []struct {
		name   string
		c      *rds.Client
		in     *rds.RestoreDBInstanceToPointInTimeInput
		code   string
		status int
		msg    string
	}{
		{"both times", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("mydb"), RestoreTime: window, UseLatestRestorableTime: aws.Bool(true)},
			"InvalidParameterCombination", 400, "Cannot specify both RestoreTime and UseLatestRestorableTime."},
		{"no time", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("mydb")}, "InvalidParameterCombination", 400, "Either RestoreTime or UseLatestRestorableTime"},
		{"no source", e.East, &rds.RestoreDBInstanceToPointInTimeInput{UseLatestRestorableTime: aws.Bool(true)}, "InvalidParameterCombination", 400, "Specify exactly one of"},
		{"two sources", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("mydb"), SourceDbiResourceId: src.DbiResourceId, UseLatestRestorableTime: aws.Bool(true)},
			"InvalidParameterCombination", 400, "Specify exactly one of"},
		{"in the future", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("mydb"), RestoreTime: aws.Time(window.Add(time.Hour))},
			"InvalidRestoreFault", 400, "is outside the restorable window"},
		{"before the window", e.West, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceAutomatedBackupsArn: arn, RestoreTime: aws.Time(replica.RestoreWindow.EarliestTime.Add(-time.Hour))},
			"InvalidRestoreFault", 400, "is outside the restorable window"},
		{"exists", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("mydb"), UseLatestRestorableTime: aws.Bool(true), TargetDBInstanceIdentifier: aws.String("copy1")},
			"DBInstanceAlreadyExists", 400, "DB instance already exists"},
		{"missing instance", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("nope"), UseLatestRestorableTime: aws.Bool(true)}, "DBInstanceNotFound", 404, ""},
		{"missing backup", e.West, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceAutomatedBackupsArn: aws.String("arn:aws:rds:us-west-2:" + account + ":auto-backup:ab-nope"), UseLatestRestorableTime: aws.Bool(true)},
			"DBInstanceAutomatedBackupNotFound", 404, ""},
		{"other engine", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("mydb"), UseLatestRestorableTime: aws.Bool(true), Engine: aws.String("mysql")},
			"InvalidParameterCombination", 400, "must be the source's engine postgres"},
		{"less storage", e.East, &rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("mydb"), UseLatestRestorableTime: aws.Bool(true), AllocatedStorage: aws.Int32(5)},
			"InvalidParameterValue", 400, "can't be less than that of its source"},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			if c.in.TargetDBInstanceIdentifier == nil {
				c.in.TargetDBInstanceIdentifier = aws.String("target")
			}
			_, err := c.c.RestoreDBInstanceToPointInTime(ctx, c.in)
			wantErr(t, err, c.code, c.status, c.msg)
		})
	}

	nb := postgres("nobackup")
	nb.BackupRetentionPeriod = aws.Int32(0)
	e.create(t, e.East, nb)
	_, err := e.East.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDBInstanceIdentifier: aws.String("nobackup"), TargetDBInstanceIdentifier: aws.String("target"), UseLatestRestorableTime: aws.Bool(true),
	})
	wantErr(t, err, "PointInTimeRestoreNotEnabled", 400, "SourceDBInstanceIdentifier refers to a DB instance with BackupRetentionPeriod equal to 0.")
}

func TestRestoreFromDBSnapshot(t *testing.T) {
	e := start(t)
	in := postgres("orig")
	in.StorageEncrypted = aws.Bool(true)
	in.Tags = []types.Tag{{Key: aws.String("t"), Value: aws.String("1")}}
	orig := e.create(t, e.East, in)
	xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("orig"), DBSnapshotIdentifier: aws.String("snap"),
		Tags: []types.Tag{{Key: aws.String("s"), Value: aws.String("1")}}}))
	e.WaitIdle()
	out := xtest.Must[*rds.RestoreDBInstanceFromDBSnapshotOutput](t)(e.East.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{
		DBInstanceIdentifier: aws.String("fromsnap"), DBSnapshotIdentifier: aws.String("snap"), AllocatedStorage: aws.Int32(20), StorageType: aws.String("gp2"),
	}))
	if aws.ToString(out.DBInstance.DBInstanceStatus) != "creating" {
		t.Fatalf("restore answered %s", aws.ToString(out.DBInstance.DBInstanceStatus))
	}
	e.WaitIdle()
	db := e.describe(t, e.East, "fromsnap")
	if aws.ToString(db.DBInstanceStatus) != "available" || aws.ToString(db.KmsKeyId) != aws.ToString(orig.KmsKeyId) || aws.ToInt32(db.AllocatedStorage) != 20 ||
		aws.ToString(db.EngineVersion) != "13.4" || len(db.TagList) != 1 || aws.ToString(db.TagList[0].Key) != "s" || aws.ToInt32(db.BackupRetentionPeriod) != 1 {
		t.Fatalf("restored %+v", db)
	}
	for _, c := range []struct {
		in     *rds.RestoreDBInstanceFromDBSnapshotInput
		code   string
		status int
		msg    string
	}{
		{&rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("x"), DBSnapshotIdentifier: aws.String("nope")}, "DBSnapshotNotFound", 404, "DBSnapshot nope not found."},
		{&rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("fromsnap"), DBSnapshotIdentifier: aws.String("snap")}, "DBInstanceAlreadyExists", 400, ""},
		{&rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("x"), DBSnapshotIdentifier: aws.String("snap"), Engine: aws.String("mysql")}, "InvalidParameterCombination", 400, ""},
		{&rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("x"), DBSnapshotIdentifier: aws.String("snap"), DBInstanceClass: aws.String("db.huge")}, "InvalidParameterCombination", 400, "DBInstanceClass=db.huge"},
		{&rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("bad--id"), DBSnapshotIdentifier: aws.String("snap")}, "InvalidParameterValue", 400, "not a valid identifier"},
	} {
		_, err := e.East.RestoreDBInstanceFromDBSnapshot(ctx, c.in)
		wantErr(t, err, c.code, c.status, c.msg)
	}
}
