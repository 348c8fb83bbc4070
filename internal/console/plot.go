package console

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
)

// plot is lines of durations over time (the engine's clock), drawn as SVG by the overview
// template: a person sees a copy that took longer than the others, or a replica falling
// behind, without reading a table.
type plot struct {
	Width, Height int
	Lines         []line
	Longest       string // the y axis' top, as a duration
	From, To      string // the x axis' ends
}

type line struct {
	Name   string
	Points string // the polyline's "x,y x,y ..."
	Dots   []dot
	Class  string // the line's colour, by its position
}

type dot struct {
	X, Y  int
	Label string
}

// sample is one point of a line: when, and how long.
type sample struct {
	At    time.Time
	Value time.Duration
	Label string
}

type series struct {
	Name    string
	Samples []sample
}

const plotWidth, plotHeight = 640, 160

// draw scales every series into one plot with a shared time axis and a shared y axis that
// starts at zero.
func draw(all []series) plot {
	p := plot{Width: plotWidth, Height: plotHeight}
	var first, last time.Time
	longest := time.Second
	for _, s := range all {
		for _, x := range s.Samples {
			if first.IsZero() || x.At.Before(first) {
				first = x.At
			}
			if x.At.After(last) {
				last = x.At
			}
			longest = max(longest, x.Value)
		}
	}
	if first.IsZero() {
		return p
	}
	span := max(last.Sub(first), time.Second)
	for i, s := range all {
		l := line{Name: s.Name, Class: fmt.Sprintf("line%d", i%4)}
		var pts []string
		for _, x := range s.Samples {
			px := plotWidth / 2
			if last.After(first) {
				px = 10 + int(float64(plotWidth-20)*float64(x.At.Sub(first))/float64(span))
			}
			py := plotHeight - 10 - int(float64(plotHeight-20)*float64(x.Value)/float64(longest))
			pts = append(pts, fmt.Sprintf("%d,%d", px, py))
			l.Dots = append(l.Dots, dot{X: px, Y: py, Label: x.Label})
		}
		l.Points = strings.Join(pts, " ")
		p.Lines = append(p.Lines, l)
	}
	p.Longest = longest.Round(time.Second).String()
	p.From, p.To = when(&first), when(&last)
	return p
}

// copyDurations plots the finished copies' durations (completion minus creation) in the
// order they were created.
func copyDurations(jobs []backupapi.CopyJob) plot {
	s := series{Name: "Copy durations"}
	for _, j := range jobs {
		if j.CreationDate != nil && j.CompletionDate != nil {
			took := j.CompletionDate.Sub(*j.CreationDate)
			s.Samples = append(s.Samples, sample{At: *j.CreationDate, Value: took,
				Label: fmt.Sprintf("Copy job %s took %s", deref(j.CopyJobId), took.Round(time.Second))})
		}
	}
	slices.SortFunc(s.Samples, func(a, b sample) int { return a.At.Compare(b.At) })
	return draw([]series{s})
}

// lagHistory remembers how far each replicated resource trailed the clock each time the
// overview looked. AWS keeps no history of replication lag to ask for, so the console
// keeps its own, in memory and bounded: the line covers the time the overview was open.
type lagHistory struct {
	mu sync.Mutex
	by map[string][]sample
}

const lagSamplesKept = 240 // 20 minutes of the overview's 5-second refresh

// record adds a sample for name, unless the clock has not moved since the last one.
func (h *lagHistory) record(name string, at time.Time, lag time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.by == nil {
		h.by = map[string][]sample{}
	}
	kept := h.by[name]
	if n := len(kept); n > 0 && !at.After(kept[n-1].At) {
		return
	}
	kept = append(kept, sample{At: at, Value: lag, Label: fmt.Sprintf("%s: %s behind", name, lag.Round(time.Second))})
	if len(kept) > lagSamplesKept {
		kept = kept[len(kept)-lagSamplesKept:]
	}
	h.by[name] = kept
}

// plot draws every remembered line, in name order.
func (h *lagHistory) plot() plot {
	h.mu.Lock()
	defer h.mu.Unlock()
	names := make([]string, 0, len(h.by))
	for n := range h.by {
		names = append(names, n)
	}
	slices.Sort(names)
	var all []series
	for _, n := range names {
		all = append(all, series{Name: n, Samples: slices.Clone(h.by[n])})
	}
	return draw(all)
}
