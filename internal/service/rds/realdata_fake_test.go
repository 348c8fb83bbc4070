package rds_test

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// fakeEngines is a port.DatabaseEngines that finishes its operations when told to, and
// records what it was asked.
type fakeEngines struct {
	mu        sync.Mutex
	ready     bool
	fail      error // what every operation answers, when set
	calls     []string
	window    port.RestoreWindow
	server    port.DBServer
	restores  []port.DBRestore
	passwords []string // every password SetPassword was asked to set
	dropped   []port.BackupStore
	replicas  []port.DBReplica // what CreateReplica was asked for
	lag       time.Duration    // every replica's
}

func (f *fakeEngines) step(call string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	return f.ready && f.fail == nil, f.fail
}

func (f *fakeEngines) setReady(r bool)   { f.mu.Lock(); f.ready = r; f.mu.Unlock() }
func (f *fakeEngines) setFail(err error) { f.mu.Lock(); f.fail = err; f.mu.Unlock() }
func (f *fakeEngines) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

func (f *fakeEngines) Runs(engine string) bool { return engine == "postgres" }
func (f *fakeEngines) Endpoint(string) (port.DBEndpoint, bool) {
	return port.DBEndpoint{Address: "127.0.0.1", Port: 45432, Version: "15.18"}, f.ready
}
func (f *fakeEngines) Create(_ kit.Tx, _ string, s port.DBServer) (bool, error) {
	f.mu.Lock()
	f.server = s
	f.mu.Unlock()
	return f.step("create")
}
func (f *fakeEngines) Restore(_ kit.Tx, _ string, r port.DBRestore) (bool, error) {
	f.mu.Lock()
	f.restores = append(f.restores, r)
	f.mu.Unlock()
	return f.step("restore")
}
func (f *fakeEngines) Stop(string, string) (bool, error)   { return f.step("stop") }
func (f *fakeEngines) Start(string, string) (bool, error)  { return f.step("start") }
func (f *fakeEngines) Reboot(string, string) (bool, error) { return f.step("reboot") }
func (f *fakeEngines) SetPassword(_, _, password string) (bool, error) {
	f.mu.Lock()
	f.passwords = append(f.passwords, password)
	f.mu.Unlock()
	return f.step("password")
}
func (f *fakeEngines) Delete(string, string) (bool, error) { return f.step("delete") }
func (f *fakeEngines) Backup(string, string) (bool, error) { return f.step("backup") }
func (f *fakeEngines) Snapshot(kit.Tx, string, string, port.BackupStore) (bool, error) {
	return f.step("snapshot")
}
func (f *fakeEngines) CopyBackups(kit.Tx, string, port.BackupStore, port.BackupStore) (bool, error) {
	return f.step("copy")
}
func (f *fakeEngines) Replicate(kit.Tx, port.BackupStore, port.BackupStore) error { return nil }
func (f *fakeEngines) StopReplicating(port.BackupStore) error                     { return nil }
func (f *fakeEngines) Window(port.BackupStore) (port.RestoreWindow, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.window, !f.window.Latest.IsZero()
}
func (f *fakeEngines) Prune(port.BackupStore, time.Time) error { return nil }
func (f *fakeEngines) DropBackups(ref port.BackupStore) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropped = append(f.dropped, ref)
	return nil
}

func (f *fakeEngines) CreateReplica(_ kit.Tx, _ string, r port.DBReplica) (bool, error) {
	f.mu.Lock()
	f.replicas = append(f.replicas, r)
	f.mu.Unlock()
	return f.step("replica")
}
func (f *fakeEngines) ReplicaLag(string) (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lag, f.ready
}
func (f *fakeEngines) PromoteReplica(string, string) (bool, error) { return f.step("promote") }

// droppedNames are the names of the stores of kind dropped so far.
func (f *fakeEngines) droppedNames(kind string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, ref := range f.dropped {
		if ref.Kind == kind {
			out = append(out, ref.Name)
		}
	}
	return out
}

