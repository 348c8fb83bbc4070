// Package faults holds the failures an operator injects through the admin API to rehearse
// disaster recovery. A fault is scoped to a Region, and may be narrowed to one service or
// one operation (or widened to a service in every Region). It can:
//
//   - cut a Region off for cross-Region work (Unreachable): replication and copies to and
//     from it wait and retry, while its own API keeps answering, as when only the links
//     between Regions fail;
//   - take the API down (Outage "api"): calls signed for the Region fail as a regional
//     outage makes them fail for the SDKs, with HTTP 503 or a reset connection (Mode),
//     and cross-Region work waits too when the whole Region is down;
//   - slow calls down (Latency) or throttle a share of them (ThrottleRate).
//
// Faults may expire (Expires), on the job engine's clock, so that a drill can end by
// itself when the clock moves past it.
package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/store"
)

// OutageAPI is the outage that takes a scope's API down.
const OutageAPI = "api"

// Modes of an API outage: what a client sees.
const (
	// ModeUnavailable answers HTTP 503 ServiceUnavailable, which every SDK retries: it
	// exercises retry policies. It is the default.
	ModeUnavailable = "unavailable"
	// ModeReset resets the connection without an answer, as a load balancer in a failing
	// Region does: it exercises the SDKs' handling of connection errors. (A refused
	// connection cannot be staged on one listener shared by every Region: the Region is
	// known only from the request's signature, once the connection is accepted.)
	ModeReset = "reset"
)

// MaxLatency bounds injected latency, so that a typo ("10h" for "10s") cannot hold
// connections for hours.
const MaxLatency = 5 * time.Minute

// Fault is one injected failure and the scope it applies to.
type Fault struct {
	// Region is the Region the fault applies to; empty means every Region, which only a
	// fault limited to a service may say.
	Region string `json:"region,omitempty"`
	// Service (a signing name: "secretsmanager", "rds", ...) and Operation narrow the
	// fault's API effects to one service or one of its operations.
	Service   string `json:"service,omitempty"`
	Operation string `json:"operation,omitempty"`

	// Unreachable cuts the Region off for cross-Region work.
	Unreachable bool `json:"unreachable,omitempty"`
	// Outage is "api" to fail every call in scope, the Mode's way.
	Outage string `json:"outage,omitempty"`
	Mode   string `json:"mode,omitempty"`
	// Latency is added to every call in scope before it is served.
	Latency Duration `json:"latency,omitzero"`
	// ThrottleRate is the share of calls in scope (0 to 1) answered with the protocol's
	// throttling error.
	ThrottleRate float64 `json:"throttleRate,omitempty"`

	// Since is when the fault began, on the job engine's clock, so that services can tell
	// how far cross-Region work got before the outage (an RDS replica's restore window
	// stops there).
	Since time.Time `json:"since,omitzero"`
	// Expires, when set, is when the fault ends by itself, on the same clock.
	Expires time.Time `json:"expires,omitzero"`
}

// Duration is a time.Duration written in JSON as Go writes it ("1.5s").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string ("250ms", "2s").
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"250ms\" or \"2s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %v", s, err)
	}
	*d = Duration(v)
	return nil
}

// Down reports whether the fault stops cross-Region work to and from its Region: it cuts
// the Region off, or takes the whole Region's API down. A fault limited to a service or
// an operation only touches the calls it names.
func (f Fault) Down() bool {
	return f.Service == "" && (f.Unreachable || f.Outage == OutageAPI)
}

// empty reports whether the fault does nothing, which is how Set removes one.
func (f Fault) empty() bool {
	return !f.Unreachable && f.Outage == "" && f.Latency == 0 && f.ThrottleRate == 0
}

