package rdsengines

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/engines/atomicfile"
	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// keyFile is a backup store's data key as kept beside it: wrapped by the KMS key KeyARN
// (a KMS ciphertext, opened through the key ring) or, without one, sealed with the root
// key. Without the root key neither opens, so no row in a store is readable.
type keyFile struct {
	Ref     port.BackupStore `json:"ref"`
	Wrapped []byte           `json:"wrapped"`
}

// dir is where the store ref names lives. Names come from RDS identifiers and resource
// ids, which hold no "/"; a name that did would be refused rather than escape.
func (p *Provider) dir(ref port.BackupStore) (string, error) {
	for _, part := range []string{ref.Account, ref.Region, ref.Kind, ref.Name} {
		if part == "" || part == "." || part == ".." || strings.ContainsAny(part, `/\`) {
			return "", fmt.Errorf("engines: %q cannot name a backup store", part)
		}
	}
	return filepath.Join(p.cfg.Dir, "backups", ref.Account, ref.Region, ref.Kind, ref.Name), nil
}

// encryptionContext binds a wrapped data key to its store.
func encryptionContext(ref port.BackupStore) map[string]string {
	return map[string]string{"xregion:backups": ref.Account + "/" + ref.Region + "/" + ref.Kind + "/" + ref.Name}
}

// open returns the store ref names, creating it and its data key when missing. tx is
// the caller's transaction, through which KMS keys are reached; nil means none is held,
// and a read-only one is taken. The store is cached for the life of the process.
func (p *Provider) open(tx *kit.Tx, ref port.BackupStore) (*backupstore.Store, error) {
	dir, err := p.dir(ref)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stores[dir]; ok {
		return st, nil
	}
	var key []byte
	err = p.withTx(tx, func(ktx kit.Tx) error {
		key, err = p.dataKey(ktx, dir+".key", ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	sealer, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	st, err := backupstore.Open(dir, sealer)
	if err != nil {
		return nil, err
	}
	p.stores[dir] = st
	return st, nil
}

// writer counts an operation writing into what key names (see Provider.writing: a
// store's directory, or "server/<id>" for a server being made) and returns its end. It
// never blocks: callers hold RDS's transaction.
func (p *Provider) writer(key string) func() {
	p.mu.Lock()
	p.writing[key]++
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.writing[key]--; p.writing[key] <= 0 {
			delete(p.writing, key)
		}
	}
}

// awaitWriters waits, in an operation's own goroutine, until nothing writes into what
// key names.
func (p *Provider) awaitWriters(ctx context.Context, key string) error {
	for {
		p.mu.Lock()
		n := p.writing[key]
		p.mu.Unlock()
		if n == 0 {
			return nil
		}
		timer := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// cached returns the store ref names if this process has opened it.
func (p *Provider) cached(ref port.BackupStore) (*backupstore.Store, bool) {
	dir, err := p.dir(ref)
	if err != nil {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.stores[dir]
	return st, ok
}

func (p *Provider) withTx(tx *kit.Tx, fn func(kit.Tx) error) error {
	if tx != nil {
		return fn(*tx)
	}
	return p.cfg.Store.View(func(raw store.Tx) error { return fn(kit.Adopt(raw)) })
}

// dataKey unwraps the store's data key, or makes and records one.
func (p *Provider) dataKey(tx kit.Tx, path string, ref port.BackupStore) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		var kf keyFile
		if err := json.Unmarshal(b, &kf); err != nil {
			return nil, fmt.Errorf("engines: %s: %w", path, err)
		}
		return p.unwrap(tx, kf)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("engines: %w", err)
	}
	key, kf, err := p.newDataKey(tx, ref)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("engines: %w", err)
	}
	b, _ = json.Marshal(kf)
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return nil, fmt.Errorf("engines: %w", err)
	}
	return key, nil
}

func (p *Provider) newDataKey(tx kit.Tx, ref port.BackupStore) ([]byte, keyFile, error) {
	kf := keyFile{Ref: ref}
	if ref.KeyARN == "" {
		key := make([]byte, seal.KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, kf, err
		}
		kf.Wrapped = p.cfg.Root.Seal(key, []byte(encryptionContext(ref)["xregion:backups"]))
		return key, kf, nil
	}
	key, wrapped, _, err := p.keys.GenerateDataKey(tx, ref.Account, ref.Region, ref.KeyARN, encryptionContext(ref))
	if err != nil {
		return nil, kf, fmt.Errorf("engines: a data key of %s: %w", ref.KeyARN, err)
	}
	kf.Wrapped = wrapped
	return key, kf, nil
}

func (p *Provider) unwrap(tx kit.Tx, kf keyFile) ([]byte, error) {
	if kf.Ref.KeyARN == "" {
		return p.cfg.Root.Open(kf.Wrapped, []byte(encryptionContext(kf.Ref)["xregion:backups"]))
	}
	key, _, err := p.keys.Decrypt(tx, kf.Ref.Account, kf.Ref.Region, kf.Wrapped, encryptionContext(kf.Ref))
	if err != nil {
		return nil, fmt.Errorf("engines: the data key of %s/%s: %w", kf.Ref.Kind, kf.Ref.Name, err)
	}
	return key, nil
}

// drop forgets and removes a store and its key.
func (p *Provider) drop(ref port.BackupStore) error {
	dir, err := p.dir(ref)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.stores, dir)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("engines: %w", err)
	}
	return removeFile(dir + ".key")
}

// openAll opens every store with a key file, so that restore windows are known without
// a transaction (Window is asked inside RDS's).
func (p *Provider) openAll() {
	root := filepath.Join(p.cfg.Dir, "backups")
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".key") || atomicfile.IsTemp(d.Name()) {
			return nil
		}
		b, err := os.ReadFile(path)
		var kf keyFile
		if err == nil {
			err = json.Unmarshal(b, &kf)
		}
		if err == nil {
			_, err = p.open(nil, kf.Ref)
		}
		if err != nil {
			p.cfg.Logger.Warn("engines: cannot open a backup store", "key", path, "err", err)
		}
		return nil
	})
}

// adopt records that server id keeps its automated backups in ref, and opens that store.
func (p *Provider) adopt(tx kit.Tx, id string, ref port.BackupStore) error {
	if _, err := p.open(&tx, ref); err != nil {
		return err
	}
	b, _ := json.Marshal(ref)
	if err := atomicfile.WriteBytes(p.ownerPath(id), b); err != nil {
		return fmt.Errorf("engines: %w", err)
	}
	return nil
}

func (p *Provider) ownerPath(id string) string {
	return filepath.Join(p.cfg.Dir, "owners", filepath.Base(id)+".json")
}

// serverStore is the supervisor's BackupResolver: the automated store of a server. It
// runs in the supervisor's background work, never inside a transaction.
func (p *Provider) serverStore(id string) (*backupstore.Store, error) {
	b, err := os.ReadFile(p.ownerPath(id))
	if err != nil {
		return nil, fmt.Errorf("engines: the backups of %s: %w", id, err)
	}
	var ref port.BackupStore
	if err := json.Unmarshal(b, &ref); err != nil {
		return nil, fmt.Errorf("engines: the backups of %s: %w", id, err)
	}
	return p.open(nil, ref)
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("engines: %w", err)
	}
	return nil
}
