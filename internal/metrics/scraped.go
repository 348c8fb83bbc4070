package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xregion/xregion/internal/faults"
)

// scraped reads the state that is cheaper to look at when asked than to track: the
// pending jobs, the store's size and the faults in force.
type scraped struct{ src Sources }

var (
	pendingDesc = prometheus.NewDesc("xregion_jobs_pending",
		"Pending jobs by kind and state: due (waiting for a worker), scheduled (due later on the engine clock) or retrying (failed before, waiting for the next attempt).",
		[]string{"kind", "state"}, nil)
	storeKeysDesc    = prometheus.NewDesc("xregion_store_keys", "Keys in the store.", nil, nil)
	storeSizeDesc    = prometheus.NewDesc("xregion_store_size_bytes", "Bytes the store takes on disk, or in memory.", nil, nil)
	storeHealthyDesc = prometheus.NewDesc("xregion_store_healthy", "1 when the store can write, 0 when it cannot (a full disk).", nil, nil)
	faultsDesc       = prometheus.NewDesc("xregion_faults_active",
		"Faults in force by Region (* for every Region), service (* for every service) and effect: unreachable, outage, latency or throttle.",
		[]string{"region", "service", "effect"}, nil)
	clockOffsetDesc = prometheus.NewDesc("xregion_clock_offset_seconds", "How far the engine clock has been moved ahead of real time.", nil, nil)
	// The node metrics carry the node's id, so that the series of several nodes sharing
	// one store stay apart even where a scrape config adds no instance label.
	nodeInfoDesc = prometheus.NewDesc("xregion_node_info",
		"1, labelled with this node's id and whether it shares its store with other nodes.", []string{"node", "shared"}, nil)
	nodeStateDesc = prometheus.NewDesc("xregion_node_state",
		"1 for this node's state: serving, draining (SIGTERM received) or unhealthy (its heartbeat cannot reach the shared store).", []string{"node", "state"}, nil)
	nodeLeasesDesc = prometheus.NewDesc("xregion_node_leases", "Jobs this node holds a lease on (on a single node, the jobs running).", []string{"node"}, nil)
	nodePeersDesc  = prometheus.NewDesc("xregion_node_peers", "Other nodes sharing the store, by liveness as this node sees them: alive, draining or presumed dead.", []string{"node", "state"}, nil)
)

func (s *scraped) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{pendingDesc, storeKeysDesc, storeSizeDesc, storeHealthyDesc, faultsDesc, clockOffsetDesc,
		nodeInfoDesc, nodeStateDesc, nodeLeasesDesc, nodePeersDesc} {
		ch <- d
	}
}

func (s *scraped) Collect(ch chan<- prometheus.Metric) {
	if s.src.Jobs != nil {
		s.collectJobs(ch)
		s.collectNode(ch)
	}
	if s.src.Store != nil {
		st := s.src.Store.Stats()
		healthy := 1.0
		if st.Problem != "" {
			healthy = 0
		}
		ch <- prometheus.MustNewConstMetric(storeKeysDesc, prometheus.GaugeValue, float64(st.Keys))
		ch <- prometheus.MustNewConstMetric(storeSizeDesc, prometheus.GaugeValue, float64(st.Size))
		ch <- prometheus.MustNewConstMetric(storeHealthyDesc, prometheus.GaugeValue, healthy)
	}
	if s.src.Faults != nil {
		for key, n := range faultCounts(s.src.Faults.List()) {
			ch <- prometheus.MustNewConstMetric(faultsDesc, prometheus.GaugeValue, float64(n), key.region, key.service, key.effect)
		}
	}
}

func (s *scraped) collectJobs(ch chan<- prometheus.Metric) {
	now := s.src.Jobs.Clock().Now()
	ch <- prometheus.MustNewConstMetric(clockOffsetDesc, prometheus.GaugeValue, s.src.Jobs.Clock().Offset().Seconds())
	type kindState struct{ kind, state string }
	counts := map[kindState]int{}
	pending, _ := s.src.Jobs.Jobs()
	for _, j := range pending {
		state := "scheduled"
		switch {
		case j.Attempt > 0:
			state = "retrying"
		case !j.RunAt.After(now):
			state = "due"
		}
		counts[kindState{j.Kind, state}]++
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(n), k.kind, k.state)
	}
}

// collectNode reports the node as its health does: its id, state, leases and peers.
func (s *scraped) collectNode(ch chan<- prometheus.Metric) {
	n := s.src.Jobs.Node()
	ch <- prometheus.MustNewConstMetric(nodeInfoDesc, prometheus.GaugeValue, 1, n.ID, strconv.FormatBool(n.Shared))
	state := "serving"
	switch {
	case n.Draining:
		state = "draining"
	case n.Problem != "":
		state = "unhealthy"
	}
	ch <- prometheus.MustNewConstMetric(nodeStateDesc, prometheus.GaugeValue, 1, n.ID, state)
	ch <- prometheus.MustNewConstMetric(nodeLeasesDesc, prometheus.GaugeValue, float64(len(n.Leases)), n.ID)
	if !n.Shared {
		return
	}
	peers := map[string]int{"alive": 0, "draining": 0, "dead": 0}
	for _, p := range n.Peers {
		switch {
		case !p.Alive:
			peers["dead"]++
		case p.Draining:
			peers["draining"]++
		default:
			peers["alive"]++
		}
	}
	for state, count := range peers {
		ch <- prometheus.MustNewConstMetric(nodePeersDesc, prometheus.GaugeValue, float64(count), n.ID, state)
	}
}

type faultKey struct{ region, service, effect string }

// faultCounts counts each effect of each fault: one fault that both slows and throttles a
// Region counts under both.
func faultCounts(fs []faults.Fault) map[faultKey]int {
	out := map[faultKey]int{}
	for _, f := range fs {
		region, service := or(f.Region, "*"), or(f.Service, "*")
		for effect, on := range map[string]bool{
			"unreachable": f.Unreachable, "outage": f.Outage != "", "latency": f.Latency > 0, "throttle": f.ThrottleRate > 0,
		} {
			if on {
				out[faultKey{region, service, effect}]++
			}
		}
	}
	return out
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}
