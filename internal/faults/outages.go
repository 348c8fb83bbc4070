package faults

import (
	"slices"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// Outage is a span of the job engine's clock during which a Region's cross-Region work
// stopped (a fault that was Down). End is zero while it lasts.
//
// The registry keeps the outages that ended, so that a service that looks only now and
// then (RDS's hourly replication watch) still learns of an outage that began and ended
// between two of its looks, with the times it began and ended.
type Outage struct {
	Region string    `json:"region"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end,omitzero"`
}

// maxOutageHistory bounds the ended outages kept per Region: readers look back an hour
// or so, and a drill that takes a Region up and down more often than this in that time
// has made its point.
const maxOutageHistory = 64

var outagePrefix = store.Prefix("_xregion", "outages")

func (o Outage) key() string {
	return store.Key("_xregion", "outages", o.Region, o.Start.UTC().Format(time.RFC3339Nano))
}

// Outages returns region's outages that ended after after, oldest first, followed by the
// one under way, if any.
func (r *Registry) Outages(region string, after time.Time) []Outage {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Outage
	for _, o := range r.past[region] {
		if o.End.After(after) {
			out = append(out, o)
		}
	}
	// A Region fault that expired on the clock ended then, whether or not anyone has
	// written since: its outage is ended, not under way.
	if f, ok := r.by[Fault{Region: region}.scope()]; ok && f.Down() {
		o := Outage{Region: region, Start: f.Since}
		if !r.live(f) {
			o.End = f.Expires
		}
		if o.End.IsZero() || o.End.After(after) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Outage) int { return a.Start.Compare(b.Start) })
	return out
}

// endOutageLocked records, in tx, that old's outage ended at end, if old stopped
// cross-Region work; apply makes the record part of the registry once tx commits.
func (r *Registry) endOutageLocked(tx store.Tx, old Fault, end time.Time) (apply func(), err error) {
	if !old.Down() || old.Region == "" {
		return func() {}, nil
	}
	o := Outage{Region: old.Region, Start: old.Since, End: end}
	if !old.Expires.IsZero() && old.Expires.Before(end) {
		o.End = old.Expires
	}
	if err := store.PutJSON(tx, o.key(), o); err != nil {
		return nil, err
	}
	kept := append(slices.Clone(r.past[o.Region]), o)
	var dropped []Outage
	if n := len(kept) - maxOutageHistory; n > 0 {
		dropped, kept = kept[:n], kept[n:]
	}
	for _, d := range dropped {
		if err := tx.Delete(d.key()); err != nil {
			return nil, err
		}
	}
	return func() { r.past[o.Region] = kept }, nil
}

// loadOutages reads the ended outages of every Region, oldest first.
func loadOutages(tx store.Tx) (map[string][]Outage, error) {
	past := map[string][]Outage{}
	err := store.ScanJSON(tx, outagePrefix, func(_ string, o *Outage) bool {
		past[o.Region] = append(past[o.Region], *o)
		return true
	})
	for _, list := range past {
		slices.SortFunc(list, func(a, b Outage) int { return a.Start.Compare(b.Start) })
	}
	return past, err
}
