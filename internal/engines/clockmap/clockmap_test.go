package clockmap

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store/bolt"
	"github.com/xregion/xregion/internal/store/memory"
)

var w0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func open(t *testing.T) *Map {
	t.Helper()
	m, err := Open(memory.New())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func note(t *testing.T, m *Map, wall time.Time, offset time.Duration) {
	t.Helper()
	if err := m.Note(wall, offset); err != nil {
		t.Fatal(err)
	}
}

func TestWithoutStepsTheClockIsWallTime(t *testing.T) {
	m := open(t)
	if got := m.ToClock(w0); !got.Equal(w0) {
		t.Errorf("ToClock = %s", got)
	}
	if got := m.ToWall(w0); !got.Equal(w0) {
		t.Errorf("ToWall = %s", got)
	}
}

// The clock starts with a one-hour offset at w0 and is moved forward by a day at w0+10m.
func twoSteps(t *testing.T) *Map {
	m := open(t)
	note(t, m, w0, time.Hour)
	note(t, m, w0.Add(10*time.Minute), 25*time.Hour)
	return m
}

func TestToClock(t *testing.T) {
	m := twoSteps(t)
	for wall, want := range map[time.Time]time.Time{
		w0.Add(-time.Minute):      w0.Add(59 * time.Minute), // before the first step: its offset
		w0:                        w0.Add(time.Hour),
		w0.Add(9 * time.Minute):   w0.Add(69 * time.Minute),
		w0.Add(10 * time.Minute):  w0.Add(25*time.Hour + 10*time.Minute), // the jump
		w0.Add(11 * time.Minute):  w0.Add(25*time.Hour + 11*time.Minute),
		w0.Add(-30 * time.Minute): w0.Add(30 * time.Minute),
	} {
		if got := m.ToClock(wall); !got.Equal(want) {
			t.Errorf("ToClock(%s) = %s, want %s", wall, got, want)
		}
	}
}

func TestToWall(t *testing.T) {
	m := twoSteps(t)
	jump := w0.Add(10 * time.Minute)
	for clock, want := range map[time.Time]time.Time{
		w0.Add(time.Hour):                     w0,
		w0.Add(69 * time.Minute):              w0.Add(9 * time.Minute),
		w0.Add(70 * time.Minute):              jump, // the first instant the jump skipped
		w0.Add(12 * time.Hour):                jump, // well inside the jump
		w0.Add(25*time.Hour + 10*time.Minute): jump, // the clock shows this at the jump
		w0.Add(25*time.Hour + 11*time.Minute): w0.Add(11 * time.Minute),
		w0:                                    w0.Add(-time.Hour), // before the first step
	} {
		if got := m.ToWall(clock); !got.Equal(want) {
			t.Errorf("ToWall(%s) = %s, want %s", clock, got, want)
		}
	}
}

// ToWall inverts ToClock exactly, and splits wall time where the clock passes c: every
// commit made before ToWall(c) showed a clock before c, every later one c or after. So a
// restore to c holds exactly the commits the clock showed as before c.
func TestInverse(t *testing.T) {
	m := twoSteps(t)
	note(t, m, w0.Add(20*time.Minute), 26*time.Hour)
	for d := -30 * time.Minute; d < 40*time.Minute; d += 17 * time.Second {
		w := w0.Add(d)
		if got := m.ToWall(m.ToClock(w)); !got.Equal(w) {
			t.Fatalf("ToWall(ToClock(%s)) = %s", w, got)
		}
	}
	for d := time.Duration(0); d < 27*time.Hour; d += 7 * time.Minute {
		c := w0.Add(d)
		w := m.ToWall(c)
		if before := m.ToClock(w.Add(-time.Nanosecond)); !before.Before(c) {
			t.Fatalf("c=%s: the clock showed %s just before ToWall(c)=%s", c, before, w)
		}
		if at := m.ToClock(w); at.Before(c) {
			t.Fatalf("c=%s: the clock showed %s at ToWall(c)=%s", c, at, w)
		}
	}
}

func TestNoteRules(t *testing.T) {
	m := open(t)
	note(t, m, w0, time.Hour)
	note(t, m, w0.Add(time.Minute), time.Hour) // unchanged: nothing recorded
	if len(m.steps) != 1 {
		t.Errorf("an unchanged offset was recorded: %+v", m.steps)
	}
	if err := m.Note(w0.Add(2*time.Minute), time.Minute); !errors.Is(err, ErrBackwards) {
		t.Errorf("offset going back: %v", err)
	}
	// Wall time stepping back (an NTP correction) cannot make the map go back.
	note(t, m, w0.Add(-time.Minute), 2*time.Hour)
	if !m.steps[1].Wall.Equal(w0) {
		t.Errorf("step recorded at %s", m.steps[1].Wall)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := m.ToClock(w0); !got.Equal(w0) {
		t.Errorf("after Reset ToClock = %s", got)
	}
	note(t, m, w0, 0) // a reset clock starts again from any offset
}

func TestDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	st, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(st)
	if err != nil {
		t.Fatal(err)
	}
	note(t, m, w0, time.Hour)
	note(t, m, w0.Add(10*time.Minute), 25*time.Hour)
	st.Close()

	st, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	again, err := Open(st)
	if err != nil {
		t.Fatal(err)
	}
	c := w0.Add(12 * time.Hour)
	if got := again.ToWall(c); !got.Equal(w0.Add(10 * time.Minute)) {
		t.Errorf("reopened map: ToWall(%s) = %s", c, got)
	}
}