// Validate checks the fault's scope and effects.
func (f Fault) Validate() error {
	switch {
	case f.Region != "" && !regions.Valid(f.Region):
		return fmt.Errorf("unknown Region %q", f.Region)
	case f.Region == "" && f.Service == "":
		return errors.New(`a fault names a "region", a "service", or both`)
	case f.Operation != "" && f.Service == "":
		return errors.New(`a fault limited to an "operation" names its "service" too`)
	case f.Unreachable && f.Service != "":
		// Cross-Region work is cut between Regions, not between services.
		return errors.New(`"unreachable" cuts a whole Region off; it cannot be limited to a service or an operation`)
	case f.Outage != "" && f.Outage != OutageAPI:
		return fmt.Errorf(`unknown outage %q: the one outage is "api"`, f.Outage)
	case f.Mode != "" && f.Outage == "":
		return errors.New(`"mode" belongs to an outage: give "outage": "api" too`)
	case f.Mode != "" && f.Mode != ModeUnavailable && f.Mode != ModeReset:
		return fmt.Errorf(`unknown mode %q: "unavailable" (HTTP 503) or "reset" (the connection is reset)`, f.Mode)
	case f.Latency < 0 || time.Duration(f.Latency) > MaxLatency:
		return fmt.Errorf(`"latency" must be between 0 and %v`, MaxLatency)
	case f.ThrottleRate < 0 || f.ThrottleRate > 1:
		return errors.New(`"throttleRate" must be between 0 and 1`)
	}
	return nil
}

// Matches reports whether the fault applies to a call of operation on service in region.
func (f Fault) Matches(service, region, operation string) bool {
	return (f.Region == "" || f.Region == region) && (f.Service == "" || f.Service == service) &&
		(f.Operation == "" || f.Operation == operation)
}

// scope is the fault's identity in the registry and its store key: one fault per scope.
// A Region-wide fault keeps the key older releases wrote.
func (f Fault) scope() string {
	if f.Service == "" {
		return store.Key("_xregion", "faults", f.Region)
	}
	region := f.Region
	if region == "" {
		region = "*"
	}
	return store.Key("_xregion", "faults", region, f.Service, f.Operation)
}

func (f Fault) less(g Fault) bool {
	if f.Region != g.Region {
		return f.Region < g.Region
	}
	if f.Service != g.Service {
		return f.Service < g.Service
	}
	return f.Operation < g.Operation
}

// Registry is the set of faults. Reads are lock-cheap because every request and every
// replication job asks; writes are rare and persisted so a restarted server keeps its
// rehearsal. The zero Registry has no faults.
type Registry struct {
	st  store.Store
	now func() time.Time
	mu  sync.RWMutex
	by  map[string]Fault // by scope
	// past are the ended outages of each Region, oldest first (outages.go).
	past map[string][]Outage
}

var prefix = store.Prefix("_xregion", "faults")

// Option configures a Registry.
type Option func(*Registry)

// WithClock makes faults expire on now (the job engine's clock) instead of real time.
func WithClock(now func() time.Time) Option { return func(r *Registry) { r.now = now } }

// Load reads the persisted faults.
func Load(st store.Store, opts ...Option) (*Registry, error) {
	r := &Registry{st: st, now: time.Now, by: map[string]Fault{}, past: map[string][]Outage{}}
	for _, o := range opts {
		o(r)
	}
	return r, r.Reload()
}

