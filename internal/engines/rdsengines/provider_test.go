package rdsengines

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/xtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const (
	account  = "123456789012"
	master   = "app"
	password = "secret-password"
	needle   = "xregion-row-that-must-not-be-readable"
)

// env is a provider on a memory store with a fake key ring, and a switch that cuts
// us-east-1 off.
type env struct {
	t        *testing.T
	p        *Provider
	st       store.Store
	keys     *kittest.KeyRing
	eastDown atomic.Bool
}

func newEnv(t *testing.T) *env {
	pgtest.Need(t)
	e := &env{t: t, st: memory.New(), keys: kittest.NewKeyRing()}
	p, err := Open(context.Background(), Config{Dir: pgtest.Dir(t), Store: e.st, Root: seal.Ephemeral(), NoSync: true,
		Every: 200 * time.Millisecond, Unreachable: func(region string) bool { return region == "us-east-1" && e.eastDown.Load() }})
	if err != nil {
		t.Fatal(err)
	}
	p.keys = e.keys
	p.Run()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	e.p = p
	return e
}

// await calls an asynchronous operation until it is done.
func (e *env) await(what string, call func(tx kit.Tx) (bool, error)) {
	e.t.Helper()
	xtest.CheckFor(e.t, 2*time.Minute, func() error {
		var done bool
		err := e.st.Update(func(tx store.Tx) error {
			var err error
			done, err = call(kit.Adopt(tx))
			return err
		})
		if err != nil {
			e.t.Fatalf("%s: %v", what, err)
		}
		if !done {
			return fmt.Errorf("%s is not done", what)
		}
		return nil
	})
}

func (e *env) rows(id string) []int {
	e.t.Helper()
	ep, ok := e.p.Endpoint(id)
	if !ok || ep.Address != "127.0.0.1" {
		e.t.Fatalf("endpoint of %s: %+v %v", id, ep, ok)
	}
	return pgtest.Ints(e.t, pgtest.MustConnect(e.t, ep.Port, master, password, "shop"), "SELECT id FROM orders ORDER BY id")
}

// windowReaches waits until the store's window reaches t.
func (e *env) windowReaches(ref port.BackupStore, t time.Time) {
	e.t.Helper()
	xtest.CheckFor(e.t, time.Minute, func() error {
		if w, ok := e.p.Window(ref); !ok || w.Latest.Before(t) {
			return fmt.Errorf("window of %s is %+v (%v), waiting for %s", ref.Name, w, ok, t)
		}
		return nil
	})
}

func automated(region, name, key string) port.BackupStore {
	return port.BackupStore{Account: account, Region: region, Kind: port.AutomatedBackups, Name: name, KeyARN: key}
}

// TestRealEngines: a server made through the port keeps rows; its automated backups,
// sealed with a data key of its KMS key, restore to a point in time and to the latest
// time; a replica in another Region falls behind while the source Region is cut off and
// catches up after; a snapshot, copied across Regions, restores with its data; and
// nothing in the backup stores shows a row.
func TestRealEngines(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eastKey, westKey := e.keys.AddKey(account, "us-east-1"), e.keys.AddKey(account, "us-west-2")
	src := automated("us-east-1", "db-source", eastKey)
	e.await("create", func(tx kit.Tx) (bool, error) {
		return e.p.Create(tx, "create/1", port.DBServer{ID: "db-source", EngineVersion: "15", MasterUsername: master,
			MasterPassword: password, DBName: "shop", Backups: src})
	})
	ep, _ := e.p.Endpoint("db-source")
	conn := pgtest.MustConnect(t, ep.Port, master, password, "shop")
	pgtest.Exec(t, conn, "CREATE TABLE orders (id int PRIMARY KEY)", "CREATE TABLE notes (t text)",
		"INSERT INTO notes VALUES ('"+needle+"')", "INSERT INTO orders SELECT generate_series(1, 3)")
	e.await("backup", func(kit.Tx) (bool, error) { return e.p.Backup("backup/1", "db-source") })
	// xregion's clock is moved an hour ahead: from now on RDS's times are an hour ahead
	// of the servers' commit times, and a restore to the clock's "between" must still
	// land between the batches.
	e.p.NoteClock(time.Hour)
	clock := func() time.Time { return time.Now().Add(time.Hour) }
	between := clock()
	pgtest.Exec(t, conn, "INSERT INTO orders SELECT generate_series(4, 6)")
	wrote := clock()
	e.windowReaches(src, wrote)

	dst := automated("us-west-2", "db-source", westKey)
	e.await("replicate", func(tx kit.Tx) (bool, error) { return true, e.p.Replicate(tx, src, dst) })
	e.windowReaches(dst, wrote)
	e.eastDown.Store(true)
	pgtest.Exec(t, conn, "INSERT INTO orders VALUES (7)")
	cut := clock()
	e.windowReaches(src, cut)
	e.p.replicateOnce() // a round while cut off copies nothing
	if w, _ := e.p.Window(dst); !w.Latest.Before(cut) {
		t.Errorf("the replica's window reached %s while its source Region was cut off", w.Latest)
	}
	e.eastDown.Store(false)
	e.windowReaches(dst, cut)

	for id, r := range map[string]port.DBRestore{
		"db-between": {From: dst, Time: between}, "db-latest": {From: dst, Latest: true},
	} {
		r.ID, r.MasterUsername, r.DBName, r.Backups = id, master, "shop", automated("us-west-2", id, "")
		e.await("restore "+id, func(tx kit.Tx) (bool, error) { return e.p.Restore(tx, "restore/"+id, r) })
	}
	if got := e.rows("db-between"); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("restored to the time between the batches: %v", got)
	}
	if got := e.rows("db-latest"); !slices.Equal(got, []int{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("restored to the latest time: %v", got)
	}
	e.snapshots(src)
	e.noRowInBackups()

	if err := e.p.Wipe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.p.Status(); len(st) != 0 {
		t.Errorf("servers after a wipe: %+v", st)
	}
	if _, ok := e.p.Window(src); ok {
		t.Error("backups after a wipe")
	}
}

