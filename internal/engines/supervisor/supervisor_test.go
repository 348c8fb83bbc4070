package supervisor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/engines/postgres"
	"github.com/xregion/xregion/internal/engines/proc"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/xtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		runHelper()
		return
	}
	os.Exit(pgtest.Main(m))
}

const (
	master   = "admin"
	password = "Passw0rd-one"
)

// stores gives every server a backup store of its own under dir, as RDS gives each
// instance one in its Region.
type stores struct {
	dir string
	mu  sync.Mutex
	m   map[string]*backupstore.Store
	key *seal.Sealer
}

func newStores(t *testing.T) *stores {
	return &stores{dir: t.TempDir(), m: map[string]*backupstore.Store{}, key: seal.Ephemeral()}
}

func (b *stores) BackupStore(id string) (*backupstore.Store, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st, ok := b.m[id]; ok {
		return st, nil
	}
	st, err := backupstore.Open(filepath.Join(b.dir, id), b.key)
	if err == nil {
		b.m[id] = st
	}
	return st, err
}

func config(dir string, backups BackupResolver) Config {
	return Config{Dir: dir, Backups: backups, FlushEvery: -1, NoSync: true,
		BinDir: os.Getenv("XREGION_POSTGRES_BIN"), Logf: func(string, ...any) {}}
}

