package rds_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// reached waits, polling, until the instance has the status: with real engines a step
// waits for its server, on the clock, so WaitIdle alone does not reach it.
func (e *env) reached(t *testing.T, c *rds.Client, id, status string) *types.DBInstance {
	t.Helper()
	var db *types.DBInstance
	xtest.CheckFor(t, 5*time.Minute, func() error {
		db = e.describe(t, c, id)
		if got := aws.ToString(db.DBInstanceStatus); got != status {
			return fmt.Errorf("%s is %s, waiting for %s", id, got, status)
		}
		return nil
	})
	return db
}

// query runs a query on an instance's server as a user would, through its endpoint.
func query(db *types.DBInstance, password, sql string) ([]int, error) {
	conn, err := pgtest.Connect(ctx, int(aws.ToInt32(db.Endpoint.Port)), "masterusername", password, "mydb")
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// TestRealDataLifecycle: with real engines a PostgreSQL instance is a server on its
// endpoint; a new master password is the server's once the instance is available
// again; a stopped instance does not answer and answers again with its rows when
// started; a reboot keeps them; and the final snapshot of a deleted instance restores
// with them.
func TestRealDataLifecycle(t *testing.T) {
	t.Parallel()
	pgtest.Need(t)
	e := start(t, servertest.WithRealEngines())
	in := postgres("live")
	in.EngineVersion = aws.String("15")
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	db := e.reached(t, e.East, "live", "available")
	if got := aws.ToString(db.Endpoint.Address); got != "127.0.0.1" {
		t.Fatalf("endpoint %s", got)
	}
	if _, err := query(db, "mustbeeightcharacters", "CREATE TABLE orders AS SELECT generate_series(1, 4) AS id"); err != nil {
		t.Fatal(err)
	}

	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("live"), MasterUserPassword: aws.String("the-new-password")}))
	db = e.reached(t, e.East, "live", "available")
	if _, err := query(db, "mustbeeightcharacters", "SELECT 1"); err == nil {
		t.Error("the old password still logs in")
	}
	if got, err := query(db, "the-new-password", "SELECT id FROM orders ORDER BY id"); err != nil || !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("with the new password: %v, %v", got, err)
	}

	xtest.Must[*rds.StopDBInstanceOutput](t)(e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("live")}))
	e.reached(t, e.East, "live", "stopped")
	if _, err := query(db, "the-new-password", "SELECT 1"); err == nil {
		t.Error("a stopped instance answers")
	}
	xtest.Must[*rds.StartDBInstanceOutput](t)(e.East.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("live")}))
	started := e.reached(t, e.East, "live", "available")
	if aws.ToInt32(started.Endpoint.Port) != aws.ToInt32(db.Endpoint.Port) {
		t.Errorf("the port moved from %d to %d", aws.ToInt32(db.Endpoint.Port), aws.ToInt32(started.Endpoint.Port))
	}
	xtest.Must[*rds.RebootDBInstanceOutput](t)(e.East.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("live")}))
	db = e.reached(t, e.East, "live", "available")
	if got, err := query(db, "the-new-password", "SELECT id FROM orders ORDER BY id"); err != nil || len(got) != 4 {
		t.Errorf("after stop, start and reboot: %v, %v", got, err)
	}

	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String("live"), FinalDBSnapshotIdentifier: aws.String("live-final")}))
	xtest.CheckFor(t, 2*time.Minute, func() error {
		out, err := e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
		if err != nil || len(out.DBInstances) > 0 {
			return fmt.Errorf("instances left: %v", err)
		}
		return nil
	})
	if _, err := query(db, "the-new-password", "SELECT 1"); err == nil {
		t.Error("a deleted instance answers")
	}
	xtest.Must[*rds.RestoreDBInstanceFromDBSnapshotOutput](t)(e.East.RestoreDBInstanceFromDBSnapshot(ctx,
		&rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("back"), DBSnapshotIdentifier: aws.String("live-final")}))
	back := e.reached(t, e.East, "back", "available")
	if got, err := query(back, "the-new-password", "SELECT id FROM orders ORDER BY id"); err != nil || len(got) != 4 {
		t.Errorf("restored from the final snapshot: %v, %v", got, err)
	}
}

