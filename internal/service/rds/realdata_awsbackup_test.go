package rds_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// awsBackupHarness is RDS with fake engines and AWS Backup's view of it (the
// port.Protected RDS provides), and a real instance "real" available in us-east-1.
type awsBackupHarness struct {
	*kittest.Harness
	engines *fakeEngines
	rds     port.Protected
}

func newAWSBackupHarness(t *testing.T) *awsBackupHarness {
	t.Helper()
	a := &awsBackupHarness{engines: &fakeEngines{ready: true}}
	var all []port.Protected
	a.Harness = alone(t, kittest.NewKeyRing(), kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.DatabaseEngines](p, a.engines)
		service.NeedAll(p, &all)
	}))
	var ok bool
	if a.rds, ok = port.ProtectorOf(all, "RDS"); !ok {
		t.Fatal("RDS provides no port.Protected")
	}
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(a.Harness, "us-east-1", rdsapi.OpCreateDBInstance, &rdsapi.CreateDBInstanceMessage{
		DBInstanceIdentifier: new("real"), Engine: new("postgres"), EngineVersion: new("15"), DBInstanceClass: new("db.t3.micro"),
		AllocatedStorage: new(int64(20)), MasterUsername: new("app"), MasterUserPassword: new("a-password"), DBName: new("shop")}))
	a.advance(3)
	return a
}

func (a *awsBackupHarness) advance(n int) {
	for range n {
		a.Advance(time.Second)
	}
}

// update runs fn as AWS Backup's job would, in a transaction of its own.
func (a *awsBackupHarness) update(t *testing.T, fn func(tx kit.Tx) error) error {
	t.Helper()
	return a.Store.Update(func(raw store.Tx) error { return fn(kit.Adopt(raw)) })
}

func (a *awsBackupHarness) backup(t *testing.T, id string) string {
	t.Helper()
	var img port.Transfer
	err := a.update(t, func(tx kit.Tx) (err error) {
		img, err = a.rds.Backup(tx, port.BackupRequest{Account: kittest.Account, Region: "us-east-1",
			ResourceARN: "arn:aws:rds:us-east-1:" + kittest.Account + ":db:real", BackupID: id})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return img.Image.ARN
}

func (a *awsBackupHarness) restore(t *testing.T, imageARN, id string) error {
	t.Helper()
	return a.update(t, func(tx kit.Tx) error {
		_, err := a.rds.Restore(tx, kittest.Account, "us-east-1", imageARN, map[string]string{"DBInstanceIdentifier": id})
		return err
	})
}

func (a *awsBackupHarness) status(t *testing.T, id string) string {
	t.Helper()
	out := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(a.Harness, "us-east-1", rdsapi.OpDescribeDBInstances,
		&rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new(id)}))
	return *out.DBInstances[0].DBInstanceStatus
}

// pendingJobs counts the durable jobs of kind waiting in the job engine.
func (a *awsBackupHarness) pendingJobs(kind string) int {
	pending, _ := a.Engine.Jobs()
	n := 0
	for _, j := range pending {
		if j.Kind == kind {
			n++
		}
	}
	return n
}

