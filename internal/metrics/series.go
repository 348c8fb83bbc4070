package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// requestKey names the series one request counts in: its labels.
type requestKey struct {
	service, operation, region, code string
	status                           int
}

// requestSeries are the collectors of one requestKey.
type requestSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// requestSeriesCache keeps each label set's collectors, found by the labels themselves:
// WithLabelValues hashes and checks every label value and formats the status on every
// call, a cost paid on every request that this map pays once per label set. The
// collectors are the vectors' own children, so every request is still counted, exactly.
type requestSeriesCache struct {
	mu     sync.RWMutex
	series map[requestKey]*requestSeries
}

func (c *requestSeriesCache) of(k requestKey, m *Metrics) *requestSeries {
	c.mu.RLock()
	s, ok := c.series[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.series[k]; ok {
		return s
	}
	if c.series == nil {
		c.series = map[requestKey]*requestSeries{}
	}
	built := m.c()
	s = &requestSeries{
		count:   built.requests.WithLabelValues(k.service, k.operation, k.region, strconv.Itoa(k.status), k.code),
		latency: built.latency.WithLabelValues(k.service, k.operation),
	}
	c.series[k] = s
	return s
}
