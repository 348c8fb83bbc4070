package console

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
)

// plot is a line of copy durations over time, drawn as SVG by the overview template: a
// person sees a copy that took longer than the others without reading a table.
type plot struct {
	Width, Height int
	Points        string // the polyline's "x,y x,y ..."
	Dots          []dot
	Longest       string // the y axis' top, as a duration
	From, To      string // the x axis' ends
}

type dot struct {
	X, Y  int
	Label string
}

const plotWidth, plotHeight = 640, 160

// copyDurations plots the finished copies' durations (completion minus creation) in the
// order they were created.
func copyDurations(jobs []backupapi.CopyJob) plot {
	p := plot{Width: plotWidth, Height: plotHeight}
	type sample struct {
		at   time.Time
		took time.Duration
		id   string
	}
	var samples []sample
	for _, j := range jobs {
		if j.CreationDate != nil && j.CompletionDate != nil {
			samples = append(samples, sample{*j.CreationDate, j.CompletionDate.Sub(*j.CreationDate), deref(j.CopyJobId)})
		}
	}
	if len(samples) == 0 {
		return p
	}
	slices.SortFunc(samples, func(a, b sample) int { return a.at.Compare(b.at) })
	longest := time.Second
	for _, s := range samples {
		longest = max(longest, s.took)
	}
	first, last := samples[0].at, samples[len(samples)-1].at
	span := max(last.Sub(first), time.Second)
	var pts []string
	for _, s := range samples {
		x := 10 + int(float64(plotWidth-20)*float64(s.at.Sub(first))/float64(span))
		if len(samples) == 1 {
			x = plotWidth / 2
		}
		y := plotHeight - 10 - int(float64(plotHeight-20)*float64(s.took)/float64(longest))
		pts = append(pts, fmt.Sprintf("%d,%d", x, y))
		p.Dots = append(p.Dots, dot{X: x, Y: y, Label: fmt.Sprintf("Copy job %s took %s", s.id, s.took.Round(time.Second))})
	}
	p.Points = strings.Join(pts, " ")
	p.Longest = longest.Round(time.Second).String()
	p.From, p.To = when(&first), when(&last)
	return p
}
