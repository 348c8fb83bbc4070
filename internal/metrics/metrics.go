// Package metrics exposes xregion's metrics in the Prometheus text format, with the
// official client library: requests by service, operation, Region and error code with
// their latency, jobs by kind and state, how long jobs take on the engine clock (for the
// replication kinds, the replication lag), the store's size and commit latency, and the
// faults in force. Prometheus' types stay inside this package: the rest of the tree sees
// plain methods and an http.Handler.
package metrics

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
)

// Sources are what the metrics read at each scrape.
type Sources struct {
	Jobs   *jobs.Engine
	Store  store.Store
	Faults *faults.Registry
}

// Metrics holds xregion's collectors, built on first use — the first request, job,
// commit or scrape — rather than at start-up, whose first answer would wait for the
// registry and the vectors' descriptions (bench/README.md, issue 20).
type Metrics struct {
	c       func() *meters // builds them once
	mu      sync.Mutex
	built   bool      // the collectors are built
	sources []Sources // registered when the collectors are built (Watch before)
	series  requestSeriesCache
}

// meters are the collectors Metrics builds on first use.
type meters struct {
	reg      *prometheus.Registry
	handler  http.Handler
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	jobLag   *prometheus.HistogramVec
	commits  prometheus.Histogram
	moved    *prometheus.CounterVec
}

// requestBuckets span a cached read (sub-millisecond) to a drill's injected latency.
var requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// lagBuckets span an instant transition to the days a paused or retried job can wait on
// the engine clock.
var lagBuckets = []float64{0, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 7 * 24 * 3600}

// New returns the metrics, which build their collectors on first use. The collectors of
// the Go runtime and the process come along: a dashboard of the server wants its memory
// and goroutines beside its requests.
func New() *Metrics {
	m := &Metrics{}
	m.c = sync.OnceValue(m.build)
	return m
}

func (m *Metrics) build() *meters {
	c := &meters{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xregion_requests_total",
			Help: "AWS API requests served, by service, operation, Region, HTTP status and error code (empty when the call succeeded).",
		}, []string{"service", "operation", "region", "status", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xregion_request_duration_seconds", Buckets: requestBuckets,
			Help: "Time to serve an AWS API request, by service and operation.",
		}, []string{"service", "operation"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xregion_jobs_total",
			Help: "Job outcomes by kind: succeeded, failed (given up), cancelled, and retried (a failed attempt to be tried again).",
		}, []string{"kind", "outcome"}),
		jobLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xregion_job_lag_seconds", Buckets: lagBuckets,
			Help: "Engine-clock time from a job's creation to its success, by kind; for secretsmanager.sync, rds and backup copy kinds this is the replication lag.",
		}, []string{"kind"}),
		commits: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "xregion_store_commit_seconds", Buckets: prometheus.DefBuckets,
			Help: "Time of the store's read-write transactions, from start to durable commit.",
		}),
		moved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xregion_backup_bytes_transferred_total",
			Help: "Bytes AWS Backup's jobs moved (their BytesTransferred), by job (BACKUP or COPY), source and destination Region, and resource type.",
		}, []string{"job", "source_region", "destination_region", "resource_type"}),
	}
	c.reg.MustRegister(c.requests, c.latency, c.jobs, c.jobLag, c.commits, c.moved,
		newLazyCollector(func() []prometheus.Collector {
			return []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
		}))
	c.handler = promhttp.HandlerFor(c.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, src := range m.sources {
		c.reg.MustRegister(&scraped{src: src})
	}
	m.sources, m.built = nil, true
	return c
}

// Built reports whether the collectors have been built, for the test that holds
// start-up to building none.
func (m *Metrics) Built() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.built
}

// Watch adds what is read at each scrape: pending jobs, the store's size, the faults.
func (m *Metrics) Watch(src Sources) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.built {
		m.sources = append(m.sources, src)
		return
	}
	m.c().reg.MustRegister(&scraped{src: src}) // built: returns at once
}

// Request records one served AWS API request.
func (m *Metrics) Request(service, operation, region, code string, status int, took time.Duration) {
	s := m.series.of(requestKey{service: service, operation: operation, region: region, code: code, status: status}, m)
	s.count.Inc()
	s.latency.Observe(took.Seconds())
}

// Job records a job's outcome; it is the job engine's Observe hook, called under the
// engine's lock, and takes only the collectors' own.
func (m *Metrics) Job(f jobs.Finished) {
	c := m.c()
	c.jobs.WithLabelValues(f.Job.Kind, string(f.Outcome)).Inc()
	if f.Outcome == jobs.Succeeded && !f.Job.CreatedAt.IsZero() {
		c.jobLag.WithLabelValues(f.Job.Kind).Observe(max(0, f.FinishedAt.Sub(f.Job.CreatedAt).Seconds()))
	}
	if f.Outcome == jobs.Succeeded {
		m.countTransfer(f.Job.Payload)
	}
}

// transferred is what the payload of a job's step says it moved: AWS Backup's backup and
// copy jobs name, on the step that ends their transfer, the bytes (bytesTransferred, as
// the admin jobs view shows them) and what moved where (transfer). The step runs once
// the bytes have moved, so its success is when they count.
type transferred struct {
	Bytes    *int64 `json:"bytesTransferred"`
	Transfer *struct {
		Job          string `json:"job"`
		Source       string `json:"source"`
		Destination  string `json:"destination"`
		ResourceType string `json:"resourceType"`
	} `json:"transfer"`
}

// countTransfer adds the bytes a job's payload says it moved, if it says so. Most
// payloads say nothing of it, and are not decoded.
func (m *Metrics) countTransfer(payload []byte) {
	if !bytes.Contains(payload, []byte(`"transfer"`)) {
		return
	}
	var t transferred
	if json.Unmarshal(payload, &t) != nil || t.Bytes == nil || t.Transfer == nil {
		return
	}
	m.c().moved.WithLabelValues(t.Transfer.Job, t.Transfer.Source, t.Transfer.Destination, t.Transfer.ResourceType).Add(float64(*t.Bytes))
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.c().handler.ServeHTTP(w, r) })
}

// TimedStore wraps st so that the time of every Update is recorded.
func (m *Metrics) TimedStore(st store.Store) store.Store { return &timedStore{Store: st, m: m} }

type timedStore struct {
	store.Store
	m *Metrics
}

func (s *timedStore) Update(fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.Update(fn)
	s.m.c().commits.Observe(time.Since(start).Seconds())
	return err
}
