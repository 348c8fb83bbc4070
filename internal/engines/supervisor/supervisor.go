// Package supervisor runs the real database servers behind RDS DB instances: it creates,
// starts, stops, restarts, restores and deletes them, keeps them running (a server that
// dies is started again), flushes their WAL into their backup stores every few seconds,
// and never leaves one behind — not even when xregion is killed with -9: servers die
// with xregion (proc.Start), and the next Open stops whatever is still running on their
// data directories and starts them again as its own children.
//
// # Files
//
// Config.Dir (under xregion's data directory) holds
//
//	lock               flock'ed by the running supervisor: one xregion per directory
//	records/<id>.json  what each server is and whether it should run (root's, 0600)
//	servers/<id>/      the server's own directory (see package postgres)
//
// When xregion runs as root the servers run as an unprivileged user, who must be able
// to reach servers/<id>: Dir and servers/ are mode 0711 (enter, not list), and every
// directory above Dir must let that user through (Open checks and says which does not).
//
// # Lock order
//
// Supervisor.mu (the map of servers), then managed.mu (one server's lifecycle), then
// postgres.Server's own locks. Nothing holding Supervisor.mu waits on a server.
//
// # Time
//
// Servers work in wall time: backup times, restore windows and restore targets are wall
// instants. RDS converts its clock's instants with package clockmap.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/pgbin"
	"github.com/xregion/xregion/internal/engines/postgres"
	"github.com/xregion/xregion/internal/engines/proc"
)

// BackupResolver says where a server's WAL and base backups go. The RDS side answers with
// the instance's backup store in its Region, sealed with a data key of the instance's
// KMS key. (nil, nil) means the server keeps no backups: its archived WAL is discarded.
// An error leaves the WAL in the server's spool until a later call succeeds.
type BackupResolver interface {
	BackupStore(serverID string) (*backupstore.Store, error)
}

// BackupFunc adapts a function to BackupResolver.
type BackupFunc func(serverID string) (*backupstore.Store, error)

// BackupStore calls f.
func (f BackupFunc) BackupStore(id string) (*backupstore.Store, error) { return f(id) }

// Config configures a Supervisor.
type Config struct {
	Dir     string         // where records and servers live
	BinDir  string         // PostgreSQL's programs (--postgres-bin); "" searches
	RunAs   string         // the servers' user when xregion is root; "" for postgres or nobody
	Backups BackupResolver // nil: no server keeps backups
	// FlushEvery is how often every running server's WAL is switched and sealed into its
	// store: how far behind real time the restore window's latest time may fall.
	// 0 means DefaultFlushEvery; negative turns the periodic flush off (tests flush
	// themselves).
	FlushEvery time.Duration
	NoSync     bool                 // initdb without fsync: tests only
	Logf       func(string, ...any) // nil: the standard logger
}

// DefaultFlushEvery keeps the restore window's latest time seconds behind, where RDS's
// is about five minutes behind.
const DefaultFlushEvery = 5 * time.Second

// ErrNotFound means no server has the id.
var ErrNotFound = errors.New("supervisor: no such server")

// Supervisor manages the servers in one directory.
type Supervisor struct {
	cfg      Config
	user     proc.Identity
	installs []pgbin.Install
	lock     *os.File

	mu      sync.Mutex
	servers map[string]*managed
	closing bool

	stop chan struct{}  // closed by Close
	wg   sync.WaitGroup // the flush loop, watchers and start-up goroutines
}

