package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xregion/xregion/internal/store/memory"
)

// The collectors behind a lazyCollector are built by the first scrape, once, and what
// they collect is gathered as if they were registered themselves.
func TestLazyCollectorBuildsOnFirstScrape(t *testing.T) {
	builds := 0
	gauge := prometheus.NewGauge(prometheus.GaugeOpts{Name: "lazy_test_gauge", Help: "A gauge."})
	gauge.Set(7)
	reg := prometheus.NewRegistry()
	reg.MustRegister(newLazyCollector(func() []prometheus.Collector {
		builds++
		return []prometheus.Collector{gauge}
	}))
	if builds != 0 {
		t.Fatalf("built %d times at registration", builds)
	}
	for range 2 {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		if len(families) != 1 || families[0].GetName() != "lazy_test_gauge" || families[0].GetMetric()[0].GetGauge().GetValue() != 7 {
			t.Fatalf("gathered %v", families)
		}
	}
	if builds != 1 {
		t.Errorf("built %d times over two scrapes, want once", builds)
	}
}

// Metrics builds no registry and no collector until its first use, and what was watched
// before is scraped after.
func TestMetricsBuiltOnFirstUse(t *testing.T) {
	m := New()
	m.Watch(Sources{Store: memory.New()})
	if m.Built() {
		t.Fatal("New and Watch built the collectors")
	}
	families := scrape(t, m)
	if !m.Built() {
		t.Error("a scrape did not build the collectors")
	}
	if families["xregion_store_keys"] == nil {
		t.Errorf("what was watched before the first scrape is not scraped: %v", families)
	}
}