// open opens a supervisor on dir, closed when the test ends.
func open(t *testing.T, cfg Config) *Supervisor {
	t.Helper()
	pgtest.Need(t)
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func create(t *testing.T, s *Supervisor, id string) Status {
	t.Helper()
	st, err := s.Create(context.Background(), CreateSpec{ID: id, EngineVersion: "15.4",
		MasterUsername: master, MasterPassword: password, DBName: "app"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// fill creates table t in the server's database with rows 1..n.
func fill(t *testing.T, port, n int) {
	t.Helper()
	conn := pgtest.MustConnect(t, port, master, password, "app")
	pgtest.Exec(t, conn, "CREATE TABLE t (n int)", "INSERT INTO t SELECT generate_series(1, "+strconv.Itoa(n)+")")
	conn.Close(context.Background())
}

// openBare opens a supervisor the test closes itself.
func openBare(t *testing.T, dir string) *Supervisor {
	t.Helper()
	pgtest.Need(t)
	s, err := Open(context.Background(), config(dir, nil))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func count(t *testing.T, port int) int {
	t.Helper()
	conn := pgtest.MustConnect(t, port, master, password, "app")
	defer conn.Close(context.Background())
	return pgtest.Ints(t, conn, "SELECT count(*) FROM t")[0]
}

func waitState(t *testing.T, s *Supervisor, id string, want State) Status {
	t.Helper()
	var st Status
	xtest.CheckFor(t, 2*time.Minute, func() error {
		var err error
		if st, err = s.StatusOf(id); err != nil {
			return err
		}
		if st.State != want {
			return fmt.Errorf("%s is %s (%s), want %s", id, st.State, st.Error, want)
		}
		return nil
	})
	return st
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, config(pgtest.Dir(t), nil))
	st := create(t, s, "db-life")
	if st.State != StateRunning || st.Address != "127.0.0.1" || st.Port == 0 || st.Version == "" || st.PID == 0 {
		t.Fatalf("created %+v", st)
	}
	fill(t, st.Port, 2)

	if _, err := s.Create(ctx, CreateSpec{ID: "db-life", MasterUsername: master, MasterPassword: password}); !errors.Is(err, ErrExists) {
		t.Errorf("a second db-life: %v", err)
	}
	if _, err := s.Create(ctx, CreateSpec{ID: "../x", MasterUsername: master, MasterPassword: password}); err == nil {
		t.Error("an id with a path in it")
	}

	if err := s.Stop(ctx, "db-life"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.StatusOf("db-life"); got.State != StateStopped || got.PID != 0 || proc.Alive(st.PID) {
		t.Errorf("stopped: %+v", got)
	}
	if err := s.SetMasterPassword(ctx, "db-life", "x"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("password change of a stopped server: %v", err)
	}
	if err := s.Start(ctx, "db-life"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.StatusOf("db-life"); got.Port != st.Port || count(t, got.Port) != 2 {
		t.Errorf("after start: %+v", got)
	}
	if err := s.Reboot(ctx, "db-life"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMasterPassword(ctx, "db-life", "Passw0rd-two"); err != nil {
		t.Fatal(err)
	}
	pgtest.MustConnect(t, st.Port, master, "Passw0rd-two", "app")

	if err := s.Delete(ctx, "db-life"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StatusOf("db-life"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted server: %v", err)
	}
	if _, err := os.Stat(s.serverDir("db-life")); !os.IsNotExist(err) {
		t.Errorf("deleted server's directory: %v", err)
	}
	if len(s.Status()) != 0 {
		t.Errorf("status after delete: %+v", s.Status())
	}
}

func TestOneSupervisorPerDirectory(t *testing.T) {
	t.Parallel()
	dir := pgtest.Dir(t)
	open(t, config(dir, nil))
	if _, err := Open(context.Background(), config(dir, nil)); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second supervisor on the same directory: %v", err)
	}
}

func TestRestartsAServerThatDies(t *testing.T) {
	t.Parallel()
	s := open(t, config(pgtest.Dir(t), nil))
	st := create(t, s, "db-dies")
	fill(t, st.Port, 1)

	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	xtest.CheckFor(t, 2*time.Minute, func() error {
		got, _ := s.StatusOf("db-dies")
		if got.State != StateRunning || got.PID == st.PID || got.Restarts != 1 {
			return fmt.Errorf("status %+v", got)
		}
		return nil
	})
	if n := count(t, st.Port); n != 1 {
		t.Errorf("%d rows after the restart", n)
	}
}

func TestCloseStopsAllAndOpenBringsThemBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := pgtest.Dir(t)
	s := openBare(t, dir)
	running, stopped := create(t, s, "db-running"), create(t, s, "db-stopped")
	fill(t, running.Port, 3)
	if err := s.Stop(ctx, "db-stopped"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{running.PID, stopped.PID} {
		if proc.Alive(pid) {
			t.Errorf("postmaster %d still running after Close", pid)
		}
	}

	s = open(t, config(dir, nil))
	back := waitState(t, s, "db-running", StateRunning)
	if back.Port != running.Port || count(t, back.Port) != 3 {
		t.Errorf("after reopening: %+v", back)
	}
	if got, _ := s.StatusOf("db-stopped"); got.State != StateStopped {
		t.Errorf("a stopped server came back as %+v", got)
	}
}

// TestReclaimsAServerLeftRunning: a server still runs on a data directory when the
// supervisor opens — left by an earlier xregion that died where no parent-death signal
// exists, or still shutting down. Open stops it and starts the server as its own child,
// on the same port, with its data.
func TestReclaimsAServerLeftRunning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := pgtest.Dir(t)
	s := openBare(t, dir)
	st := create(t, s, "db-orphan")
	fill(t, st.Port, 1)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// The leftover: the same server, started outside any supervisor.
	user, _ := proc.ServerIdentity("")
	install := pgtest.Need(t)
	orphan := postgres.New(postgres.Spec{ID: "db-orphan", Dir: filepath.Join(dir, "servers", "db-orphan"), Install: install,
		Port: st.Port, MasterUsername: master, DBName: "app"}, user)
	if err := orphan.Start(ctx); err != nil {
		t.Fatal(err)
	}
	orphanPID := orphan.PID()

	s = open(t, config(dir, nil))
	back := waitState(t, s, "db-orphan", StateRunning)
	if back.PID == orphanPID || orphan.Running() {
		t.Fatalf("the leftover postmaster %d still runs (status %+v)", orphanPID, back)
	}
	if count(t, back.Port) != 1 {
		t.Error("rows lost")
	}
}

func TestRemovesAHalfMadeServer(t *testing.T) {
	t.Parallel()
	dir := pgtest.Dir(t)
	stray := filepath.Join(dir, "servers", "db-half", "data")
	if err := os.MkdirAll(stray, 0o700); err != nil {
		t.Fatal(err)
	}
	open(t, config(dir, nil))
	if _, err := os.Stat(filepath.Dir(stray)); !os.IsNotExist(err) {
		t.Errorf("a server directory without a record survived Open: %v", err)
	}
}

func TestBackupAndRestoreThroughTheSupervisor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backups := newStores(t)
	s := open(t, config(pgtest.Dir(t), backups))
	st := create(t, s, "db-source")
	conn := pgtest.MustConnect(t, st.Port, master, password, "app")
	pgtest.Exec(t, conn, "CREATE TABLE t (n int)")
	if _, err := s.BaseBackup(ctx, "db-source"); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, conn, "INSERT INTO t VALUES (1)")
	between := time.Now()
	pgtest.Exec(t, conn, "INSERT INTO t VALUES (2)")
	if _, err := s.Flush(ctx, "db-source"); err != nil {
		t.Fatal(err)
	}
	from, _ := backups.BackupStore("db-source")
	restored, err := s.Restore(ctx, RestoreSpec{ID: "db-restored", MasterUsername: master, DBName: "app",
		From: from, Target: postgres.Target{Time: between}})
	if err != nil {
		t.Fatal(err)
	}
	if restored.Port == st.Port || restored.State != StateRunning || count(t, restored.Port) != 1 {
		t.Errorf("restored %+v", restored)
	}
	ids := []string{}
	for _, x := range s.Status() {
		ids = append(ids, x.ID)
	}
	if !slices.Equal(ids, []string{"db-restored", "db-source"}) {
		t.Errorf("status lists %v", ids)
	}
	if _, err := s.Restore(ctx, RestoreSpec{ID: "db-source", MasterUsername: master, From: from, Target: postgres.Target{Time: between}}); !errors.Is(err, ErrExists) {
		t.Errorf("restore onto an existing id: %v", err)
	}
}

// TestFlushesByItself: with FlushEvery set, the store's window keeps up with the server
// without anyone calling Flush.
func TestFlushesByItself(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backups := newStores(t)
	cfg := config(pgtest.Dir(t), backups)
	cfg.FlushEvery = 100 * time.Millisecond
	s := open(t, cfg)
	create(t, s, "db-flushed")
	if _, err := s.BaseBackup(ctx, "db-flushed"); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	st, _ := backups.BackupStore("db-flushed")
	xtest.CheckFor(t, time.Minute, func() error {
		w, err := st.Window()
		if err != nil || !w.Latest.After(after) {
			return fmt.Errorf("window %+v, %v", w, err)
		}
		return nil
	})
}

// TestNotUpYetIsNotStopped: a server that should run but cannot start yet (its port is
// held by someone else after a restart of xregion) answers ErrNotUpYet, which passes,
// and not ErrNotRunning, which callers take for a stopped server; once it can start it
// runs and answers.
func TestNotUpYetIsNotStopped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := pgtest.Dir(t)
	s := openBare(t, dir)
	st := create(t, s, "db-blocked")
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(Address, strconv.Itoa(st.Port)))
	if err != nil {
		t.Fatal(err)
	}
	s = open(t, config(dir, newStores(t)))
	xtest.CheckFor(t, 2*time.Minute, func() error {
		if got, _ := s.StatusOf("db-blocked"); got.Error == "" {
			return fmt.Errorf("the blocked server has not failed to start yet: %+v", got)
		}
		return nil
	})
	if _, err := s.BaseBackup(ctx, "db-blocked"); !errors.Is(err, ErrNotUpYet) || errors.Is(err, ErrNotRunning) {
		t.Errorf("a base backup of a server that should run and cannot yet: %v", err)
	}
	l.Close()
	waitState(t, s, "db-blocked", StateRunning)
	if _, err := s.BaseBackup(ctx, "db-blocked"); err != nil {
		t.Errorf("once up: %v", err)
	}
}
