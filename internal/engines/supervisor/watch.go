package supervisor

import (
	"context"
	"time"
)

// Restart backoff: the first restart is immediate; a server that keeps dying is retried
// ever more slowly, up to maxBackoff, so a broken one does not spin.
const (
	firstBackoff = time.Second
	maxBackoff   = 30 * time.Second
)

// watch waits, in the background, for the server's current process to exit, and starts
// it again when the exit was not asked for.
func (s *Supervisor) watch(m *managed) {
	exited, how := m.srv.Exited()
	if exited == nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-exited:
		case <-s.stop:
			return
		}
		if stopped, err := how(); !stopped {
			s.cfg.Logf("engines: %s exited unexpectedly (%v); starting it again", m.id, err)
			m.stMu.Lock()
			m.restarts++
			m.stMu.Unlock()
			m.set(StateRestarting, err)
			s.restartLoop(m, 0)
		}
	}()
}

// restartLoop starts the server until it runs, waiting longer after each failure (a
// server killed with -9 leaves processes behind for a moment that keep a new one from
// starting). It gives up when the server is no longer meant to run.
func (s *Supervisor) restartLoop(m *managed, delay time.Duration) {
	for {
		timer := time.NewTimer(delay)
		select {
		case <-s.stop:
			timer.Stop()
			return
		case <-timer.C:
		}
		if s.tryRestart(m) {
			return
		}
		delay = min(max(2*delay, firstBackoff), maxBackoff)
	}
}

// tryRestart starts the server if it should run and does not; it reports whether the
// loop is done.
func (s *Supervisor) tryRestart(m *managed) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stMu.Lock()
	gone := m.gone
	m.stMu.Unlock()
	if gone || !m.rec.Running || m.srv.Running() {
		return true
	}
	if err := s.startLocked(context.Background(), m); err != nil {
		s.cfg.Logf("engines: starting %s again: %v", m.id, err)
		m.set(StateRestarting, err)
		return false
	}
	return true
}

// flushLoop flushes every running server's WAL into its store every FlushEvery.
func (s *Supervisor) flushLoop() {
	defer s.wg.Done()
	ticker := time.NewTicker(s.cfg.FlushEvery)
	defer ticker.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
		}
		s.mu.Lock()
		servers := s.list()
		s.mu.Unlock()
		for _, m := range servers {
			s.flushOne(m)
		}
	}
}

// flushOne flushes one server, unless an operation holds it (a backup, a stop): the
// next round will. A store without a base backup only gets the spool sealed into it,
// since nothing can be restored from it yet (see postgres.Server.Flush).
func (s *Supervisor) flushOne(m *managed) {
	if !m.mu.TryLock() {
		return
	}
	defer m.mu.Unlock()
	if m.srv == nil || !m.srv.Running() {
		return
	}
	st, err := s.store(m.id)
	switch {
	case err != nil:
		s.cfg.Logf("engines: the backup store of %s: %v", m.id, err)
	case st == nil || !st.HasBase() || m.rec.Primary != "":
		s.ingest(m) // a standby archives nothing, nor can it switch WAL, until promoted
	default:
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := m.srv.Flush(ctx, st); err != nil {
			s.cfg.Logf("engines: flushing %s: %v", m.id, err)
		}
	}
}
