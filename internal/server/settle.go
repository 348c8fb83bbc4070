package server

import (
	"fmt"
	"log/slog"

	"github.com/xregion/xregion/internal/engines/atomicfile"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
)

// settleWork is what a start leaves to make durable after the store is open: on a first
// start, the new root key, the directory entries of the store file and the key, and the
// key's fingerprint in the store. None of it is needed to read, so the server answers
// while it is written (bench/README.md: it was five of a first start's seven fsyncs).
type settleWork struct {
	key         *seal.NewKey
	syncDirs    []string
	fingerprint func() error
}

func (w settleWork) empty() bool { return w.key == nil && len(w.syncDirs) == 0 && w.fingerprint == nil }

// run writes in the order a crash needs: the key before its fingerprint, so that a store
// never records a key that is not on disk; and all of it before any write is
// acknowledged (settlingStore), so that nothing sealed with the key can outlive it. A
// crash before the end leaves a store that holds nothing but perhaps the fingerprint,
// and the next start finds either the key or an empty store without one, for which it
// makes a new key.
func (w settleWork) run() error {
	if w.key != nil {
		if err := w.key.Write(); err != nil {
			return err
		}
		startupStep("root key written")
	}
	for _, dir := range w.syncDirs {
		if err := atomicfile.SyncDir(dir); err != nil {
			return fmt.Errorf("store: syncing the directory %s: %w", dir, err)
		}
		startupStep("directory synced")
	}
	if w.fingerprint != nil {
		if err := w.fingerprint(); err != nil {
			return err
		}
		startupStep("fingerprint recorded")
	}
	return nil
}

// settlingStore is a store whose start-up writes (settleWork) are still under way. The
// rule it keeps: no Update runs, and so no write is acknowledged, before they are on
// disk; reads never wait. Once they are, an Update costs one receive from a closed
// channel more.
type settlingStore struct {
	store.Store
	settled chan struct{}
	err     error // of settleWork.run, read after settled is closed
}

// settle runs work in the background and holds back st's Updates until it is done; with
// nothing to do it returns st itself.
func settle(st store.Store, work settleWork, logger *slog.Logger) store.Store {
	if work.empty() {
		return st
	}
	s := &settlingStore{Store: st, settled: make(chan struct{})}
	go func() {
		defer close(s.settled)
		if s.err = work.run(); s.err != nil {
			logger.Error("the data directory could not be made durable: writes fail until xregion is restarted", "err", s.err)
		}
	}()
	return s
}

// Update implements store.Store: it waits until the start-up writes are on disk.
func (s *settlingStore) Update(fn func(store.Tx) error) error {
	<-s.settled
	if s.err != nil {
		return fmt.Errorf("store: the data directory could not be made durable at start-up: %w", s.err)
	}
	return s.Store.Update(fn)
}

// Stats implements store.Store: a start-up that failed to make the data directory
// durable is a problem the health endpoint reports.
func (s *settlingStore) Stats() store.Stats {
	st := s.Store.Stats()
	select {
	case <-s.settled:
		if s.err != nil && st.Problem == "" {
			st.Problem = "start-up could not make the data directory durable, so writes fail: " + s.err.Error()
		}
	default:
	}
	return st
}

// Close implements store.Store, after the start-up writes.
func (s *settlingStore) Close() error {
	<-s.settled
	return s.Store.Close()
}
