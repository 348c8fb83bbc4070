package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/pgbin"
	"github.com/xregion/xregion/internal/engines/postgres"
)

// State is a server's state in the status list.
type State string

// The states a server passes through.
const (
	StateCreating   State = "creating"
	StateRestoring  State = "restoring"
	StateStarting   State = "starting"
	StateRunning    State = "running"
	StateStopping   State = "stopping"
	StateStopped    State = "stopped"
	StateRestarting State = "restarting" // it died; the supervisor is starting it again
	StateFailed     State = "failed"     // see Status.Error
	StateDeleting   State = "deleting"
)

// managed is one server under supervision.
type managed struct {
	id string
	mu sync.Mutex // serialises lifecycle operations on the server

	// stMu guards what Status reads while an operation may hold mu for minutes. srv and
	// rec change only with both mu and stMu held (see update), so holders of mu read
	// them freely.
	stMu     sync.Mutex
	srv      *postgres.Server
	rec      record
	state    State
	lastErr  string
	restarts int
	gone     bool // deleted, or its creation failed
}

func (m *managed) set(state State, err error) {
	m.stMu.Lock()
	defer m.stMu.Unlock()
	m.state = state
	m.lastErr = ""
	if err != nil {
		m.lastErr = err.Error()
	}
}

func (m *managed) fail(err error) { m.set(StateFailed, err) }

// update changes srv or rec; m.mu is held.
func (m *managed) update(fn func()) {
	m.stMu.Lock()
	defer m.stMu.Unlock()
	fn()
}

// CreateSpec describes a new server.
type CreateSpec struct {
	ID             string // the RDS instance's resource id
	EngineVersion  string // the closest installed major version runs
	MasterUsername string
	MasterPassword string
	DBName         string
}

// ErrExists means a server with the id exists.
var ErrExists = errors.New("supervisor: a server with this id exists")

// Create makes, starts and records a new server. Its Status says which PostgreSQL runs
// it and on which port.
func (s *Supervisor) Create(ctx context.Context, spec CreateSpec) (Status, error) {
	install, err := pgbin.Choose(s.installs, spec.EngineVersion)
	if err != nil {
		return Status{}, err
	}
	return s.make(spec.ID, StateCreating, "", func(port int) (*postgres.Server, error) {
		ps := postgres.Spec{ID: spec.ID, Dir: s.serverDir(spec.ID), Install: install, Port: port,
			MasterUsername: spec.MasterUsername, DBName: spec.DBName}
		return postgres.Create(ctx, ps, s.user, spec.MasterPassword, postgres.CreateOptions{NoSync: s.cfg.NoSync})
	})
}

// RestoreSpec describes a new server made from backups.
type RestoreSpec struct {
	ID             string
	MasterUsername string // the source's; the password comes with the data
	DBName         string
	From           *backupstore.Store
	BaseID         string // "" for the newest base backup completed by Target.Time
	Target         postgres.Target
}

// Restore makes a new server from the backups in From, replayed to Target, and starts
// and records it. It runs the PostgreSQL major version that wrote the backup.
func (s *Supervisor) Restore(ctx context.Context, spec RestoreSpec) (Status, error) {
	rs := postgres.RestoreSpec{From: spec.From, BaseID: spec.BaseID, Target: spec.Target}
	base, err := postgres.BaseFor(rs)
	if err != nil {
		return Status{}, err
	}
	install, err := pgbin.Exact(s.installs, base.Major)
	if err != nil {
		return Status{}, err
	}
	rs.BaseID = base.ID
	return s.make(spec.ID, StateRestoring, "", func(port int) (*postgres.Server, error) {
		rs.Spec = postgres.Spec{ID: spec.ID, Dir: s.serverDir(spec.ID), Install: install, Port: port,
			MasterUsername: spec.MasterUsername, DBName: spec.DBName}
		return postgres.Restore(ctx, rs, s.user)
	})
}

