// Package faults holds the failures an operator injects through the admin API to rehearse
// disaster recovery: a Region that is unreachable for cross-Region work. Services consult
// it before they touch another Region; the API of the Region itself keeps answering, as an
// AWS Region does when only the links to it fail.
package faults

import (
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// Fault is the injected state of one Region.
type Fault struct {
	Region      string `json:"region"`
	Unreachable bool   `json:"unreachable"`
	// Since is when the Region became unreachable, on the job engine's clock, so that
	// services can tell how far cross-Region work got before the outage (an RDS replica's
	// restore window stops there).
	Since time.Time `json:"since,omitzero"`
}

// Registry is the set of active faults. Reads are lock-cheap because every replication
// job asks; writes are rare and persisted so a restarted server keeps its rehearsal.
type Registry struct {
	st store.Store
	mu sync.RWMutex
	by map[string]Fault
}

func key(region string) string { return store.Key("_xregion", "faults", region) }

var prefix = store.Prefix("_xregion", "faults")

// Load reads the persisted faults.
func Load(st store.Store) (*Registry, error) {
	r := &Registry{st: st, by: map[string]Fault{}}
	err := st.View(func(tx store.Tx) error {
		return store.ScanJSON(tx, prefix, func(_ string, f *Fault) bool {
			r.by[f.Region] = *f
			return true
		})
	})
	return r, err
}

// Unreachable reports whether cross-Region work to or from region must fail.
func (r *Registry) Unreachable(region string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.by[region].Unreachable
}

// Since reports when region became unreachable, and whether it is.
func (r *Registry) Since(region string) (time.Time, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f := r.by[region]
	return f.Since, f.Unreachable
}

// Set records a fault; a fault with nothing set is removed. Setting a Region unreachable
// again keeps the time its outage began.
func (r *Registry) Set(f Fault) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.by[f.Region]; ok && old.Unreachable && f.Unreachable {
		f.Since = old.Since
	}
	err := r.st.Update(func(tx store.Tx) error {
		if !f.Unreachable {
			return tx.Delete(key(f.Region))
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		return tx.Put(key(f.Region), b)
	})
	if err != nil {
		return err
	}
	if f.Unreachable {
		r.by[f.Region] = f
	} else {
		delete(r.by, f.Region)
	}
	return nil
}

// Clear removes every fault, or only region's when region is not empty.
func (r *Registry) Clear(region string) error {
	if region != "" {
		return r.Set(Fault{Region: region})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.st.Update(func(tx store.Tx) error { return tx.DeletePrefix(prefix) }); err != nil {
		return err
	}
	r.by = map[string]Fault{}
	return nil
}

// Forget drops the in-memory faults after the store was wiped.
func (r *Registry) Forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.by = map[string]Fault{}
}

// List returns the active faults, sorted by Region.
func (r *Registry) List() []Fault {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Fault, 0, len(r.by))
	for _, f := range r.by {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}
