package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/engines/pgbin"
	"github.com/xregion/xregion/internal/engines/postgres"
)

// Standbys: servers that stream a primary's WAL (RDS read replicas; see
// postgres.Standby). A standby is supervised as any server — restarted if it dies,
// adopted after kill -9 — and stays a standby across restarts (its data directory says
// so) until Promote. Its record names its primary; the primary keeps a replication slot
// for it. Lock order: a standby's lock may be held while its primary's Server is read
// (under stMu), never while the primary's lock is taken.
//
// Deleting a primary leaves its standbys running, read-only, with what they had
// replayed: whether one is then promoted is RDS's to say (a same-Region read replica
// is; a cross-Region PostgreSQL one keeps its terminated replication until
// PromoteReadReplica).

// StandbySpec describes a new standby.
type StandbySpec struct {
	ID      string // the read replica's resource id
	Primary string // the id of the running server it streams from
}

// ErrNotStandby means the operation needs a standby, and the server is not one (any
// more).
var ErrNotStandby = errors.New("supervisor: the server is not a standby")

// CreateStandby makes, starts and records a standby of a running primary. It runs the
// primary's PostgreSQL and has its master user and database.
func (s *Supervisor) CreateStandby(ctx context.Context, spec StandbySpec) (Status, error) {
	primary, prec, err := s.serverOf(spec.Primary)
	if err != nil {
		return Status{}, err
	}
	if !primary.Running() {
		return Status{}, fmt.Errorf("%w: %s", ErrNotRunning, spec.Primary)
	}
	install, err := pgbin.Exact(s.installs, prec.Major)
	if err != nil {
		return Status{}, err
	}
	return s.make(spec.ID, StateCreating, spec.Primary, func(port int) (*postgres.Server, error) {
		ps := postgres.Spec{ID: spec.ID, Dir: s.serverDir(spec.ID), Install: install, Port: port,
			MasterUsername: prec.MasterUsername, DBName: prec.DBName}
		return postgres.Standby(ctx, ps, primary, s.user)
	})
}

// serverOf reads a server and its record without taking its lifecycle lock.
func (s *Supervisor) serverOf(id string) (*postgres.Server, record, error) {
	m, err := s.get(id)
	if err != nil {
		return nil, record{}, err
	}
	m.stMu.Lock()
	defer m.stMu.Unlock()
	if m.srv == nil {
		return nil, record{}, fmt.Errorf("supervisor: %s cannot run", id)
	}
	return m.srv, m.rec, nil
}

// withStandby runs fn on a running standby, with its primary's server (nil when the
// primary is gone).
func (s *Supervisor) withStandby(id string, fn func(m *managed, primary *postgres.Server) error) error {
	return s.withRunning(id, func(m *managed) error {
		if m.rec.Primary == "" {
			return fmt.Errorf("%w: %s", ErrNotStandby, id)
		}
		primary, _, err := s.serverOf(m.rec.Primary)
		if errors.Is(err, ErrNotFound) {
			primary, err = nil, nil
		}
		if err != nil {
			return err
		}
		return fn(m, primary)
	})
}

// SetStream cuts (on false) or restores a standby's stream from its primary: a Region
// fault between them. The cut lasts across restarts until restored.
func (s *Supervisor) SetStream(ctx context.Context, id string, on bool) error {
	return s.withStandby(id, func(m *managed, primary *postgres.Server) error {
		if !on || primary == nil {
			return m.srv.SetStream(ctx, nil)
		}
		return m.srv.SetStream(ctx, primary)
	})
}

// ReplicaLag is how far a running standby is behind its primary (the rule is
// postgres.Server.ReplicaLag's). A primary that is stopped or gone commits nothing the
// standby could lack: zero.
func (s *Supervisor) ReplicaLag(ctx context.Context, id string) (time.Duration, error) {
	var lag time.Duration
	err := s.withStandby(id, func(m *managed, primary *postgres.Server) (err error) {
		if primary == nil || !primary.Running() {
			return nil
		}
		lag, err = m.srv.ReplicaLag(ctx, primary)
		return err
	})
	return lag, err
}

// Promote makes a standby a server of its own, accepting writes with every row it has
// replayed (RDS PromoteReadReplica); its primary, if still there, drops the slot it kept
// for it. Promoting a server that is no standby does nothing.
func (s *Supervisor) Promote(ctx context.Context, id string) error {
	err := s.withStandby(id, func(m *managed, primary *postgres.Server) error {
		if err := m.srv.Promote(ctx); err != nil {
			return err
		}
		rec := m.rec
		rec.Primary = ""
		if err := s.saveRecord(rec); err != nil {
			return err
		}
		m.update(func() { m.rec = rec })
		if primary != nil && primary.Running() {
			if err := primary.DropSlot(ctx, id); err != nil {
				s.cfg.Logf("engines: dropping the slot of %s: %v", id, err)
			}
		}
		return nil
	})
	if errors.Is(err, ErrNotStandby) {
		return nil
	}
	return err
}

// dropSlotOf drops the slot a deleted standby's primary kept for it, if the primary
// runs; one left behind only keeps WAL the primary could have recycled.
func (s *Supervisor) dropSlotOf(ctx context.Context, standby record) {
	if standby.Primary == "" {
		return
	}
	primary, _, err := s.serverOf(standby.Primary)
	if err == nil && primary.Running() {
		err = primary.DropSlot(ctx, standby.ID)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.cfg.Logf("engines: dropping the slot of %s: %v", standby.ID, err)
	}
}