// make reserves id, builds the server with build on a free port (another if the port
// was taken meanwhile), records it — a standby of primary, unless primary is "" — and
// supervises it.
func (s *Supervisor) make(id string, state State, primary string, build func(port int) (*postgres.Server, error)) (Status, error) {
	if err := checkID(id); err != nil {
		return Status{}, err
	}
	m := &managed{id: id, state: state}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := s.reserve(id, m); err != nil {
		return Status{}, err
	}
	srv, err := s.buildOnFreePort(build)
	if err != nil {
		s.release(id, m)
		return Status{}, err
	}
	spec := srv.Spec()
	rec := record{ID: id, Major: spec.Install.Major, Version: spec.Install.Version, Port: spec.Port,
		MasterUsername: spec.MasterUsername, DBName: spec.DBName, Running: true, PID: srv.PID(), Created: time.Now().UTC(),
		Primary: primary}
	m.update(func() { m.srv, m.rec = srv, rec })
	if err := s.saveRecord(rec); err != nil {
		srv.Stop()
		srv.Remove()
		s.release(id, m)
		return Status{}, err
	}
	m.set(StateRunning, nil)
	s.watch(m)
	return s.status(m), nil
}

func (s *Supervisor) reserve(id string, m *managed) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return errors.New("supervisor: closed")
	}
	if _, ok := s.servers[id]; ok {
		return fmt.Errorf("%w: %s", ErrExists, id)
	}
	s.servers[id] = m
	return nil
}

func (s *Supervisor) release(id string, m *managed) {
	m.stMu.Lock()
	m.gone = true
	m.stMu.Unlock()
	s.mu.Lock()
	if s.servers[id] == m {
		delete(s.servers, id)
	}
	s.mu.Unlock()
}

// buildOnFreePort tries a few ports: one chosen free can be taken by another process
// before the server binds it.
func (s *Supervisor) buildOnFreePort(build func(port int) (*postgres.Server, error)) (*postgres.Server, error) {
	var err error
	for range 3 {
		var port int
		if port, err = postgres.FreePort(s.takenPorts()); err != nil {
			return nil, err
		}
		var srv *postgres.Server
		if srv, err = build(port); err == nil || !portInUse(err) {
			return srv, err
		}
	}
	return nil, err
}

func portInUse(err error) bool {
	return strings.Contains(err.Error(), "could not bind") || strings.Contains(err.Error(), "already in use")
}

// takenPorts are the ports of every server, running or not: each keeps its port.
func (s *Supervisor) takenPorts() map[int]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	taken := map[int]bool{}
	for _, m := range s.servers {
		taken[m.rec.Port] = true
	}
	return taken
}

// Start starts a stopped server (RDS StartDBInstance).
func (s *Supervisor) Start(ctx context.Context, id string) error {
	return s.withServer(id, func(m *managed) error {
		if err := s.want(m, true); err != nil {
			return err
		}
		if m.srv.Running() {
			return nil
		}
		return s.startLocked(ctx, m)
	})
}

// Stop stops a server after a last flush (RDS StopDBInstance); it stays stopped across
// restarts of xregion until Start.
func (s *Supervisor) Stop(ctx context.Context, id string) error {
	return s.withServer(id, func(m *managed) error {
		if err := s.want(m, false); err != nil {
			return err
		}
		return s.stopLocked(ctx, m)
	})
}

// Reboot stops and starts a server (RDS RebootDBInstance).
func (s *Supervisor) Reboot(ctx context.Context, id string) error {
	return s.withServer(id, func(m *managed) error {
		if err := s.stopLocked(ctx, m); err != nil {
			return err
		}
		if err := s.want(m, true); err != nil {
			return err
		}
		return s.startLocked(ctx, m)
	})
}

// Delete stops a server and removes it and its data. Its backups stay in its store: a
// final snapshot is the caller's to take first (BaseBackup, then backupstore.CopyBackup).
func (s *Supervisor) Delete(ctx context.Context, id string) error {
	m, err := s.get(id)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(StateDeleting, nil)
	if err := s.want(m, false); err != nil {
		return err
	}
	if m.srv != nil { // nil when its PostgreSQL is not installed: nothing runs
		if err := s.stopLocked(ctx, m); err != nil {
			return err
		}
	}
	s.dropSlotOf(ctx, m.rec)
	if err := postgres.RemoveSocketDir(s.serverDir(id)); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if err := os.RemoveAll(s.serverDir(id)); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if err := s.removeRecord(id); err != nil {
		return err
	}
	s.release(id, m)
	return nil
}

// SetMasterPassword changes the master password in the running server.
func (s *Supervisor) SetMasterPassword(ctx context.Context, id, password string) error {
	return s.withRunning(id, func(m *managed) error { return m.srv.SetMasterPassword(ctx, password) })
}

// BaseBackup takes a base backup of a running server into its backup store.
func (s *Supervisor) BaseBackup(ctx context.Context, id string) (backupstore.Base, error) {
	var b backupstore.Base
	err := s.withRunning(id, func(m *managed) error {
		st, err := s.requireStore(id)
		if err != nil {
			return err
		}
		b, err = m.srv.BaseBackup(ctx, st)
		return err
	})
	return b, err
}

