package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/engines/pgbin"
	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

const (
	realMaster   = "app"
	realPassword = "first-password-1"
	realDB       = "shop"
)

// needPostgres skips, loudly, without PostgreSQL's server programs.
func needPostgres(t *testing.T) {
	t.Helper()
	_, err := pgbin.Find(context.Background(), os.Getenv("XREGION_POSTGRES_BIN"))
	need(t, "PostgreSQL (apt-get install postgresql)", err == nil)
}

// reachableDir is a data directory the servers' user can reach when the tests run as
// root: t.TempDir makes private directories, which xregion's PostgreSQL user could not
// pass through.
func reachableDir(t *testing.T) string {
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// realEnv is a real-engines xregion and RDS clients in two Regions.
type realEnv struct {
	t          *testing.T
	srv        *server
	east, west *rds.Client
}

func (e *realEnv) connect() {
	e.east = rds.NewFromConfig(xtest.DefaultConfig(e.srv.URL, "us-east-1"))
	e.west = rds.NewFromConfig(xtest.DefaultConfig(e.srv.URL, "us-west-2"))
}

// available waits for an instance to be available and returns it.
func (e *realEnv) available(c *rds.Client, id string) types.DBInstance {
	e.t.Helper()
	return e.availableWithin(c, id, 3*time.Minute)
}

// availableWithin waits up to d for an instance to be available and returns it.
func (e *realEnv) availableWithin(c *rds.Client, id string, d time.Duration) types.DBInstance {
	e.t.Helper()
	var inst types.DBInstance
	xtest.CheckFor(e.t, d, func() error {
		out, err := c.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil {
			return err
		}
		inst = out.DBInstances[0]
		if s := aws.ToString(inst.DBInstanceStatus); s != "available" {
			return fmt.Errorf("%s is %s", id, s)
		}
		return nil
	})
	return inst
}

// rows reads the ids an instance's server holds, as a user's client would.
func (e *realEnv) rows(inst types.DBInstance, password string) []int {
	e.t.Helper()
	ep := inst.Endpoint
	if ep == nil || aws.ToString(ep.Address) != "127.0.0.1" {
		e.t.Fatalf("endpoint of %s: %+v", aws.ToString(inst.DBInstanceIdentifier), ep)
	}
	conn := pgtest.MustConnect(e.t, int(aws.ToInt32(ep.Port)), realMaster, password, realDB)
	defer conn.Close(context.Background()) // polled: a connection kept per call would use up the slots
	return pgtest.Ints(e.t, conn, "SELECT id FROM orders ORDER BY id")
}

// realInstance is a PostgreSQL 15 instance of the tests, with realPassword and realDB,
// keeping its automated backups for retention days.
func realInstance(id string, retention int32) *rds.CreateDBInstanceInput {
	return &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), EngineVersion: aws.String("15"),
		DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String(realMaster),
		MasterUserPassword: aws.String(realPassword), DBName: aws.String(realDB), BackupRetentionPeriod: aws.Int32(retention),
	}
}

// clockNow is xregion's clock.
func (e *realEnv) clockNow() time.Time {
	var c struct{ Now time.Time }
	e.srv.admin(e.t, "GET", "clock", "", &c)
	return c.Now
}