// snapshots snapshots the source, copies the snapshot to another Region and restores it.
func (e *env) snapshots(src port.BackupStore) {
	snap := port.BackupStore{Account: account, Region: "us-east-1", Kind: port.SnapshotBackups, Name: "snap"}
	e.await("snapshot", func(tx kit.Tx) (bool, error) { return e.p.Snapshot(tx, "snapshot/1", "db-source", snap) })
	copied := port.BackupStore{Account: account, Region: "us-west-2", Kind: port.SnapshotBackups, Name: "snap-copy"}
	e.await("copy", func(tx kit.Tx) (bool, error) { return e.p.CopyBackups(tx, "copy/1", snap, copied) })
	r := port.DBRestore{ID: "db-snap", MasterUsername: master, DBName: "shop", From: copied, Snapshot: true,
		Backups: automated("us-west-2", "db-snap", "")}
	e.await("restore snapshot", func(tx kit.Tx) (bool, error) { return e.p.Restore(tx, "restore/snap", r) })
	if got := e.rows("db-snap"); !slices.Equal(got, []int{1, 2, 3, 4, 5, 6, 7}) {
		e.t.Errorf("restored from the snapshot: %v", got)
	}
	e.await("delete", func(kit.Tx) (bool, error) { return e.p.Delete("delete/1", "db-snap") })
	if _, ok := e.p.Endpoint("db-snap"); ok {
		e.t.Error("a deleted server still has an endpoint")
	}
	if err := e.p.DropBackups(copied); err != nil {
		e.t.Fatal(err)
	}
	if _, ok := e.p.Window(copied); ok {
		e.t.Error("a dropped store still has a window")
	}
}

// noRowInBackups: no file of any backup store, key files included, shows the row.
func (e *env) noRowInBackups() {
	root := filepath.Join(e.p.cfg.Dir, "backups")
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(needle)) {
			e.t.Errorf("%s holds a row in plain text", path)
		}
		return err
	})
	if err != nil || files == 0 {
		e.t.Fatalf("walking %s: %v (%d files)", root, err, files)
	}
}

// TestTasksRunOnce: an operation runs once however often it is asked for; its failure
// is told once, and asking again runs it again.
func TestTasksRunOnce(t *testing.T) {
	tk := newTasks()
	defer tk.close(context.Background())
	var runs atomic.Int32
	release := make(chan struct{})
	op := func(context.Context) error {
		runs.Add(1)
		<-release
		return nil
	}
	for range 3 {
		if done, err := tk.run("a", op); done || err != nil {
			t.Fatalf("run = %v, %v", done, err)
		}
	}
	close(release)
	xtest.CheckFor(t, 10*time.Second, func() error {
		if done, _ := tk.run("a", op); !done {
			return fmt.Errorf("not done")
		}
		return nil
	})
	if runs.Load() != 1 {
		t.Errorf("ran %d times", runs.Load())
	}
	fail := func(context.Context) error { runs.Add(1); return fmt.Errorf("broken") }
	tk.run("b", fail)
	xtest.CheckFor(t, 10*time.Second, func() error {
		if done, err := tk.run("b", fail); !done || err == nil {
			return fmt.Errorf("no failure yet")
		}
		return nil
	})
	if done, err := tk.run("b", fail); done || err != nil {
		t.Errorf("after its failure was told, the op did not start again: %v %v", done, err)
	}
}

// TestAwaitWriters: what waits for writers (a restore from a snapshot being taken, the
// deletion of a server being made) goes on once the last of them ends.
func TestAwaitWriters(t *testing.T) {
	p := &Provider{writing: map[string]int{}}
	first, second := p.writer("server/db-1"), p.writer("server/db-1")
	done := make(chan error, 1)
	go func() { done <- p.awaitWriters(context.Background(), "server/db-1") }()
	first()
	select {
	case err := <-done:
		t.Fatalf("returned (%v) while a writer remained", err)
	default:
	}
	second()
	xtest.CheckFor(t, 10*time.Second, func() error {
		select {
		case err := <-done:
			return err
		default:
			return fmt.Errorf("still waiting")
		}
	})
	if err := p.awaitWriters(context.Background(), "server/db-2"); err != nil {
		t.Error(err)
	}
}
