package main

import (
	"slices"
	"sync"
	"time"
)

// latencies collects request latencies from many goroutines.
type latencies struct {
	mu      sync.Mutex
	samples []time.Duration
	errors  int
	first   string // first error, for the report
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.samples = append(l.samples, d)
	l.mu.Unlock()
}

func (l *latencies) fail(err error) {
	l.mu.Lock()
	l.errors++
	if l.first == "" {
		l.first = err.Error()
	}
	l.mu.Unlock()
}

func (l *latencies) merge(o *latencies) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples = append(l.samples, o.samples...)
	l.errors += o.errors
	if l.first == "" {
		l.first = o.first
	}
}

// percentile returns the p-th percentile (0 < p <= 100) in microseconds.
func (l *latencies) percentile(p float64) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) == 0 {
		return 0
	}
	s := slices.Clone(l.samples)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return float64(s[i].Nanoseconds()) / 1000
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.samples)
}
