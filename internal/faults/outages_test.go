package faults

import (
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store/memory"
)

// An outage that began and ended between two looks is still there to be read, with the
// times on the clock it began and ended — cleared, replaced by a fault that is not Down,
// or expired — and other nodes read it too.
func TestOutagesKeepTheirHistory(t *testing.T) {
	st := memory.New()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	r, err := Load(st, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	down := func(extra Fault) {
		t.Helper()
		extra.Region, extra.Since = "us-east-1", now
		if err := r.Set(extra); err != nil {
			t.Fatal(err)
		}
	}
	// Cleared after 5 minutes.
	now = at(10 * time.Minute)
	down(Fault{Unreachable: true})
	now = at(15 * time.Minute)
	if err := r.Clear("us-east-1"); err != nil {
		t.Fatal(err)
	}
	// An API outage replaced by mere latency: cross-Region work resumes then.
	now = at(20 * time.Minute)
	down(Fault{Outage: OutageAPI})
	now = at(22 * time.Minute)
	down(Fault{Unreachable: true}) // still down: the outage goes on from 20'
	now = at(25 * time.Minute)
	down(Fault{Latency: Duration(time.Second)})
	// Expired on the clock at 35', read before anything is written again.
	now = at(30 * time.Minute)
	down(Fault{Unreachable: true, Expires: at(35 * time.Minute)})
	now = at(50 * time.Minute)
	// A fault limited to a service never stopped cross-Region work.
	if err := r.Set(Fault{Region: "us-west-2", Service: "rds", Outage: OutageAPI}); err != nil {
		t.Fatal(err)
	}
	want := []Outage{
		{"us-east-1", at(10 * time.Minute), at(15 * time.Minute)},
		{"us-east-1", at(20 * time.Minute), at(25 * time.Minute)},
		{"us-east-1", at(30 * time.Minute), at(35 * time.Minute)},
	}
	check := func(r *Registry, after time.Time, want []Outage) {
		t.Helper()
		got := r.Outages("us-east-1", after)
		if len(got) != len(want) {
			t.Fatalf("outages after %v: %+v, want %+v", after, got, want)
		}
		for i := range got {
			if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
				t.Errorf("outage %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	}
	check(r, t0, want)
	check(r, at(20*time.Minute), want[1:])
	if got := r.Outages("us-west-2", t0); len(got) != 0 {
		t.Errorf("a service's outage is a Region outage: %+v", got)
	}
	// The one under way comes last, without an end.
	now = at(60 * time.Minute)
	down(Fault{Unreachable: true})
	got := r.Outages("us-east-1", at(40*time.Minute))
	if len(got) != 1 || !got[0].Start.Equal(at(60*time.Minute)) || !got[0].End.IsZero() {
		t.Fatalf("under way: %+v", got)
	}
	other, err := Load(st, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	check(other, t0, append(want, Outage{"us-east-1", at(60 * time.Minute), time.Time{}}))
	other.Forget()
	if got := other.Outages("us-east-1", t0); len(got) != 0 {
		t.Fatalf("after Forget: %+v", got)
	}
}

// The history is bounded per Region, in memory and in the store.
func TestOutageHistoryIsBounded(t *testing.T) {
	st := memory.New()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := Load(st, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < maxOutageHistory+5; i++ {
		if err := r.Set(Fault{Region: "eu-west-1", Unreachable: true, Since: now}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		if err := r.Clear(""); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	again, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, reg := range []*Registry{r, again} {
		got := reg.Outages("eu-west-1", time.Time{})
		if len(got) != maxOutageHistory || !got[len(got)-1].End.Equal(now.Add(-time.Minute)) {
			t.Fatalf("kept %d outages, the last %+v", len(got), got[len(got)-1])
		}
	}
}