// Reload reads the faults again from the store. Nodes that share a store call it on
// every poll, so that a fault set through one node applies on all of them within a poll:
// the store is the registry, the map only its copy for cheap reads.
func (r *Registry) Reload() error {
	by := map[string]Fault{}
	var past map[string][]Outage
	err := r.st.View(func(tx store.Tx) error {
		clear(by) // a View is not retried, but keep the function repeatable all the same
		err := store.ScanJSON(tx, prefix, func(_ string, f *Fault) bool {
			by[f.scope()] = *f
			return true
		})
		if err != nil {
			return err
		}
		past, err = loadOutages(tx)
		return err
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.by, r.past = by, past
	r.mu.Unlock()
	return nil
}

// live reports whether f has not expired yet.
func (r *Registry) live(f Fault) bool {
	return f.Expires.IsZero() || r.clock().Before(f.Expires)
}

// clock is the time on the registry's clock (the zero Registry's is real time).
func (r *Registry) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// regionFault is the live fault that stops cross-Region work of region, if any.
func (r *Registry) regionFault(region string) (Fault, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.by[Fault{Region: region}.scope()]
	return f, ok && f.Down() && r.live(f)
}

// Unreachable reports whether cross-Region work to or from region must fail.
func (r *Registry) Unreachable(region string) bool {
	_, down := r.regionFault(region)
	return down
}

// Since reports when region became unreachable, and whether it is.
func (r *Registry) Since(region string) (time.Time, bool) {
	f, down := r.regionFault(region)
	return f.Since, down
}

// Match returns the live faults that apply to a call of operation on service in region.
func (r *Registry) Match(service, region, operation string) []Fault {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Fault
	for _, f := range r.by {
		if f.Matches(service, region, operation) && r.live(f) {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}

// Set records a fault in its scope, replacing the one there; a fault that does nothing
// removes it. A Region that stays down keeps the time its outage began.
func (r *Registry) Set(f Fault) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, had := r.by[f.scope()]
	had = had && r.live(old) // an expired fault's outage is ended by writeLocked
	if had && old.Down() && f.Down() {
		f.Since = old.Since
	}
	ended := func() {}
	return r.writeLocked(func(tx store.Tx) error {
		if had && !f.Down() {
			var err error
			if ended, err = r.endOutageLocked(tx, old, r.clock()); err != nil {
				return err
			}
		}
		if f.empty() {
			return tx.Delete(f.scope())
		}
		return store.PutJSON(tx, f.scope(), f)
	}, func() {
		ended()
		if f.empty() {
			delete(r.by, f.scope())
		} else {
			r.by[f.scope()] = f
		}
	})
}

// Clear removes every fault, or only those of region (in every scope) when region is not
// empty.
func (r *Registry) Clear(region string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var gone []string
	for scope, f := range r.by {
		if region == "" || f.Region == region {
			gone = append(gone, scope)
		}
	}
	var ended []func()
	return r.writeLocked(func(tx store.Tx) error {
		ended = nil
		for _, scope := range gone {
			if f := r.by[scope]; r.live(f) {
				end, err := r.endOutageLocked(tx, f, r.clock())
				if err != nil {
					return err
				}
				ended = append(ended, end)
			}
			if err := tx.Delete(scope); err != nil {
				return err
			}
		}
		return nil
	}, func() {
		for _, end := range ended {
			end()
		}
		for _, scope := range gone {
			delete(r.by, scope)
		}
	})
}

// writeLocked runs change in a store transaction that also drops expired faults (keeping
// the outages they ended, at their expiry), and on success applies the change to memory.
func (r *Registry) writeLocked(change func(tx store.Tx) error, apply func()) error {
	var expired []string
	for scope, f := range r.by {
		if !r.live(f) {
			expired = append(expired, scope)
		}
	}
	var ended []func()
	err := r.st.Update(func(tx store.Tx) error {
		ended = nil
		for _, scope := range expired {
			end, err := r.endOutageLocked(tx, r.by[scope], r.by[scope].Expires)
			if err != nil {
				return err
			}
			ended = append(ended, end)
			if err := tx.Delete(scope); err != nil {
				return err
			}
		}
		return change(tx)
	})
	if err != nil {
		return err
	}
	for _, end := range ended {
		end()
	}
	for _, scope := range expired {
		delete(r.by, scope)
	}
	apply()
	return nil
}

// Forget drops the in-memory faults after the store was wiped.
func (r *Registry) Forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.by = map[string]Fault{}
	r.past = map[string][]Outage{}
}

// List returns the live faults, sorted by Region, service and operation.
func (r *Registry) List() []Fault {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Fault, 0, len(r.by))
	for _, f := range r.by {
		if r.live(f) {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}
