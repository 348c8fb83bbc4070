package postgres

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/engines/proc"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const (
	master   = "postgres" // RDS's console suggests it; it must work
	password = "first-Passw0rd!"
)

// newServer creates a running server with a database "app", stopped and removed when the
// test ends.
func newServer(t testing.TB, id string) *Server {
	t.Helper()
	install := pgtest.Need(t)
	user, err := proc.ServerIdentity("")
	if err != nil {
		t.Fatal(err)
	}
	port, err := FreePort(nil)
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{ID: id, Dir: filepath.Join(pgtest.Dir(t), id), Install: install, Port: port,
		MasterUsername: master, DBName: "app"}
	s, err := Create(context.Background(), spec, user, password, CreateOptions{NoSync: true})
	return stopWhenDone(t, s, err)
}

// stopWhenDone fails the test on err, and stops s when the test ends.
func stopWhenDone(t testing.TB, s *Server, err error) *Server {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func wantAuthFailure(t *testing.T, err error) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || (pgErr.Code != "28P01" && pgErr.Code != "28000") {
		t.Fatalf("want an authentication failure, got %v", err)
	}
}

func TestCreateConnectAndChangePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t, "db-create")
	conn := pgtest.MustConnect(t, s.Spec().Port, master, password, "app")
	var user, db, version string
	var super bool
	if err := conn.QueryRow(ctx, "SELECT current_user, current_database(), current_setting('server_version'), rolsuper FROM pg_roles WHERE rolname = current_user").
		Scan(&user, &db, &version, &super); err != nil {
		t.Fatal(err)
	}
	if user != master || db != "app" || !super || !strings.HasPrefix(version, s.Spec().Install.Version) {
		t.Errorf("connected as %s to %s (superuser %v) on %s", user, db, super, version)
	}

	if err := s.SetMasterPassword(ctx, "second-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	_, err := pgtest.Connect(ctx, s.Spec().Port, master, password, "app")
	wantAuthFailure(t, err)
	pgtest.MustConnect(t, s.Spec().Port, master, "second-Passw0rd!", "app")

	// xregion's own superuser has no way in over TCP, whatever its password.
	_, err = pgtest.Connect(ctx, s.Spec().Port, AdminUser, "", "postgres")
	wantAuthFailure(t, err)

	if err := s.SetMasterPassword(ctx, "naïve-password"); !errors.Is(err, ErrPassword) {
		t.Errorf("a non-ASCII password: %v", err)
	}
}

func TestDataDirectoryIsPrivate(t *testing.T) {
	t.Parallel()
	s := newServer(t, "db-private")
	info, err := os.Stat(s.dataDir())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v", info.Mode().Perm())
	}
	if os.Geteuid() == 0 {
		if uid := info.Sys().(*syscall.Stat_t).Uid; uid == 0 {
			t.Error("the data directory belongs to root: the server runs as root")
		}
	}
}

func TestStopAndStartKeepPortAndRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t, "db-restart")
	conn := pgtest.MustConnect(t, s.Spec().Port, master, password, "app")
	pgtest.Exec(t, conn, "CREATE TABLE t (n int)", "INSERT INTO t SELECT generate_series(1, 10)")
	conn.Close(ctx)
	pid := s.PID()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if s.Running() || proc.Alive(pid) {
		t.Fatal("still running after Stop")
	}
	if _, err := pgtest.Connect(ctx, s.Spec().Port, master, password, "app"); err == nil {
		t.Fatal("a stopped server answered")
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	conn = pgtest.MustConnect(t, s.Spec().Port, master, password, "app")
	if got := pgtest.Ints(t, conn, "SELECT count(*) FROM t"); !slices.Equal(got, []int{10}) {
		t.Errorf("rows after restart: %v", got)
	}
}

func TestCreateRefusesAndCleansUp(t *testing.T) {
	t.Parallel()
	install := pgtest.Need(t)
	user, _ := proc.ServerIdentity("")
	dir := filepath.Join(pgtest.Dir(t), "bad")
	spec := Spec{ID: "bad", Dir: dir, Install: install, Port: 1, MasterUsername: AdminUser}
	if _, err := Create(context.Background(), spec, user, password, CreateOptions{NoSync: true}); err == nil {
		t.Fatal("Create accepted the reserved user rdsadmin")
	}
	// Port 1 cannot be bound by an unprivileged server: initdb runs, the start fails,
	// and nothing is left behind.
	spec.MasterUsername = "admin"
	if _, err := Create(context.Background(), spec, user, password, CreateOptions{NoSync: true}); err == nil {
		t.Fatal("Create succeeded on port 1")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed Create left %s behind (%v)", dir, err)
	}
}