// TestRealDataAWSBackup: with real engines, AWS Backup's backup of an instance, its copy
// to another Region and a restore of the copy there answer with the instance's rows.
func TestRealDataAWSBackup(t *testing.T) {
	t.Parallel()
	pgtest.Need(t)
	e := start(t, servertest.WithRealEngines())
	in := postgres("protected")
	in.EngineVersion = aws.String("15")
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	db := e.reached(t, e.East, "protected", "available")
	if _, err := query(db, "mustbeeightcharacters", "CREATE TABLE orders AS SELECT generate_series(1, 5) AS id"); err != nil {
		t.Fatal(err)
	}
	east, west := backup.NewFromConfig(e.Config("us-east-1")), backup.NewFromConfig(e.Config("us-west-2"))
	for c, name := range map[*backup.Client]string{east: "prod", west: "dr"} {
		xtest.Must[*backup.CreateBackupVaultOutput](t)(c.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(name)}))
	}
	const role = "arn:aws:iam::" + account + ":role/service-role/AWSBackupDefaultServiceRole"
	job := xtest.Must[*backup.StartBackupJobOutput](t)(east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: db.DBInstanceArn, IamRoleArn: aws.String(role)}))
	// The job waits for the snapshot's base backup: minutes on a loaded machine.
	xtest.CheckFor(t, 5*time.Minute, func() error {
		j, err := east.DescribeBackupJob(ctx, &backup.DescribeBackupJobInput{BackupJobId: job.BackupJobId})
		if err != nil || j.State != backuptypes.BackupJobStateCompleted {
			return fmt.Errorf("backup job: %v %v", j, err)
		}
		return nil
	})
	vaults := xtest.Must[*backup.DescribeBackupVaultOutput](t)(west.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("dr")}))
	cp := xtest.Must[*backup.StartCopyJobOutput](t)(east.StartCopyJob(ctx, &backup.StartCopyJobInput{
		RecoveryPointArn: job.RecoveryPointArn, SourceBackupVaultName: aws.String("prod"),
		DestinationBackupVaultArn: vaults.BackupVaultArn, IamRoleArn: aws.String(role)}))
	var copied *string
	xtest.CheckFor(t, 5*time.Minute, func() error {
		j, err := east.DescribeCopyJob(ctx, &backup.DescribeCopyJobInput{CopyJobId: cp.CopyJobId})
		if err != nil || j.CopyJob.State != backuptypes.CopyJobStateCompleted {
			return fmt.Errorf("copy job: %v", err)
		}
		copied = j.CopyJob.DestinationRecoveryPointArn
		return nil
	})
	restore := xtest.Must[*backup.StartRestoreJobOutput](t)(west.StartRestoreJob(ctx, &backup.StartRestoreJobInput{
		RecoveryPointArn: copied, IamRoleArn: aws.String(role), Metadata: map[string]string{"DBInstanceIdentifier": "recovered"}}))
	xtest.CheckFor(t, 2*time.Minute, func() error {
		j, err := west.DescribeRestoreJob(ctx, &backup.DescribeRestoreJobInput{RestoreJobId: restore.RestoreJobId})
		if err != nil || j.Status != backuptypes.RestoreJobStatusCompleted {
			return fmt.Errorf("restore job: %v %v", j, err)
		}
		return nil
	})
	back := e.reached(t, e.West, "recovered", "available")
	if got, err := query(back, "mustbeeightcharacters", "SELECT id FROM orders ORDER BY id"); err != nil || !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Errorf("restored from AWS Backup's copy: %v, %v", got, err)
	}
}
