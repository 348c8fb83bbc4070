// Package postgres runs one real PostgreSQL server as a child process of xregion: it
// creates it (initdb, a master user, a database), starts and stops it, changes the master
// password, archives its WAL and takes base backups into a sealed backup store, and makes
// new servers from those backups, to a point in time.
//
// # Files
//
// A server lives in a directory of its own (Spec.Dir):
//
//	data/          PGDATA: PostgreSQL's own files, mode 0700, owned by the server's user
//	run/           the server's Unix socket, mode 0700: only xregion and the server reach it
//	spool/         WAL the archiver handed over, until xregion seals it into the store
//	restore/       WAL unsealed for a restore in progress
//	postgres.log   the server's log
//
// At rest: the data directory holds the rows in PostgreSQL's own files, readable by root
// and the server's user — PostgreSQL has no transparent encryption and RDS storage
// encryption is below the database, so the live server is protected by file modes alone
// (like any local PostgreSQL), and kept under xregion's data directory. What leaves the
// server — base backups and WAL, in the backup store — is always sealed; the spool and
// restore directories hold WAL in plain text only briefly and only with the same
// protection as the data directory.
//
// # Connections
//
// The server listens on 127.0.0.1 at Spec.Port, where clients log in with passwords
// (SCRAM-SHA-256). xregion itself logs in over the socket as the bootstrap superuser
// rdsadmin (named after RDS's own) with trust authentication, which the socket
// directory's mode confines to root and the server's user; rdsadmin cannot log in over
// TCP. Settings that xregion depends on (port, sockets, archiving) are given on the
// command line, which outranks postgresql.conf and ALTER SYSTEM, so a user cannot break
// them.
package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/xregion/xregion/internal/engines/pgbin"
	"github.com/xregion/xregion/internal/engines/proc"
)

// Spec is what a server is. The supervisor keeps it in the server's record.
type Spec struct {
	ID             string        // the server's name (the RDS DB instance's resource id)
	Dir            string        // the server's directory
	Install        pgbin.Install // the binaries it runs
	Port           int           // on 127.0.0.1, the same across restarts
	MasterUsername string
	DBName         string // "" or "postgres": only the postgres database
}

// AdminUser is the bootstrap superuser through which xregion manages the server.
const AdminUser = "rdsadmin"

// Timeouts for the server's process. A restore waits as long as its context allows.
const (
	startTimeout = 2 * time.Minute // crash recovery after a kill can take a while
	stopTimeout  = time.Minute     // fast shutdown: a checkpoint, then exit
	quitTimeout  = 10 * time.Second
)

// Server is one PostgreSQL server and, while it runs, its process. Its methods are safe
// for concurrent use; Start, Stop and the restore steps are serialised.
type Server struct {
	spec Spec
	user proc.Identity

	mu      sync.Mutex // guards the fields below; held across Start and Stop
	p       *process   // the current or last process; nil before the first start
	stopped bool       // p's exit was asked for (Stop), not a crash

	ingestMu sync.Mutex // one ingest of the spool at a time (see Ingest)
}

// process is one run of the postmaster.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result; read only after exited is closed
}

// reap waits for the process. It takes no lock: whoever holds Server.mu may be waiting
// for exited.
func (p *process) reap() {
	p.err = p.cmd.Wait()
	close(p.exited)
}