// TestRealDataAcrossRegions is the proof of the real engines: rows written in two
// batches in us-east-1, with a time recorded between them; the automated backups
// replicated to us-west-2; a snapshot copied there; us-east-1 cut off; then restores in
// us-west-2 to the recorded time (the first batch only), to the latest time and from
// the snapshot (both batches); and after kill -9 and a restart every server answers
// again on its port and no postgres is left from the killed xregion.
func TestRealDataAcrossRegions(t *testing.T) {
	t.Parallel()
	needPostgres(t)
	ctx := context.Background()
	dir := reachableDir(t)
	e := &realEnv{t: t, srv: startDurableServer(t, dir, "--real-engines")}
	e.connect()

	_, err := e.east.CreateDBInstance(ctx, realInstance("orders", 7))
	if err != nil {
		t.Fatal(err)
	}
	source := e.available(e.east, "orders")
	conn := pgtest.MustConnect(t, int(aws.ToInt32(source.Endpoint.Port)), realMaster, realPassword, realDB)
	pgtest.Exec(t, conn, "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 3)")

	// The recorded time: after the first batch's commits, before the second's, on the
	// millisecond the API carries.
	recorded := e.clockNow().Truncate(time.Millisecond).Add(time.Millisecond)
	xtest.CheckFor(t, time.Minute, func() error {
		if now := e.clockNow(); !now.After(recorded.Add(10 * time.Millisecond)) {
			return fmt.Errorf("the clock reads %s", now)
		}
		return nil
	})
	pgtest.Exec(t, conn, "INSERT INTO orders SELECT generate_series(4, 6)")
	wrote := e.clockNow()

	replica := e.replicate(source)
	e.snapshotToWest()
	e.waitReplicated(replica, wrote)

	e.srv.admin(t, "POST", "faults", `{"region":"us-east-1","unreachable":true}`, nil)
	e.restoreToTime(replica, "at-recorded-time", recorded)
	e.restoreToTime(replica, "at-latest-time", time.Time{})
	if _, err := e.west.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{
		DBInstanceIdentifier: aws.String("from-snapshot"), DBSnapshotIdentifier: aws.String("orders-copy"),
	}); err != nil {
		t.Fatal(err)
	}
	checks := map[string][]int{"at-recorded-time": {1, 2, 3}, "at-latest-time": {1, 2, 3, 4, 5, 6}, "from-snapshot": {1, 2, 3, 4, 5, 6}}
	for id, want := range checks {
		if got := e.rows(e.available(e.west, id), realPassword); !slices.Equal(got, want) {
			t.Errorf("%s holds %v, want %v", id, got, want)
		}
	}
	e.checkHealth(4)
	e.restartAfterKill(map[string][]int{"orders": {1, 2, 3, 4, 5, 6}, "at-recorded-time": {1, 2, 3}})
}

// replicate starts replicating the source's automated backups to us-west-2 and waits
// for the replica to have something to restore.
func (e *realEnv) replicate(source types.DBInstance) types.DBInstanceAutomatedBackup {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.west.StartDBInstanceAutomatedBackupsReplication(ctx, &rds.StartDBInstanceAutomatedBackupsReplicationInput{
		SourceDBInstanceArn: source.DBInstanceArn,
	}); err != nil {
		e.t.Fatal(err)
	}
	var replica types.DBInstanceAutomatedBackup
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		out, err := e.west.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{
			DbiResourceId: source.DbiResourceId})
		if err != nil {
			return err
		}
		if len(out.DBInstanceAutomatedBackups) != 1 {
			return fmt.Errorf("replicas: %+v", out.DBInstanceAutomatedBackups)
		}
		replica = out.DBInstanceAutomatedBackups[0]
		if aws.ToString(replica.Status) != "replicating" || replica.RestoreWindow == nil || replica.RestoreWindow.LatestTime == nil {
			return fmt.Errorf("replica is %s, window %+v", aws.ToString(replica.Status), replica.RestoreWindow)
		}
		return nil
	})
	return replica
}

// waitReplicated waits until the replica's window reaches t.
func (e *realEnv) waitReplicated(replica types.DBInstanceAutomatedBackup, t time.Time) {
	e.t.Helper()
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		out, err := e.west.DescribeDBInstanceAutomatedBackups(context.Background(), &rds.DescribeDBInstanceAutomatedBackupsInput{
			DBInstanceAutomatedBackupsArn: replica.DBInstanceAutomatedBackupsArn})
		if err != nil {
			return err
		}
		w := out.DBInstanceAutomatedBackups[0].RestoreWindow
		if w == nil || w.LatestTime == nil || w.LatestTime.Before(t) {
			return fmt.Errorf("replicated window %+v, waiting for %s", w, t)
		}
		return nil
	})
}

// snapshotToWest snapshots the source and copies the snapshot to us-west-2.
func (e *realEnv) snapshotToWest() {
	e.t.Helper()
	ctx := context.Background()
	snap, err := e.east.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("orders"),
		DBSnapshotIdentifier: aws.String("orders-snap")})
	if err != nil {
		e.t.Fatal(err)
	}
	e.snapshotAvailable(e.east, "orders-snap")
	if _, err := e.west.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: snap.DBSnapshot.DBSnapshotArn,
		TargetDBSnapshotIdentifier: aws.String("orders-copy"), SourceRegion: aws.String("us-east-1")}); err != nil {
		e.t.Fatal(err)
	}
	e.snapshotAvailable(e.west, "orders-copy")
}