// Open takes the directory's lock, finds PostgreSQL, stops servers an earlier xregion
// left running, and starts again (in the background) every server that was running.
// It fails with pgbin.ErrNotFound when PostgreSQL is not installed.
func Open(ctx context.Context, cfg Config) (*Supervisor, error) {
	if cfg.FlushEvery == 0 {
		cfg.FlushEvery = DefaultFlushEvery
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	installs, err := pgbin.Find(ctx, cfg.BinDir)
	if err != nil {
		return nil, err
	}
	user, err := proc.ServerIdentity(cfg.RunAs)
	if err != nil {
		return nil, err
	}
	s := &Supervisor{cfg: cfg, user: user, installs: installs, servers: map[string]*managed{}, stop: make(chan struct{})}
	if err := s.prepareDir(); err != nil {
		return nil, err
	}
	if err := s.takeLock(); err != nil {
		return nil, err
	}
	if err := s.loadServers(); err != nil {
		s.lock.Close()
		return nil, err
	}
	if cfg.FlushEvery > 0 {
		s.wg.Add(1)
		go s.flushLoop()
	}
	return s, nil
}

// prepareDir creates the directory tree with the modes the package comment describes.
func (s *Supervisor) prepareDir() error {
	for dir, mode := range map[string]os.FileMode{
		s.cfg.Dir: 0o711, filepath.Join(s.cfg.Dir, "servers"): 0o711, filepath.Join(s.cfg.Dir, "records"): 0o700,
	} {
		if err := os.MkdirAll(dir, mode); err != nil {
			return fmt.Errorf("supervisor: %w", err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			return fmt.Errorf("supervisor: %w", err)
		}
	}
	return s.user.CheckReach(filepath.Join(s.cfg.Dir, "servers"))
}

// takeLock flocks Dir/lock, so that two xregion processes never manage the same servers.
// The lock goes with the process, however it ends.
func (s *Supervisor) takeLock() error {
	f, err := os.OpenFile(filepath.Join(s.cfg.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("supervisor: %s is in use by another xregion: %w", s.cfg.Dir, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	s.lock = f
	return nil
}

// loadServers reads the records, removes what a crash left half-made, and reclaims and
// restarts the servers in the background.
func (s *Supervisor) loadServers() error {
	recs, err := s.loadRecords()
	if err != nil {
		return err
	}
	strays, err := s.strayDirs(recs)
	if err != nil {
		return err
	}
	for _, id := range strays {
		if _, err := reclaim(s.serverDir(id), 0); err != nil {
			return err
		}
		s.cfg.Logf("engines: removing %s, a server whose creation did not finish", id)
		if err := os.RemoveAll(s.serverDir(id)); err != nil {
			return fmt.Errorf("supervisor: %w", err)
		}
	}
	for _, rec := range recs {
		m := s.adopt(rec)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.resume(m)
		}()
	}
	return nil
}

// adopt registers a recorded server, stopped until resume starts it.
func (s *Supervisor) adopt(rec record) *managed {
	m := &managed{id: rec.ID, rec: rec, state: StateStopped}
	install, err := pgbin.Exact(s.installs, rec.Major)
	if err != nil {
		m.state, m.lastErr = StateFailed, err.Error()
	} else {
		m.srv = postgres.New(s.spec(rec, install), s.user)
	}
	s.mu.Lock()
	s.servers[rec.ID] = m
	s.mu.Unlock()
	return m
}

// resume stops whatever an earlier xregion left running on the server, seals what its
// archiver left in the spool, and starts the server if it was meant to run — again and
// again if it does not start at once.
func (s *Supervisor) resume(m *managed) {
	if !s.resumeOnce(m) {
		s.restartLoop(m, firstBackoff)
	}
}

// resumeOnce reports whether the server is where it should be.
func (s *Supervisor) resumeOnce(m *managed) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srv == nil {
		return true // failed for good: its PostgreSQL is not installed
	}
	if stopped, err := reclaim(s.serverDir(m.id), m.rec.PID); err != nil {
		m.fail(err)
		return true
	} else if stopped {
		s.cfg.Logf("engines: stopped %s, left running by an earlier xregion", m.id)
	}
	s.ingest(m)
	if !m.rec.Running {
		return true
	}
	if err := s.startLocked(context.Background(), m); err != nil {
		s.cfg.Logf("engines: starting %s: %v", m.id, err)
		return false
	}
	return true
}

func (s *Supervisor) spec(rec record, install pgbin.Install) postgres.Spec {
	return postgres.Spec{ID: rec.ID, Dir: s.serverDir(rec.ID), Install: install, Port: rec.Port,
		MasterUsername: rec.MasterUsername, DBName: rec.DBName}
}

// Close stops every server — after a last flush, so each store's window reaches the
// shutdown — and releases the directory. Records keep saying which servers run, so the
// next Open starts them again.
func (s *Supervisor) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	close(s.stop)
	servers := s.list()
	s.mu.Unlock()

	var wg sync.WaitGroup
	errs := make([]error, len(servers))
	for i, m := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.shutdown(ctx, m)
		}()
	}
	wg.Wait()
	s.wg.Wait()
	s.lock.Close()
	return errors.Join(errs...)
}

// shutdown stops one server for Close, leaving its record's wish to run as it is.
func (s *Supervisor) shutdown(ctx context.Context, m *managed) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srv == nil || !m.srv.Running() {
		return nil
	}
	return s.stopLocked(ctx, m)
}

// list returns the managed servers; s.mu is held.
func (s *Supervisor) list() []*managed {
	out := make([]*managed, 0, len(s.servers))
	for _, m := range s.servers {
		out = append(out, m)
	}
	return out
}

// get returns the managed server id.
func (s *Supervisor) get(id string) (*managed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, errors.New("supervisor: closed")
	}
	m, ok := s.servers[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrNotFound, id)
	}
	return m, nil
}

// Installs lists the PostgreSQL installations found, newest first.
func (s *Supervisor) Installs() []pgbin.Install { return append([]pgbin.Install(nil), s.installs...) }
