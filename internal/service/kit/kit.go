package kit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
)

// Deps is the server's shared machinery, from which each service's Kit is cut.
type Deps struct {
	Store  store.Store
	Jobs   *jobs.Engine
	Clock  *jobs.Clock
	Faults *faults.Registry // nil means every Region is reachable
	Sealer *seal.Sealer
	Logger *slog.Logger // nil means discard
}

// Kit is one service's share of the machinery. A service embeds it.
type Kit struct {
	// Name is the service's signing name; it is also the service part of every key the
	// service's views build.
	Name   string
	Jobs   *jobs.Engine
	Clock  *jobs.Clock
	Faults *faults.Registry // never nil
	Log    *slog.Logger     // never nil
	// Sealer seals what must never be stored in plain text (key material) with the
	// server's root key.
	Sealer *seal.Sealer
	st     store.Store
}

// New cuts the kit of the service name from d. Store, Jobs, Clock and Sealer are
// required.
func New(name string, d Deps) (*Kit, error) {
	if name == "" || d.Store == nil || d.Jobs == nil || d.Clock == nil || d.Sealer == nil {
		return nil, fmt.Errorf("kit: %q needs a name, a Store, Jobs, a Clock and a Sealer", name)
	}
	k := &Kit{Name: name, Jobs: d.Jobs, Clock: d.Clock, Faults: d.Faults, Log: d.Logger, Sealer: d.Sealer, st: d.Store}
	if k.Faults == nil {
		k.Faults = &faults.Registry{}
	}
	if k.Log == nil {
		k.Log = slog.New(slog.DiscardHandler)
	}
	return k, nil
}

// View runs fn in a read-only transaction.
func (k *Kit) View(fn func(tx Tx) error) error {
	return k.st.View(func(raw store.Tx) error { return fn(Tx{raw: raw, kit: k}) })
}

// Update runs fn in a read-write transaction: what fn writes commits when it returns
// nil, and nothing does when it fails.
func (k *Kit) Update(fn func(tx Tx) error) error {
	return k.st.Update(func(raw store.Tx) error { return fn(Tx{raw: raw, kit: k}) })
}

// Read runs fn in a read-only transaction and returns what it returns: the shape of
// every handler that only reads.
func Read[T any](k *Kit, fn func(tx Tx) (T, error)) (T, error) {
	var out T
	err := k.View(func(tx Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

// Write is Read in a read-write transaction. On failure it returns the zero T, so that a
// handler never answers half of what it wrote and rolled back.
func Write[T any](k *Kit, fn func(tx Tx) (T, error)) (T, error) {
	var out T
	err := k.Update(func(tx Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// Join returns tx as this service's transaction: the same transaction, with this
// service's records. A service that provides a port joins the transaction its consumer
// hands it, so that what both write commits together.
func (k *Kit) Join(tx Tx) Tx { return Tx{raw: tx.raw, kit: k} }

// After is the instant an asynchronous transition started now is due (the engine's
// transition delay from now).
func (k *Kit) After() time.Time { return k.Jobs.After() }

// Unreachable reports whether cross-Region work to or from any of regions must wait for
// a fault to clear.
func (k *Kit) Unreachable(regions ...string) (string, bool) {
	for _, r := range regions {
		if k.Faults.Unreachable(r) {
			return r, true
		}
	}
	return "", false
}

// Call returns the request ctx carries, as the service sees it.
func (k *Kit) Call(ctx context.Context) Call { return callOf(ctx, k.Clock) }

// Tx is a store transaction as one service sees it. It is only valid inside the
// function given to View or Update (or a job's Run).
type Tx struct {
	raw store.Tx
	kit *Kit
}

// Global stands for the Region in the records of services that have no Region (IAM).
const Global = store.Global

// In returns the service's records of one account and Region (Global for services that
// have no Region).
func (t Tx) In(account, region string) View {
	if t.kit == nil {
		panic("kit: a transaction adopted from outside the kit has no records of its own; Join it first")
	}
	return View{raw: t.raw, scope: store.Scope{Account: account, Region: region, Service: t.kit.Name}}
}

// Writable reports whether this is a read-write transaction.
func (t Tx) Writable() bool { return t.raw.Writable() }

// OnCommit runs fn after the transaction has committed (never if it rolls back).
func (t Tx) OnCommit(fn func()) { t.raw.OnCommit(fn) }

// CancelJobs cancels pending jobs by id in the transaction. Empty ids and jobs that have
// already run or been cancelled are skipped: callers keep the id of a job they armed and
// cancel it without knowing whether it ran.
func (t Tx) CancelJobs(ids ...string) error {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := t.kit.Jobs.Cancel(t.raw, id); err != nil && !errors.Is(err, jobs.ErrNotFound) {
			return fmt.Errorf("%s: cancelling job %s: %w", t.kit.Name, id, err)
		}
	}
	return nil
}

// ErrNoSpace is the store's refusal of a write on a full disk: services that keep work in
// memory while the store refuses (CloudTrail's queue) tell it from other failures.
var ErrNoSpace = store.ErrNoSpace