func (e *realEnv) snapshotAvailable(c *rds.Client, id string) {
	e.t.Helper()
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		out, err := c.DescribeDBSnapshots(context.Background(), &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)})
		if err != nil {
			return err
		}
		if s := aws.ToString(out.DBSnapshots[0].Status); s != "available" {
			return fmt.Errorf("snapshot %s is %s", id, s)
		}
		return nil
	})
}

// restoreToTime restores the replica in us-west-2 to at, or to its latest time when at
// is zero.
func (e *realEnv) restoreToTime(replica types.DBInstanceAutomatedBackup, id string, at time.Time) {
	e.t.Helper()
	in := &rds.RestoreDBInstanceToPointInTimeInput{TargetDBInstanceIdentifier: aws.String(id),
		SourceDBInstanceAutomatedBackupsArn: replica.DBInstanceAutomatedBackupsArn}
	if at.IsZero() {
		in.UseLatestRestorableTime = aws.Bool(true)
	} else {
		in.RestoreTime = aws.Time(at)
	}
	if _, err := e.west.RestoreDBInstanceToPointInTime(context.Background(), in); err != nil {
		e.t.Fatal(err)
	}
}

// checkHealth wants the health view to list at least n running servers with ports.
func (e *realEnv) checkHealth(n int) {
	e.t.Helper()
	var health struct {
		Engines []struct {
			ID, State string
			Port      int
		}
	}
	e.srv.admin(e.t, "GET", "health", "", &health)
	running := 0
	for _, s := range health.Engines {
		if s.State == "running" && s.Port > 0 {
			running++
		}
	}
	if running < n {
		e.t.Errorf("health lists %d running servers, want %d: %+v", running, n, health.Engines)
	}
}

// restartAfterKill kills xregion with -9, checks that its servers went with it, starts
// it again and reads every instance's rows on the port it had.
func (e *realEnv) restartAfterKill(want map[string][]int) {
	e.t.Helper()
	ports := map[string]int32{}
	for id := range want {
		c := e.clientOf(id)
		ports[id] = aws.ToInt32(e.available(c, id).Endpoint.Port)
	}
	killed := e.srv.cmd.Process.Pid
	e.srv.kill(e.t)
	xtest.CheckFor(e.t, 2*time.Minute, func() error {
		if left := postgresUnder(e.srv.dataDir); len(left) > 0 {
			return fmt.Errorf("postgres processes outlived xregion %d: %v", killed, left)
		}
		return nil
	})
	e.srv.start(e.t)
	e.connect()
	for id, rows := range want {
		var got []int
		xtest.CheckFor(e.t, 2*time.Minute, func() error {
			inst := e.available(e.clientOf(id), id)
			if p := aws.ToInt32(inst.Endpoint.Port); p != ports[id] {
				return fmt.Errorf("%s moved from port %d to %d", id, ports[id], p)
			}
			conn, err := pgtest.Connect(context.Background(), int(ports[id]), realMaster, realPassword, realDB)
			if err != nil {
				return err
			}
			defer conn.Close(context.Background())
			got = pgtest.Ints(e.t, conn, "SELECT id FROM orders ORDER BY id")
			return nil
		})
		if !slices.Equal(got, rows) {
			e.t.Errorf("after the restart %s holds %v, want %v", id, got, rows)
		}
	}
	for _, pid := range postgresUnder(e.srv.dataDir) {
		if parent := parentOf(pid); parent != e.srv.cmd.Process.Pid && !isPostgres(parent, e.srv.dataDir) {
			e.t.Errorf("postgres %d is not the new xregion's (its parent is %d)", pid, parent)
		}
	}
}

func (e *realEnv) clientOf(id string) *rds.Client {
	if id == "orders" {
		return e.east
	}
	return e.west
}

// postgresUnder lists the processes whose command line names a directory under dir:
// the servers of that data directory.
func postgresUnder(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err == nil && isPostgres(pid, dir) {
			out = append(out, pid)
		}
	}
	return out
}

func isPostgres(pid int, dir string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(string(b), "\x00")
	return strings.HasSuffix(args[0], "postgres") && strings.Contains(string(b), dir)
}

func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...: comm may hold spaces, so read after its ')'.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}
