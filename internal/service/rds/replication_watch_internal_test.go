package rds

import (
	"testing"
	"time"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/store/memory"
)

// transitions replays the outages of a replication's two Regions since the last look:
// overlapping outages are one stop, a look that saw it down resumes it at its outage's
// end, and one that saw it down with no history left (a wiped store) resumes it now.
func TestTransitionsReplayOutages(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	reg, err := faults.Load(memory.New(), faults.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Kit: &kit.Kit{Faults: reg}}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	set := func(m int, region string, down bool) {
		t.Helper()
		now = at(m)
		if err := reg.Set(faults.Fault{Region: region, Unreachable: down, Since: now}); err != nil {
			t.Fatal(err)
		}
	}
	set(10, "us-east-1", true)
	set(12, "us-west-2", true)
	set(15, "us-east-1", false)
	set(18, "us-west-2", false)
	set(30, "us-east-1", true)
	now = at(40)

	type tr = transition
	cases := []struct {
		name    string
		wasDown bool
		after   time.Time
		want    []tr
	}{
		{"quiet since the last look", false, at(0), []tr{{true, at(10)}, {false, at(18)}, {true, at(30)}}},
		{"seen down during the first outage", true, at(11), []tr{{false, at(18)}, {true, at(30)}}},
		{"seen down during the last", true, at(35), nil},
	}
	for _, c := range cases {
		got := s.transitions(c.wasDown, c.after, now, "us-east-1", "us-west-2")
		if len(got) != len(c.want) {
			t.Fatalf("%s: %+v, want %+v", c.name, got, c.want)
		}
		for i := range got {
			if got[i].down != c.want[i].down || !got[i].at.Equal(c.want[i].at) {
				t.Errorf("%s: transition %d %+v, want %+v", c.name, i, got[i], c.want[i])
			}
		}
	}
	reg.Forget()
	if got := s.transitions(true, at(35), now, "us-east-1", "us-west-2"); len(got) != 1 || got[0].down || !got[0].at.Equal(now) {
		t.Fatalf("wiped history: %+v", got)
	}
	if got := s.transitions(false, at(35), now, "us-east-1"); len(got) != 0 {
		t.Fatalf("nothing to replay: %+v", got)
	}
}
