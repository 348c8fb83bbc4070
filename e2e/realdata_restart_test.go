package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

// snapshotRows is how many rows the instance of TestRealDataBackupSurvivesKill holds:
// megabytes, so that its base backup takes long enough to be interrupted.
const snapshotRows = 60000

// TestRealDataBackupSurvivesKill: an AWS Backup job of a real instance, with xregion
// killed with -9 while the snapshot's data is being taken — the job RUNNING, without a
// recovery point, until then. After the restart the snapshot is taken again, the job
// completes, and a restore from its recovery point answers psql with every row.
func TestRealDataBackupSurvivesKill(t *testing.T) {
	t.Parallel()
	needPostgres(t)
	ctx := context.Background()
	e := &realEnv{t: t, srv: startDurableServer(t, reachableDir(t), "--real-engines", "--log-level", "info")}
	e.connect()
	if _, err := e.east.CreateDBInstance(ctx, realInstance("orders", 1)); err != nil {
		t.Fatal(err)
	}
	source := e.available(e.east, "orders")
	conn := pgtest.MustConnect(t, int(aws.ToInt32(source.Endpoint.Port)), realMaster, realPassword, realDB)
	pgtest.Exec(t, conn, "CREATE TABLE orders (id int PRIMARY KEY, note text)",
		fmt.Sprintf("INSERT INTO orders SELECT n, md5(n::text) || md5((n+1)::text) || md5((n+2)::text) FROM generate_series(1, %d) n", snapshotRows))
	conn.Close(ctx)

	east := backup.NewFromConfig(xtest.DefaultConfig(e.srv.URL, "us-east-1"))
	if _, err := east.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
	job, err := east.StartBackupJob(ctx, &backup.StartBackupJobInput{BackupVaultName: aws.String("prod"),
		ResourceArn: source.DBInstanceArn, IamRoleArn: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	e.killWhileSnapshotting(east, job.BackupJobId)
	e.srv.start(t)
	e.connect()
	if e.pendingJobs("rds.engine-snapshot") == 0 {
		t.Error("no job takes the snapshot's data after the restart: the kill did not interrupt it, or it was lost")
	}
	east = backup.NewFromConfig(xtest.DefaultConfig(e.srv.URL, "us-east-1"))

	var point *string
	xtest.CheckFor(t, 3*time.Minute, func() error {
		j, err := east.DescribeBackupJob(ctx, &backup.DescribeBackupJobInput{BackupJobId: job.BackupJobId})
		if err != nil || j.State != backuptypes.BackupJobStateCompleted {
			return fmt.Errorf("backup job: %v %v", j, err)
		}
		point = j.RecoveryPointArn
		return nil
	})
	restore, err := east.StartRestoreJob(ctx, &backup.StartRestoreJobInput{RecoveryPointArn: point, IamRoleArn: aws.String(role),
		Metadata: map[string]string{"DBInstanceIdentifier": "recovered"}})
	if err != nil {
		t.Fatal(err)
	}
	xtest.CheckFor(t, 3*time.Minute, func() error {
		j, err := east.DescribeRestoreJob(ctx, &backup.DescribeRestoreJobInput{RestoreJobId: restore.RestoreJobId})
		if err != nil || j.Status != backuptypes.RestoreJobStatusCompleted {
			return fmt.Errorf("restore job: %v %v", j, err)
		}
		return nil
	})
	back := e.availableWithin(e.east, "recovered", 6*time.Minute)
	conn = pgtest.MustConnect(t, int(aws.ToInt32(back.Endpoint.Port)), realMaster, realPassword, realDB)
	defer conn.Close(ctx)
	got := pgtest.Ints(t, conn, "SELECT count(*)::int FROM orders UNION ALL SELECT max(id) FROM orders")
	if want := []int{snapshotRows, snapshotRows}; !slices.Equal(got, want) {
		t.Errorf("the restore of the interrupted backup holds %v rows (count, max id), want %v", got, want)
	}
	if n := e.pendingJobs("rds.engine-snapshot"); n != 0 {
		t.Errorf("%d snapshot jobs still pending after the backup completed", n)
	}
}

// killWhileSnapshotting kills xregion with -9 as soon as the job taking an AWS Backup
// snapshot's data is seen at work. Until then AWS Backup's job is RUNNING, with no
// recovery point in its vault: a job read while the data job is pending before and
// after cannot have completed.
func (e *realEnv) killWhileSnapshotting(east *backup.Client, jobID *string) {
	e.t.Helper()
	ctx := context.Background()
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		if e.pendingJobs("rds.engine-snapshot") == 0 {
			return fmt.Errorf("the snapshot's data is not being taken yet")
		}
		return nil
	})
	j, err := east.DescribeBackupJob(ctx, &backup.DescribeBackupJobInput{BackupJobId: jobID})
	if err != nil {
		e.t.Fatal(err)
	}
	points, err := east.ListRecoveryPointsByBackupVault(ctx, &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String("prod")})
	if err != nil {
		e.t.Fatal(err)
	}
	if e.pendingJobs("rds.engine-snapshot") > 0 {
		if j.State != backuptypes.BackupJobStateRunning || len(points.RecoveryPoints) != 0 {
			e.t.Errorf("while the snapshot's data is being taken the backup job is %s with %d recovery points, want RUNNING with none",
				j.State, len(points.RecoveryPoints))
		}
	} else {
		e.t.Log("the snapshot's data was taken before the job could be read: its RUNNING state is not checked")
	}
	e.srv.kill(e.t)
}

// pendingJobs counts the durable jobs of kind the job engine holds.
func (e *realEnv) pendingJobs(kind string) int {
	var jobs struct{ Pending []struct{ Kind string } }
	e.srv.admin(e.t, "GET", "jobs", "", &jobs)
	n := 0
	for _, j := range jobs.Pending {
		if j.Kind == kind {
			n++
		}
	}
	return n
}
