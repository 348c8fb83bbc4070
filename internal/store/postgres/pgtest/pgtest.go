// Package pgtest gives tests a PostgreSQL server: the one XREGION_TEST_POSTGRES names,
// or a throwaway cluster started from the PostgreSQL binaries on this machine, in a
// temporary directory, on a free loopback port. Each test then takes a schema of its own
// (Schema), so tests share the server without seeing each other's tables.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/engines/pgbin"
	"github.com/xregion/xregion/internal/engines/proc"
)

// EnvURL names an existing server to use instead of starting one: a postgres:// URL whose
// user may create schemas in its database.
const EnvURL = "XREGION_TEST_POSTGRES"

// ErrNotInstalled means there is neither XREGION_TEST_POSTGRES nor a PostgreSQL
// installation to start a cluster from.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (no server binaries found) and " + EnvURL + " is not set")

// Server is a PostgreSQL server for tests.
type Server struct {
	// URL connects as a superuser (or, for XREGION_TEST_POSTGRES, as the user it names).
	URL        string
	dir        string        // the throwaway cluster's directory; "" for XREGION_TEST_POSTGRES
	postmaster *os.Process   // the throwaway cluster's postmaster
	exited     chan struct{} // closed when it has exited
}

// startTimeout bounds initdb and the server's start-up.
const startTimeout = time.Minute

// Start returns the server XREGION_TEST_POSTGRES names, or starts a throwaway cluster
// from the newest PostgreSQL installed (XREGION_POSTGRES_BIN names a directory of its
// binaries instead, as for the database engines). It returns ErrNotInstalled when neither
// is possible. Stop it when done.
func Start() (*Server, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return &Server{URL: u}, nil
	}
	installs, err := pgbin.Find(context.Background(), os.Getenv("XREGION_POSTGRES_BIN"))
	if errors.Is(err, pgbin.ErrNotFound) {
		return nil, ErrNotInstalled
	}
	if err != nil {
		return nil, err
	}
	return startCluster(installs[0])
}

// startCluster runs initdb and then postgres itself (not pg_ctl, which would detach it),
// as the engines' servers run: unprivileged under root, and stopped by the kernel if the
// test binary dies first, so a killed test leaves no server behind.
func startCluster(pg pgbin.Install) (*Server, error) {
	id, err := proc.ServerIdentity("")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "xregion-pgtest-")
	if err != nil {
		return nil, err
	}
	if err := errors.Join(id.Own(dir), id.CheckReach(dir)); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(pg.Program("initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: id.Credential()}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// A port that is free now may be taken before postgres binds it; try a few.
	for try := 0; ; try++ {
		s, err := launch(pg, dir, data, id)
		if err == nil || try == 2 {
			if err != nil {
				os.RemoveAll(dir)
			}
			return s, err
		}
	}
}

func launch(pg pgbin.Install, dir, data string, id proc.Identity) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(pg.Program("postgres"), "-D", data,
		"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-c", "unix_socket_directories=",
		// A throwaway cluster need not survive a power cut; commits still wait for
		// the (then instant) flush, so durability code paths run as in production.
		"-c", "fsync=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := proc.Start(cmd, id); err != nil {
		return nil, err
	}
	s := &Server{
		URL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		dir: dir, postmaster: cmd.Process, exited: make(chan struct{}),
	}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	if err := waitReady(s.URL, s.exited); err != nil {
		_ = cmd.Process.Kill()
		<-s.exited
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("postgres did not start: %v\n%s", err, log)
	}
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls until the server accepts a connection, it exits, or startTimeout.
func waitReady(u string, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, u)
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-exited:
			return errors.New("postgres exited")
		case <-tick.C:
		}
	}
}

// Stop shuts the throwaway cluster down and deletes it; a server named by
// XREGION_TEST_POSTGRES is left alone.
func (s *Server) Stop() error {
	if s.dir == "" {
		return nil
	}
	defer os.RemoveAll(s.dir)
	// SIGQUIT is PostgreSQL's immediate shutdown: nothing here is worth a checkpoint.
	_ = s.postmaster.Signal(syscall.SIGQUIT)
	select {
	case <-s.exited:
		return nil
	case <-time.After(30 * time.Second):
		_ = s.postmaster.Kill()
		<-s.exited
		return errors.New("pgtest: postgres ignored SIGQUIT for 30s and was killed")
	}
}

var schemas atomic.Int64

// Schema creates a schema for tb alone and returns a URL whose search_path names it; the
// schema is dropped when tb ends.
func (s *Server) Schema(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("xregion_test_%d_%d", os.Getpid(), schemas.Add(1))
	s.admin(tb, "CREATE SCHEMA "+name)
	tb.Cleanup(func() { s.admin(tb, "DROP SCHEMA "+name+" CASCADE") })
	return WithSearchPath(s.URL, name)
}

// NewSchema creates a schema named prefix and a number unique in this process, for
// programs that are not tests (benchmarks: one schema per run, so that runs share no
// records), and returns a URL whose search_path names it. It is left in place.
func (s *Server) NewSchema(prefix string) (string, error) {
	name := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), schemas.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", err
	}
	return WithSearchPath(s.URL, name), nil
}

// WithSearchPath returns connString with its search_path set to schema.
func WithSearchPath(connString, schema string) string {
	if !strings.Contains(connString, "://") {
		return connString + " search_path=" + schema // key=value settings
	}
	u, err := url.Parse(connString)
	if err != nil {
		return connString
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *Server) admin(tb testing.TB, sql string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		tb.Fatalf("pgtest: connecting to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("pgtest: %s: %v", sql, err)
	}
}