func (p *process) running() bool {
	if p == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// New returns the server described by spec, run as user; it starts nothing.
func New(spec Spec, user proc.Identity) *Server { return &Server{spec: spec, user: user} }

// Spec returns the server's description.
func (s *Server) Spec() Spec { return s.spec }

func (s *Server) dataDir() string    { return filepath.Join(s.spec.Dir, "data") }
func (s *Server) socketDir() string  { return SocketDir(s.spec.Dir) }
func (s *Server) spoolDir() string   { return filepath.Join(s.spec.Dir, "spool") }
func (s *Server) restoreDir() string { return filepath.Join(s.spec.Dir, "restore") }
func (s *Server) logPath() string    { return filepath.Join(s.spec.Dir, "postgres.log") }

// maxSocketDir is the longest socket directory a Unix-domain socket path (108 bytes with
// its NUL) leaves room for, after "/.s.PGSQL.65535".
const maxSocketDir = 107 - len("/.s.PGSQL.65535")

// SocketDir is where a server's Unix-domain socket lives: run/ in its directory, unless
// that path is too long for a socket (a deep data directory, as tests' temporary ones
// are), where the server could not start; then a directory of its own under the
// system's temporary directory, named after the server's directory and made private to
// the server's user like run/.
func SocketDir(serverDir string) string {
	dir := filepath.Join(serverDir, "run")
	if len(dir) <= maxSocketDir {
		return dir
	}
	sum := sha256.Sum256([]byte(serverDir))
	return filepath.Join(os.TempDir(), "xregion-pg-"+hex.EncodeToString(sum[:8]))
}

// RemoveSocketDir removes a server's socket directory when it lies outside the server's
// directory.
func RemoveSocketDir(serverDir string) error {
	if dir := SocketDir(serverDir); !strings.HasPrefix(dir, serverDir+string(filepath.Separator)) {
		return os.RemoveAll(dir)
	}
	return nil
}

// PIDFile is the postmaster.pid of a server directory: its first line is the
// postmaster's pid, its second the data directory.
func PIDFile(serverDir string) string { return filepath.Join(serverDir, "data", "postmaster.pid") }

// makeDirs creates the server's directories, owned by its user.
func (s *Server) makeDirs() error {
	if err := os.MkdirAll(s.spec.Dir, 0o700); err != nil {
		return err
	}
	for _, d := range []string{s.spec.Dir, s.dataDir(), s.socketDir(), s.spoolDir(), s.restoreDir()} {
		if err := s.user.MkdirOwned(d); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	return s.user.CheckReach(s.dataDir())
}

// Start starts the server and waits until it accepts connections.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startLocked(ctx, nil)
}

// startLocked starts the postmaster with extra command-line settings and waits for it to
// answer (or, during a restore, to have finished recovery — see waitPromoted).
func (s *Server) startLocked(ctx context.Context, extra []string) error {
	if s.runningLocked() {
		return nil
	}
	if err := writeHBA(s.dataDir(), s.user); err != nil {
		return err
	}
	logf, err := openLog(s.logPath())
	if err != nil {
		return err
	}
	logStart := s.logSize()
	cmd := exec.Command(s.spec.Install.Program("postgres"), append(s.args(), extra...)...)
	cmd.Stdout, cmd.Stderr, cmd.Env = logf, logf, childEnv()
	err = proc.Start(cmd, s.user)
	logf.Close() // the child has its own descriptor
	if err != nil {
		return fmt.Errorf("postgres: starting %s: %w", s.spec.ID, err)
	}
	s.p, s.stopped = &process{cmd: cmd, exited: make(chan struct{})}, false
	go s.p.reap()
	if extra != nil {
		return nil // a restore waits for the end of recovery itself
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := s.waitReady(ctx, s.p.exited); err != nil {
		s.stopLocked()
		return fmt.Errorf("%w\n%s", err, s.logTail(logStart))
	}
	return nil
}

func (s *Server) runningLocked() bool { return s.p.running() }

// Running reports whether the server's process is running.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runningLocked()
}

// PID is the postmaster's pid, 0 when not running.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.runningLocked() {
		return 0
	}
	return s.p.cmd.Process.Pid
}

// Exited returns a channel closed when the current process exits and a function that,
// once it has, tells whether Stop asked for the exit and how the process ended. The
// channel is nil when the server was never started.
func (s *Server) Exited() (<-chan struct{}, func() (stopped bool, err error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.p
	if p == nil {
		return nil, nil
	}
	return p.exited, func() (bool, error) {
		<-p.exited
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.stopped || s.p != p, p.err
	}
}

// Stop shuts the server down: a fast shutdown (clients are disconnected, a checkpoint is
// written), then an immediate one, then SIGKILL, each after a timeout.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopLocked()
}

func (s *Server) stopLocked() error {
	if !s.runningLocked() {
		return nil
	}
	s.stopped = true
	return StopProcess(s.p.cmd.Process.Pid, s.p.exited)
}

// StopProcess stops a postmaster: SIGINT (fast shutdown), then SIGQUIT (immediate), then
// SIGKILL, until exited is closed. It serves for children and, with a channel the caller
// closes when the pid is gone, for servers left behind by an earlier xregion.
func StopProcess(pid int, exited <-chan struct{}) error {
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, stopTimeout}, {syscall.SIGQUIT, quitTimeout}, {syscall.SIGKILL, quitTimeout}} {
		if err := proc.Signal(pid, step.sig); err != nil {
			return fmt.Errorf("postgres: signalling %d: %w", pid, err)
		}
		timer := time.NewTimer(step.wait)
		select {
		case <-exited:
			timer.Stop()
			return nil
		case <-timer.C:
		}
	}
	return fmt.Errorf("postgres: process %d does not exit", pid)
}

// Remove deletes the server's directory: its data and its spool. The server must be
// stopped.
func (s *Server) Remove() error {
	if s.Running() {
		return errors.New("postgres: cannot remove a running server")
	}
	if err := RemoveSocketDir(s.spec.Dir); err != nil {
		return err
	}
	return os.RemoveAll(s.spec.Dir)
}

// maxLogSize is where the log is rotated (once, to postgres.log.1) at a start.
const maxLogSize = 16 << 20

func openLog(path string) (*os.File, error) {
	if info, err := os.Stat(path); err == nil && info.Size() > maxLogSize {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return f, nil
}

// logTail returns the end of the server's log from offset on, for error messages.
func (s *Server) logTail(offset int64) string {
	f, err := os.Open(s.logPath())
	if err != nil {
		return ""
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size()-offset > 4096 {
		offset = info.Size() - 4096
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

func (s *Server) logSize() int64 {
	info, err := os.Stat(s.logPath())
	if err != nil {
		return 0
	}
	return info.Size()
}
