package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// lazyCollector builds its collectors on the first scrape rather than at start-up:
// prometheus' collector of the Go runtime reads the descriptions of every runtime metric
// and matches them against its rules (about 100 KB of allocations), which start-up would
// pay before its first answer (bench/README.md, issue 20). It is an unchecked collector:
// it describes nothing when registered, and the registry checks what it gathers from it
// at each scrape instead.
type lazyCollector struct {
	build func() []prometheus.Collector
}

func newLazyCollector(build func() []prometheus.Collector) *lazyCollector {
	return &lazyCollector{build: sync.OnceValue(build)}
}

func (*lazyCollector) Describe(chan<- *prometheus.Desc) {}

func (l *lazyCollector) Collect(ch chan<- prometheus.Metric) {
	for _, c := range l.build() {
		c.Collect(ch)
	}
}
