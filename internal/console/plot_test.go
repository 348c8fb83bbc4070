package console

import (
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
)

func TestCopyDurationsScaleFromZeroToTheLongest(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { v := t0.Add(time.Duration(h) * time.Hour); return &v }
	p := copyDurations([]backupapi.CopyJob{
		{CopyJobId: new("late"), CreationDate: at(10), CompletionDate: at(12)},
		{CopyJobId: new("early"), CreationDate: at(0), CompletionDate: at(1)},
		{CopyJobId: new("running"), CreationDate: at(5)}, // unfinished: not a duration yet
	})
	if len(p.Lines) != 1 || len(p.Lines[0].Dots) != 2 {
		t.Fatalf("plot: %+v", p)
	}
	early, late := p.Lines[0].Dots[0], p.Lines[0].Dots[1]
	if early.X != 10 || late.X != plotWidth-10 || late.Y != 10 || early.Y != plotHeight-10-(plotHeight-20)/2 {
		t.Errorf("dots: %+v %+v", early, late)
	}
	if p.Longest != "2h0m0s" || !strings.Contains(early.Label, "early took 1h0m0s") {
		t.Errorf("axis %q, label %q", p.Longest, early.Label)
	}
	if empty := copyDurations(nil); len(empty.Lines) != 0 {
		t.Errorf("no copies drew %+v", empty)
	}
}

func TestLagHistoryKeepsOneSamplePerInstantAndABoundedLine(t *testing.T) {
	var h lagHistory
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h.record("db → us-west-2", t0, time.Minute)
	h.record("db → us-west-2", t0, 2*time.Minute) // the clock did not move: no new point
	for i := 1; i <= lagSamplesKept+10; i++ {
		h.record("db → us-west-2", t0.Add(time.Duration(i)*time.Minute), time.Duration(i)*time.Second)
	}
	h.record("other → eu-west-1", t0, time.Hour)
	p := h.plot()
	if len(p.Lines) != 2 || p.Lines[0].Name != "db → us-west-2" || p.Lines[1].Name != "other → eu-west-1" {
		t.Fatalf("lines: %+v", p.Lines)
	}
	if n := len(p.Lines[0].Dots); n != lagSamplesKept {
		t.Errorf("kept %d samples, want %d", n, lagSamplesKept)
	}
	if p.Longest != "1h0m0s" {
		t.Errorf("longest %q", p.Longest)
	}
}
