package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/postgres"
)

// sharedOpenTimeout bounds connecting to PostgreSQL and migrating its schema at start-up,
// so that a node pointed at an unreachable database says so instead of hanging.
const sharedOpenTimeout = time.Minute

// openShared opens the store several nodes share (--store postgres://…) and the sealer of
// the root key they share.
func openShared(cfg Config) (store.Store, *seal.Sealer, error) {
	if cfg.InMemory {
		return nil, nil, errors.New("--store and --in-memory exclude each other")
	}
	if !postgres.IsURL(cfg.Store) {
		// The value is not repeated: it may hold a password.
		return nil, nil, errors.New("--store takes a postgres:// URL (without it, state lives under --data-dir)")
	}
	sealer, err := sharedSealer(cfg)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedOpenTimeout)
	defer cancel()
	st, err := postgres.Open(ctx, cfg.Store)
	if err != nil {
		return nil, nil, err
	}
	var recorded rootKeyInfo
	err = st.View(func(tx store.Tx) error {
		_, err := store.GetJSON(tx, rootKeyRecord, &recorded)
		return err
	})
	if err == nil {
		// Every node must hold the key the first one sealed with; a node started with
		// another would write what the rest cannot read.
		err = holdToFingerprint(st, recorded.Fingerprint, sealer, sharedKeyPlace(cfg), st.Where())
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, sealer, nil
}

// sharedKeyPlace names where a node's root key came from, for errors.
func sharedKeyPlace(cfg Config) string {
	if cfg.RootKey != "" {
		return seal.EnvRootKey
	}
	return filepath.Join(sharedDataDir(cfg), seal.RootKeyFile)
}

func sharedDataDir(cfg Config) string {
	if cfg.DataDir == "" {
		return DefaultDataDir()
	}
	return cfg.DataDir
}

// sharedSealer loads the root key for a shared store: from XREGION_ROOT_KEY, or from
// root.key in the data directory if the operator put it there. Unlike a node's own store,
// a shared one never gets a key made up on first start, since a node with a key of its
// own would seal what the other nodes cannot open; and the key is never kept in
// PostgreSQL, next to what it protects.
func sharedSealer(cfg Config) (*seal.Sealer, error) {
	if cfg.RootKey != "" {
		return seal.Load("", cfg.RootKey)
	}
	dir := sharedDataDir(cfg)
	if _, err := os.Stat(filepath.Join(dir, seal.RootKeyFile)); err == nil {
		return seal.Load(dir, "")
	}
	return nil, fmt.Errorf("a shared store needs the root key every node shares: set %s or put it in %s (it is never stored in PostgreSQL)",
		seal.EnvRootKey, filepath.Join(dir, seal.RootKeyFile))
}

// StoreName says where the state lives, for the start-up log: the database (without
// credentials), the data directory, or "in memory".
func (s *Server) StoreName() string {
	switch {
	case s.cfg.Store != "":
		return s.store.Stats().Path
	case s.cfg.InMemory:
		return "in memory"
	}
	return s.cfg.DataDir
}

// DefaultNodeID names a node that was given no --node-id: its host name and a random
// suffix, so that a node restarted on the same host is a new node and the old one's
// leases lapse rather than being mistaken for the new one's.
func DefaultNodeID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "xregion"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// reloadFaults is what a node sharing its store does on every poll of the job engine:
// read the faults again, so that a drill set through any node applies on all of them.
func reloadFaults(r *faults.Registry, logger *slog.Logger) func() {
	return func() {
		if err := r.Reload(); err != nil {
			logger.Warn("reading the faults from the shared store", "err", err)
		}
	}
}