// imageDone is what AWS Backup's jobs ask RDS of an image: whether its data is there.
func (a *awsBackupHarness) imageDone(t *testing.T, imageARN string) error {
	t.Helper()
	progress, ok := a.rds.(port.ImageProgress)
	if !ok {
		t.Fatal("RDS's port.Protected does not say when its images hold their data")
	}
	var done error
	if err := a.update(t, func(tx kit.Tx) error {
		done = progress.ImageDone(tx, kittest.Account, "us-east-1", imageARN)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return done
}

func (a *awsBackupHarness) snapshotStatus(t *testing.T, id string) string {
	t.Helper()
	out := kittest.Must[*rdsapi.DBSnapshotMessage](t)(kittest.Call(a.Harness, "us-east-1", rdsapi.OpDescribeDBSnapshots,
		&rdsapi.DescribeDBSnapshotsMessage{DBSnapshotIdentifier: new(id)}))
	return *out.DBSnapshots[0].Status
}

// TestRealDataAWSBackupSnapshotIsDurable: the data of a snapshot AWS Backup takes of a
// real instance, and of its copy, is taken by a durable job that asks the engines
// until they are done — so work lost with a restart of xregion is asked for again.
// Until then the snapshots are creating, AWS Backup hears that their images are not
// done (its jobs stay RUNNING), and a restore from them is refused; the copy's data
// is copied only once its source's is there.
func TestRealDataAWSBackupSnapshotIsDurable(t *testing.T) {
	a := newAWSBackupHarness(t)
	a.engines.setReady(false)
	snapARN := a.backup(t, "awsbackup:job-one")
	var cp port.Transfer
	if err := a.update(t, func(tx kit.Tx) (err error) {
		cp, err = a.rds.Copy(tx, port.CopyRequest{Account: kittest.Account, Region: "us-east-1", ImageARN: snapARN, CopyID: "awsbackup:copyjob-one"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a.advance(5)
	if n := a.pendingJobs("rds.engine-snapshot"); n != 2 {
		t.Errorf("%d durable snapshot jobs wait for the engines, want the backup's and the copy's", n)
	}
	if a.engines.count("snapshot") < 2 {
		t.Errorf("the engines were asked %d times for the snapshot: a durable job asks until they are done", a.engines.count("snapshot"))
	}
	if n := a.engines.count("copy"); n != 0 {
		t.Errorf("the copy was started %d times before its source's data was there", n)
	}
	for _, img := range []struct{ id, arn string }{{"awsbackup:job-one", snapARN}, {"awsbackup:copyjob-one", cp.Image.ARN}} {
		if s := a.snapshotStatus(t, img.id); s != "creating" {
			t.Errorf("snapshot %s is %s while its data is being taken", img.id, s)
		}
		if err := a.imageDone(t, img.arn); !errors.Is(err, port.ErrNotReady) {
			t.Errorf("AWS Backup hears of %s, whose data is being taken: %v", img.id, err)
		}
	}
	err := a.restore(t, cp.Image.ARN, "restored")
	if text, ok := port.Failure(err); !ok || !strings.Contains(text, "not in available state") {
		t.Errorf("a restore from a copy whose data is not there: %v", err)
	}

	a.engines.setReady(true)
	a.advance(10)
	if n := a.pendingJobs("rds.engine-snapshot"); n != 0 {
		t.Errorf("%d snapshot jobs still wait once the engines are done", n)
	}
	for _, img := range []struct{ id, arn string }{{"awsbackup:job-one", snapARN}, {"awsbackup:copyjob-one", cp.Image.ARN}} {
		if s := a.snapshotStatus(t, img.id); s != "available" {
			t.Errorf("snapshot %s is %s once its data is there", img.id, s)
		}
		if err := a.imageDone(t, img.arn); err != nil {
			t.Errorf("the image %s holds its data, yet: %v", img.id, err)
		}
	}
	if err := a.restore(t, cp.Image.ARN, "restored"); err != nil {
		t.Fatal(err)
	}
	a.advance(5)
	if a.engines.count("copy") == 0 || a.engines.count("restore") == 0 {
		t.Errorf("calls %v: the copy and then the restore follow the snapshot's data", a.engines.calls)
	}
	if s := a.status(t, "restored"); s != "available" {
		t.Errorf("the restored instance is %s", s)
	}
}

// TestRealDataAWSBackupSnapshotFails: a snapshot whose data the engines cannot take is
// retried with the job engine's backoff, then failed, and AWS Backup hears why (its
// job fails with that reason); restores from it are
// refused — by AWS Backup's restore job with RDS's reason, and by
// RestoreDBInstanceFromDBSnapshot as a snapshot that is not available — and nothing of
// them is written.
func TestRealDataAWSBackupSnapshotFails(t *testing.T) {
	a := newAWSBackupHarness(t)
	a.engines.setFail(errors.New("pg_basebackup: the server went away"))
	snapARN := a.backup(t, "awsbackup:job-two")
	for range 48 {
		a.Advance(10 * time.Minute)
	}
	if tries := a.engines.count("snapshot"); tries < 5 {
		t.Errorf("the snapshot was tried %d times before giving up", tries)
	}
	if n := a.pendingJobs("rds.engine-snapshot"); n != 0 {
		t.Fatalf("%d snapshot jobs still retry after giving up", n)
	}
	a.engines.setFail(nil)
	if s := a.snapshotStatus(t, "awsbackup:job-two"); s != "failed" {
		t.Errorf("a snapshot whose data could not be taken is %s", s)
	}
	done := a.imageDone(t, snapARN)
	if text, _ := port.Failure(done); !errors.Is(done, port.ErrCannotProtect) || !strings.Contains(text, "pg_basebackup: the server went away") {
		t.Errorf("AWS Backup hears of the failed snapshot: %v", done)
	}

	err := a.restore(t, snapARN, "from-failed")
	if text, ok := port.Failure(err); !ok || !strings.Contains(text, "not in available state") {
		t.Errorf("AWS Backup's restore of a snapshot without data: %v", err)
	}
	_, err = kittest.Call(a.Harness, "us-east-1", rdsapi.OpRestoreDBInstanceFromDBSnapshot, &rdsapi.RestoreDBInstanceFromDBSnapshotMessage{
		DBInstanceIdentifier: new("from-failed"), DBSnapshotIdentifier: new("awsbackup:job-two")})
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != rdsapi.ErrInvalidDBSnapshotStateFault.Code {
		t.Errorf("RestoreDBInstanceFromDBSnapshot of a snapshot without data: %v", err)
	}
	out := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(a.Harness, "us-east-1", rdsapi.OpDescribeDBInstances, &rdsapi.DescribeDBInstancesMessage{}))
	if len(out.DBInstances) != 1 {
		t.Errorf("a refused restore left an instance behind: %d instances", len(out.DBInstances))
	}
}

// TestRealDataRestoreKeepsTheSourceDatabase: a restore of a real PostgreSQL instance,
// from a snapshot or to a point in time, brings the source's database, whatever DBName
// the request names, and answers that database's name — where psql finds the rows.
func TestRealDataRestoreKeepsTheSourceDatabase(t *testing.T) {
	a := newAWSBackupHarness(t)
	kittest.Must[*rdsapi.CreateDBSnapshotResult](t)(kittest.Call(a.Harness, "us-east-1", rdsapi.OpCreateDBSnapshot,
		&rdsapi.CreateDBSnapshotMessage{DBInstanceIdentifier: new("real"), DBSnapshotIdentifier: new("snap")}))
	a.advance(3)
	fromSnap := kittest.Must[*rdsapi.RestoreDBInstanceFromDBSnapshotResult](t)(kittest.Call(a.Harness, "us-east-1",
		rdsapi.OpRestoreDBInstanceFromDBSnapshot, &rdsapi.RestoreDBInstanceFromDBSnapshotMessage{
			DBInstanceIdentifier: new("from-snap"), DBSnapshotIdentifier: new("snap"), DBName: new("elsewhere")}))
	a.engines.mu.Lock()
	a.engines.window = port.RestoreWindow{Earliest: a.Clock.Now().Add(-time.Hour), Latest: a.Clock.Now()}
	a.engines.mu.Unlock()
	toTime := kittest.Must[*rdsapi.RestoreDBInstanceToPointInTimeResult](t)(kittest.Call(a.Harness, "us-east-1",
		rdsapi.OpRestoreDBInstanceToPointInTime, &rdsapi.RestoreDBInstanceToPointInTimeMessage{
			SourceDBInstanceIdentifier: new("real"), TargetDBInstanceIdentifier: new("to-time"), UseLatestRestorableTime: new(true),
			DBName: new("elsewhere")}))
	for _, got := range []*rdsapi.DBInstance{fromSnap.DBInstance, toTime.DBInstance} {
		if got.DBName == nil || *got.DBName != "shop" {
			t.Errorf("%s answers DBName %v, want the source's shop", *got.DBInstanceIdentifier, got.DBName)
		}
	}
	a.advance(3)
	for _, id := range []string{"from-snap", "to-time"} {
		out := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(a.Harness, "us-east-1", rdsapi.OpDescribeDBInstances,
			&rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new(id)}))
		if db := out.DBInstances[0]; db.DBName == nil || *db.DBName != "shop" {
			t.Errorf("%s is described with DBName %v", id, db.DBName)
		}
	}
	a.engines.mu.Lock()
	defer a.engines.mu.Unlock()
	if len(a.engines.restores) != 2 {
		t.Fatalf("restores asked: %+v", a.engines.restores)
	}
	for _, r := range a.engines.restores {
		if r.DBName != "shop" || r.MasterUsername != "app" {
			t.Errorf("a server restored with database %q and master %q", r.DBName, r.MasterUsername)
		}
	}
}