// Flush makes every commit made by now restorable from the server's store and returns
// the instant (see postgres.Server.Flush). The supervisor flushes every FlushEvery by
// itself; RDS calls Flush when it needs the window to reach now.
func (s *Supervisor) Flush(ctx context.Context, id string) (time.Time, error) {
	var at time.Time
	err := s.withRunning(id, func(m *managed) error {
		st, err := s.requireStore(id)
		if err != nil {
			return err
		}
		at, err = m.srv.Flush(ctx, st)
		return err
	})
	return at, err
}

func (s *Supervisor) requireStore(id string) (*backupstore.Store, error) {
	st, err := s.store(id)
	if err == nil && st == nil {
		err = fmt.Errorf("supervisor: %s keeps no backups", id)
	}
	return st, err
}

func (s *Supervisor) store(id string) (*backupstore.Store, error) {
	if s.cfg.Backups == nil {
		return nil, nil
	}
	return s.cfg.Backups.BackupStore(id)
}

// withServer runs fn with the server's lifecycle lock held.
func (s *Supervisor) withServer(id string, fn func(*managed) error) error {
	m, err := s.get(id)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srv == nil {
		return fmt.Errorf("supervisor: %s cannot run: %s", id, s.status(m).Error)
	}
	return fn(m)
}

// ErrNotRunning means the operation needs a running server, and the server is stopped.
var ErrNotRunning = errors.New("supervisor: the server is not running")

// ErrNotUpYet means the operation needs a running server, and the server, which should
// run, is not up yet: it is being started again after a restart of xregion, or after it
// died. Unlike ErrNotRunning it passes: try again.
var ErrNotUpYet = errors.New("supervisor: the server is not up yet")

func (s *Supervisor) withRunning(id string, fn func(*managed) error) error {
	return s.withServer(id, func(m *managed) error {
		if !m.srv.Running() && m.rec.Running {
			return fmt.Errorf("%w: %s", ErrNotUpYet, id)
		}
		if !m.srv.Running() {
			return fmt.Errorf("%w: %s", ErrNotRunning, id)
		}
		return fn(m)
	})
}

// want records whether the server should run.
func (s *Supervisor) want(m *managed, running bool) error {
	if m.rec.Running == running {
		return nil
	}
	rec := m.rec
	rec.Running = running
	if err := s.saveRecord(rec); err != nil {
		return err
	}
	m.update(func() { m.rec = rec })
	return nil
}

// startLocked starts the server and supervises it; m.mu is held.
func (s *Supervisor) startLocked(ctx context.Context, m *managed) error {
	m.set(StateStarting, nil)
	if err := m.srv.Start(ctx); err != nil {
		m.fail(err)
		return err
	}
	if pid := m.srv.PID(); pid != m.rec.PID {
		rec := m.rec
		rec.PID = pid
		if err := s.saveRecord(rec); err != nil {
			s.cfg.Logf("engines: recording the pid of %s: %v", rec.ID, err)
		} else {
			m.update(func() { m.rec = rec })
		}
	}
	m.set(StateRunning, nil)
	s.watch(m)
	return nil
}

// stopLocked flushes the server (so its store's window reaches the stop), stops it, and
// seals what its archiver handed over on the way down; m.mu is held.
func (s *Supervisor) stopLocked(ctx context.Context, m *managed) error {
	if !m.srv.Running() {
		s.ingest(m)
		m.set(StateStopped, nil)
		return nil
	}
	m.set(StateStopping, nil)
	if st, err := s.store(m.id); err == nil && st != nil && st.HasBase() && m.rec.Primary == "" {
		if _, err := m.srv.Flush(ctx, st); err != nil {
			s.cfg.Logf("engines: flushing %s before it stops: %v", m.id, err)
		}
	}
	if err := m.srv.Stop(); err != nil {
		m.fail(err)
		return err
	}
	s.ingest(m)
	m.set(StateStopped, nil)
	return nil
}

// ingest seals the server's spool into its store (or discards it, without a store).
func (s *Supervisor) ingest(m *managed) {
	st, err := s.store(m.id)
	if err == nil {
		_, err = m.srv.Ingest(st)
	}
	if err != nil {
		s.cfg.Logf("engines: archiving the WAL of %s: %v", m.id, err)
	}
}
