package rdsengines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/engines/atomicfile"
	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// replication is one store copied continuously into another Region.
type replication struct {
	Src port.BackupStore `json:"src"`
	Dst port.BackupStore `json:"dst"`
}

// Replication runs on wall time, every Config.Every, rather than as a job on xregion's
// clock: the source's WAL reaches its store on wall time (the supervisor's flushes), and
// a job every few seconds of a clock that users move by days would run tens of
// thousands of times per move.
func (p *Provider) replicationsPath() string { return filepath.Join(p.cfg.Dir, "replications.json") }

func (p *Provider) loadReplications() ([]replication, error) {
	return loadList[replication](p.replicationsPath())
}

// changeReplications rewrites the list through fn.
func (p *Provider) changeReplications(fn func([]replication) []replication) error {
	return changeList(&p.replMu, p.replicationsPath(), fn)
}

// loadList reads a JSON list kept in one file; a missing file is an empty list.
func loadList[T any](path string) ([]T, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engines: %w", err)
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("engines: %s: %w", path, err)
	}
	return out, nil
}

// changeList rewrites the list in path through fn, whole, under mu.
func changeList[T any](mu *sync.Mutex, path string, fn func([]T) []T) error {
	mu.Lock()
	defer mu.Unlock()
	list, err := loadList[T](path)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(fn(list))
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return fmt.Errorf("engines: %w", err)
	}
	return nil
}

// Replicate implements port.DatabaseEngines.
func (p *Provider) Replicate(tx kit.Tx, src, dst port.BackupStore) error {
	if _, err := p.open(&tx, src); err != nil {
		return err
	}
	if _, err := p.open(&tx, dst); err != nil {
		return err
	}
	return p.changeReplications(func(list []replication) []replication {
		return append(without(list, dst), replication{Src: src, Dst: dst})
	})
}

// StopReplicating implements port.DatabaseEngines.
func (p *Provider) StopReplicating(dst port.BackupStore) error {
	return p.changeReplications(func(list []replication) []replication { return without(list, dst) })
}

func without(list []replication, dst port.BackupStore) []replication {
	out := list[:0:0]
	for _, r := range list {
		if r.Dst != dst && r.Src != dst {
			out = append(out, r)
		}
	}
	return out
}

// replicateLoop opens every known store (the ports are wired by now), then copies every
// replication each round, skipping those whose Region is cut off: the destination's
// window falls behind, and catches up on the first round after the fault.
func (p *Provider) replicateLoop() {
	defer p.wg.Done()
	p.openAll()
	ticker := time.NewTicker(p.cfg.Every)
	defer ticker.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-ticker.C:
		}
		p.replicateOnce()
		p.streamOnce()
	}
}

func (p *Provider) replicateOnce() {
	p.replMu.Lock()
	list, err := p.loadReplications()
	p.replMu.Unlock()
	if err != nil {
		p.cfg.Logger.Error("engines: replications", "err", err)
		return
	}
	for _, r := range list {
		if p.cfg.Unreachable(r.Src.Region) || p.cfg.Unreachable(r.Dst.Region) {
			continue
		}
		if err := p.copyNow(r); err != nil {
			p.cfg.Logger.Warn("engines: replicating backups", "from", r.Src.Region+"/"+r.Src.Name, "to", r.Dst.Region, "err", err)
		}
	}
}

func (p *Provider) copyNow(r replication) error {
	from, err := p.open(nil, r.Src)
	if err != nil {
		return err
	}
	to, err := p.open(nil, r.Dst)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	_, err = backupstore.Copy(ctx, from, to)
	return err
}
