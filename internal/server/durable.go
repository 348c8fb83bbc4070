package server

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/bolt"
)

// rootKeyRecord holds the fingerprint of the root key a durable store is sealed with. It
// outlives an admin reset: the store is emptied, the key stays the same.
var rootKeyRecord = store.Key("_xregion", "root-key")

type rootKeyInfo struct {
	Fingerprint string `json:"fingerprint"`
}

// openDurable opens the store in the data directory and the root key that seals it, and
// refuses, with one line that says what to do, the combinations that would lose data
// silently: a root key missing or replaced beside a store sealed with another (every
// secret and key would answer 500, and new writes under the new key would be unreadable
// once the old one came back), and an existing but empty store file.
//
// What a first start must make durable besides the store file itself — a new root key,
// the directory entries, the key's fingerprint — is written after it answers
// (settle.go): every Update waits for it, so no write is acknowledged before the key that
// seals it is on disk.
func openDurable(cfg Config) (store.Store, *seal.Sealer, error) {
	createdDir := !exists(cfg.DataDir)
	if err := privateDir(cfg.DataDir, enginesNeedSearchableDataDir(cfg), cfg.Logger); err != nil {
		return nil, nil, err
	}
	startupStep("data directory made")
	path := filepath.Join(cfg.DataDir, storeFile)
	newFile := !exists(path)
	st, err := bolt.Open(path)
	if errors.Is(err, bolt.ErrEmptyFile) && interruptedFirstStart(cfg) {
		// The first start created the file and stopped before bbolt initialised it
		// (nothing else leaves 0 bytes): there was never any data, and no root key.
		cfg.Logger.Warn("the store file is empty and no root key exists yet: starting with a new store", "path", path)
		if err := os.Remove(path); err != nil {
			return nil, nil, fmt.Errorf("store: %v", err)
		}
		st, err = bolt.Open(path)
		newFile = true
	}
	if err != nil {
		return nil, nil, err
	}
	startupStep("store opened")
	sealer, pending, err := sealerFor(st, cfg, path)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	startupStep("root key chosen")
	var work settleWork
	if pending.key != nil || newFile {
		work.syncDirs = append(work.syncDirs, cfg.DataDir) // the entries of the store file (and key)
	}
	if createdDir {
		work.syncDirs = append(work.syncDirs, filepath.Dir(cfg.DataDir)) // the data directory's own entry
	}
	work.key, work.fingerprint = pending.key, pending.fingerprint
	return settle(st, work, cfg.Logger), sealer, nil
}

// startupStep marks the steps of opening a data directory, for the test that kills a
// first start at each of them (TestFirstStartKilledAtEveryStep).
var startupStep = func(name string) {}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

// interruptedFirstStart reports whether the data directory shows a first start that
// never finished: no root key, in the directory or the environment.
func interruptedFirstStart(cfg Config) bool {
	return cfg.RootKey == "" && !exists(filepath.Join(cfg.DataDir, seal.RootKeyFile))
}

// pendingKey is what sealerFor leaves to be written after start: a root key made now, and
// the fingerprint a store without one must record.
type pendingKey struct {
	key         *seal.NewKey
	fingerprint func() error
}

// sealerFor loads the root key and holds it to the fingerprint the store recorded. A new
// key is made only for a store that holds nothing yet and only in memory: writing it, and
// recording its fingerprint in a store that has none yet (a new one, or one from before
// fingerprints were recorded), is left to the caller.
func sealerFor(st store.Store, cfg Config, path string) (*seal.Sealer, pendingKey, error) {
	var recorded rootKeyInfo
	var pending pendingKey
	empty := true
	err := st.View(func(tx store.Tx) error {
		if _, err := store.GetJSON(tx, rootKeyRecord, &recorded); err != nil {
			return err
		}
		return tx.Scan("", "", func(string, []byte) bool { empty = false; return false })
	})
	if err != nil {
		return nil, pending, err
	}
	keyPlace := filepath.Join(cfg.DataDir, seal.RootKeyFile)
	if cfg.RootKey != "" {
		keyPlace = seal.EnvRootKey
	}
	var sealer *seal.Sealer
	switch {
	case empty && interruptedFirstStart(cfg):
		if pending.key, err = seal.Generate(cfg.DataDir); err == nil {
			sealer = pending.key.Sealer()
		}
	default:
		sealer, err = seal.LoadExisting(cfg.DataDir, cfg.RootKey)
	}
	if errors.Is(err, seal.ErrNoRootKey) {
		return nil, pending, fmt.Errorf("the root key %s is missing, but the store %s holds data sealed with one: put the original "+
			"root key back (a new one could not read the secrets and keys in the store)", keyPlace, path)
	}
	if err != nil {
		return nil, pending, err
	}
	if recorded.Fingerprint == "" {
		pending.fingerprint = func() error { return recordFingerprint(st, sealer) }
		return sealer, pending, nil
	}
	return sealer, pending, holdToFingerprint(st, recorded.Fingerprint, sealer, keyPlace, path)
}

// holdToFingerprint refuses a root key other than the one the store recorded, and records
// the key's fingerprint in a store that has none yet (a new store, or one from before
// fingerprints were recorded).
func holdToFingerprint(st store.Store, recorded string, sealer *seal.Sealer, keyPlace, where string) error {
	switch recorded {
	case sealer.Fingerprint():
		return nil
	case "":
		return recordFingerprint(st, sealer)
	}
	return fmt.Errorf("the root key %s is not the one the store %s was sealed with (fingerprint %s, the store expects %s): "+
		"put the original root key back", keyPlace, where, sealer.Fingerprint(), recorded)
}

func recordFingerprint(st store.Store, sealer *seal.Sealer) error {
	return st.Update(func(tx store.Tx) error {
		return store.PutJSON(tx, rootKeyRecord, rootKeyInfo{Fingerprint: sealer.Fingerprint()})
	})
}

// privateDir creates the data directory, or takes away the access of others to an
// existing one: the store and the root key live there. searchable leaves others the
// right to pass through it (0711), which the real engines' servers need when xregion
// runs as root (see enginesDir); they still cannot list it or read what is in it.
func privateDir(dir string, searchable bool, logger *slog.Logger) error {
	want := os.FileMode(0o700)
	if searchable {
		want = 0o711
	}
	if err := os.MkdirAll(dir, want); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	perm := info.Mode().Perm()
	mode := perm&0o700 | want&0o011
	if perm == mode {
		return nil
	}
	if err := os.Chmod(dir, mode); err != nil {
		return fmt.Errorf("making the data directory %s private: %w", dir, err)
	}
	if perm&^mode != 0 {
		logger.Warn("the data directory was readable by others: its mode is now private", "dir", dir,
			"was", perm.String(), "now", mode.String())
	}
	return nil
}