// TestRealDataStepsWaitForTheEngines: a PostgreSQL instance stays creating until its
// server is made, shows the server's endpoint and the backups' window once available,
// and its master password reaches the server but never the store in plain text; an
// instance of another engine never asks the engines.
func TestRealDataStepsWaitForTheEngines(t *testing.T) {
	engines := &fakeEngines{}
	h := alone(t, kittest.NewKeyRing(), kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.DatabaseEngines](p, engines)
	}))
	in := &rdsapi.CreateDBInstanceMessage{DBInstanceIdentifier: new("real"), Engine: new("postgres"), EngineVersion: new("15"),
		DBInstanceClass: new("db.t3.micro"), AllocatedStorage: new(int64(20)), MasterUsername: new("app"),
		MasterUserPassword: new("a-password-never-stored"), BackupRetentionPeriod: new(int64(7))}
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in))
	status := func(id string) *rdsapi.DBInstance {
		out := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBInstances,
			&rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new(id)}))
		return &out.DBInstances[0]
	}
	for range 3 {
		h.Advance(time.Second)
	}
	if s := *status("real").DBInstanceStatus; s != "creating" {
		t.Fatalf("status %s while the server is being made", s)
	}
	if engines.server.MasterPassword != "a-password-never-stored" || engines.server.Backups.Kind != port.AutomatedBackups {
		t.Errorf("the engines were asked for %+v", engines.server)
	}
	noPlainPassword(t, h.Store, "a-password-never-stored")

	engines.setReady(true)
	latest := h.Clock.Now().Add(-time.Second)
	engines.window = port.RestoreWindow{Earliest: latest.Add(-time.Minute), Latest: latest}
	for range 3 {
		h.Advance(time.Second)
	}
	db := status("real")
	if *db.DBInstanceStatus != "available" || *db.Endpoint.Address != "127.0.0.1" || *db.Endpoint.Port != 45432 {
		t.Errorf("available instance: %s %+v", *db.DBInstanceStatus, db.Endpoint)
	}
	if db.LatestRestorableTime == nil || !db.LatestRestorableTime.Equal(latest.Truncate(time.Millisecond)) {
		t.Errorf("LatestRestorableTime %v, want the backups' %v", db.LatestRestorableTime, latest)
	}
	if !strings.Contains(strings.Join(engines.calls, ","), "create,backup") {
		t.Errorf("calls %v", engines.calls)
	}

	before := len(engines.calls)
	mysql := *in
	mysql.DBInstanceIdentifier, mysql.Engine, mysql.EngineVersion = new("meta"), new("mysql"), new("8.0")
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, &mysql))
	h.Advance(time.Second)
	if s := *status("meta").DBInstanceStatus; s != "available" || len(engines.calls) != before {
		t.Errorf("a MySQL instance is %s after asking the engines %v", s, engines.calls[before:])
	}
}

// withRealInstance is RDS alone with engines, and a PostgreSQL instance "real" in
// us-east-1 keeping a day of backups (available once the engines are ready).
func withRealInstance(t *testing.T, engines *fakeEngines) *kittest.Harness {
	t.Helper()
	h := alone(t, kittest.NewKeyRing(), kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.DatabaseEngines](p, engines)
	}))
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, &rdsapi.CreateDBInstanceMessage{
		DBInstanceIdentifier: new("real"), Engine: new("postgres"), EngineVersion: new("15"), DBInstanceClass: new("db.t3.micro"),
		AllocatedStorage: new(int64(20)), MasterUsername: new("app"), MasterUserPassword: new("a-password"), BackupRetentionPeriod: new(int64(1))}))
	return h
}

// noPlainPassword fails if any stored value holds the password.
func noPlainPassword(t *testing.T, st store.Store, password string) {
	t.Helper()
	err := st.View(func(tx store.Tx) error {
		return tx.Scan("", "", func(key string, v []byte) bool {
			if bytes.Contains(v, []byte(password)) {
				t.Errorf("%q holds the password in plain text", key)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRealDataStoresGoWithTheirRecords: the data of automated snapshots that pass their
// retention, and of a retained automated backup that expires, is removed with the
// records, so a long-running server does not keep what RDS no longer shows.
func TestRealDataStoresGoWithTheirRecords(t *testing.T) {
	engines := &fakeEngines{ready: true}
	h := withRealInstance(t, engines)
	automated := func() []string {
		out := kittest.Must[*rdsapi.DBSnapshotMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBSnapshots,
			&rdsapi.DescribeDBSnapshotsMessage{DBInstanceIdentifier: new("real"), SnapshotType: new("automated")}))
		var ids []string
		for _, sn := range out.DBSnapshots {
			ids = append(ids, *sn.DBSnapshotIdentifier)
		}
		return ids
	}
	var seen []string
	for range 4 * 24 {
		h.Advance(time.Hour)
		for _, id := range automated() {
			if !slices.Contains(seen, id) {
				seen = append(seen, id)
			}
		}
	}
	kept := automated()
	if len(seen) < 3 || len(kept) == 0 {
		t.Fatalf("automated snapshots seen %v, kept %v: the daily backups did not run", seen, kept)
	}
	dropped := engines.droppedNames(port.SnapshotBackups)
	for _, id := range seen {
		if gone := !slices.Contains(kept, id); gone != slices.Contains(dropped, id) {
			t.Errorf("snapshot %s: expired %t, its data dropped %t (dropped %v)", id, gone, !gone, dropped)
		}
	}

	kittest.Must[*rdsapi.DeleteDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBInstance, &rdsapi.DeleteDBInstanceMessage{
		DBInstanceIdentifier: new("real"), SkipFinalSnapshot: new(true), DeleteAutomatedBackups: new(false)}))
	for range 3 * 24 {
		h.Advance(time.Hour)
	}
	retained := kittest.Must[*rdsapi.DBInstanceAutomatedBackupMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBInstanceAutomatedBackups,
		&rdsapi.DescribeDBInstanceAutomatedBackupsMessage{}))
	if len(retained.DBInstanceAutomatedBackups) != 0 {
		t.Fatalf("the retained backup outlived its retention: %+v", retained.DBInstanceAutomatedBackups)
	}
	if got := engines.droppedNames(port.AutomatedBackups); len(got) != 1 {
		t.Errorf("automated backup stores dropped: %v, want the expired one", got)
	}
	if got := engines.droppedNames(port.SnapshotBackups); len(got) != len(seen) {
		t.Errorf("snapshot stores dropped: %v, want all of %v", got, seen)
	}
}
