package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

// scrape reads m's exposition with the Prometheus library's own text parser.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_xregion/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parsing the exposition: %v", err)
	}
	return families
}

// find returns the metric of family name whose labels include want.
func find(families map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	for _, m := range families[name].GetMetric() {
		matched := 0
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
				matched++
			}
		}
		if matched == len(want) {
			return m
		}
	}
	return nil
}

func TestRequestsAndJobs(t *testing.T) {
	m := New()
	m.Request("secretsmanager", "GetSecretValue", "us-east-1", "", 200, 3*time.Millisecond)
	m.Request("secretsmanager", "GetSecretValue", "us-east-1", "", 200, 5*time.Millisecond)
	m.Request("secretsmanager", "GetSecretValue", "us-east-1", "ServiceUnavailable", 503, time.Millisecond)
	created := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	job := jobs.Job{Kind: "secretsmanager.sync", CreatedAt: created}
	m.Job(jobs.Finished{Job: job, Outcome: jobs.Retried, FinishedAt: created.Add(time.Second)})
	m.Job(jobs.Finished{Job: job, Outcome: jobs.Succeeded, FinishedAt: created.Add(90 * time.Second)})

	f := scrape(t, m)
	ok := find(f, "xregion_requests_total", map[string]string{"operation": "GetSecretValue", "region": "us-east-1", "status": "200", "code": ""})
	failed := find(f, "xregion_requests_total", map[string]string{"status": "503", "code": "ServiceUnavailable"})
	if ok.GetCounter().GetValue() != 2 || failed.GetCounter().GetValue() != 1 {
		t.Errorf("requests: ok %v, failed %v", ok, failed)
	}
	if h := find(f, "xregion_request_duration_seconds", map[string]string{"service": "secretsmanager"}); h.GetHistogram().GetSampleCount() != 3 {
		t.Errorf("latency histogram = %v", h)
	}
	if c := find(f, "xregion_jobs_total", map[string]string{"kind": "secretsmanager.sync", "outcome": "retried"}); c.GetCounter().GetValue() != 1 {
		t.Errorf("retried = %v", c)
	}
	lag := find(f, "xregion_job_lag_seconds", map[string]string{"kind": "secretsmanager.sync"}).GetHistogram()
	if lag.GetSampleCount() != 1 || lag.GetSampleSum() != 90 {
		t.Errorf("lag = %v, want one sample of 90s", lag)
	}
	if f["go_goroutines"] == nil {
		t.Error("the Go runtime's metrics are missing")
	}
}

func TestScrapedState(t *testing.T) {
	st := memory.New()
	clock := jobs.NewFrozenClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	engine := jobs.New(jobs.Config{Store: st, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	// Every copy fails, so that the one due runs once and waits to be retried.
	engine.Register("backup.copy", jobs.Handler{Run: func(context.Context, store.Tx, *jobs.Job) error { return errors.New("unreachable") }})
	reg, err := faults.Load(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []faults.Fault{
		{Region: "us-east-1", Outage: faults.OutageAPI, Unreachable: true},
		{Service: "kms", Latency: faults.Duration(time.Second), ThrottleRate: 0.1},
	} {
		if err := reg.Set(f); err != nil {
			t.Fatal(err)
		}
	}
	err = st.Update(func(tx store.Tx) error {
		for _, j := range []jobs.Job{
			{Kind: "backup.copy", RunAt: clock.Now()},
			{Kind: "backup.copy", RunAt: clock.Now().Add(time.Hour)},
		} {
			if _, err := engine.Enqueue(tx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	defer engine.Stop(ctx)
	if err := engine.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	m := New()
	m.Watch(Sources{Jobs: engine, Store: m.TimedStore(st), Faults: reg})
	f := scrape(t, m)
	for _, state := range []string{"scheduled", "retrying"} {
		if g := find(f, "xregion_jobs_pending", map[string]string{"kind": "backup.copy", "state": state}); g.GetGauge().GetValue() != 1 {
			t.Errorf("pending %s = %v, want 1", state, g)
		}
	}
	if g := find(f, "xregion_store_keys", nil); g.GetGauge().GetValue() != 4 {
		t.Errorf("store keys = %v, want the two jobs and the two faults", g)
	}
	if g := find(f, "xregion_store_healthy", nil); g.GetGauge().GetValue() != 1 {
		t.Errorf("store healthy = %v", g)
	}
	for _, want := range []map[string]string{
		{"region": "us-east-1", "service": "*", "effect": "outage"},
		{"region": "us-east-1", "service": "*", "effect": "unreachable"},
		{"region": "*", "service": "kms", "effect": "latency"},
		{"region": "*", "service": "kms", "effect": "throttle"},
	} {
		if g := find(f, "xregion_faults_active", want); g.GetGauge().GetValue() != 1 {
			t.Errorf("faults %v = %v, want 1", want, g)
		}
	}
}

func TestTimedStoreRecordsCommits(t *testing.T) {
	m := New()
	st := m.TimedStore(memory.New())
	for range 3 {
		if err := st.Update(func(tx store.Tx) error { return tx.Put("k", []byte("v")) }); err != nil {
			t.Fatal(err)
		}
	}
	if h := find(scrape(t, m), "xregion_store_commit_seconds", nil); h.GetHistogram().GetSampleCount() != 3 {
		t.Errorf("commit histogram = %v, want 3 samples", h)
	}
}

// TestNodeMetrics: a node reports its id, its state (serving, then draining once told to
// stop taking jobs) and its leases, so the series of nodes sharing a store stay apart.
func TestNodeMetrics(t *testing.T) {
	st := memory.New()
	clock := jobs.NewFrozenClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	engine := jobs.New(jobs.Config{Store: st, Clock: clock, Node: "node-a", Logger: slog.New(slog.DiscardHandler)})
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	defer engine.Stop(ctx)
	m := New()
	m.Watch(Sources{Jobs: engine})
	f := scrape(t, m)
	if g := find(f, "xregion_node_info", map[string]string{"node": "node-a", "shared": "false"}); g.GetGauge().GetValue() != 1 {
		t.Errorf("node info = %v", g)
	}
	if g := find(f, "xregion_node_state", map[string]string{"node": "node-a", "state": "serving"}); g.GetGauge().GetValue() != 1 {
		t.Errorf("node state = %v", g)
	}
	if g := find(f, "xregion_node_leases", map[string]string{"node": "node-a"}); g.GetGauge().GetValue() != 0 {
		t.Errorf("leases of an idle node = %v", g)
	}
	engine.Drain()
	if g := find(scrape(t, m), "xregion_node_state", map[string]string{"node": "node-a", "state": "draining"}); g.GetGauge().GetValue() != 1 {
		t.Errorf("a draining node's state = %v", g)
	}
}

// TestNodeMetricsCountPeers: nodes sharing a store count each other as alive peers.
func TestNodeMetricsCountPeers(t *testing.T) {
	st := memory.New()
	clock := jobs.NewFrozenClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var engines []*jobs.Engine
	for _, id := range []string{"node-a", "node-b"} {
		e := jobs.New(jobs.Config{Store: st, Clock: clock, Node: id, Shared: true, Poll: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
		defer e.Stop(ctx)
		engines = append(engines, e)
	}
	// The nodes find each other through their heartbeats, at their next polls.
	for len(engines[0].Node().Peers) == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("node-a never saw node-b")
		case <-time.After(5 * time.Millisecond):
		}
	}
	m := New()
	m.Watch(Sources{Jobs: engines[0]})
	f := scrape(t, m)
	if g := find(f, "xregion_node_info", map[string]string{"node": "node-a", "shared": "true"}); g.GetGauge().GetValue() != 1 {
		t.Errorf("node info = %v", g)
	}
	if g := find(f, "xregion_node_peers", map[string]string{"node": "node-a", "state": "alive"}); g.GetGauge().GetValue() != 1 {
		t.Errorf("alive peers = %v", g)
	}
}

// TestBackupBytesTransferred: the steps that end AWS Backup's transfers add their bytes,
// by job, Regions and resource type, once they have run; a retried step, a step without
// a transfer and other jobs add nothing.
func TestBackupBytesTransferred(t *testing.T) {
	m := New()
	copyStep := jobs.Job{Kind: "backup.copy-job", Payload: []byte(`{"account":"123456789012","region":"us-east-1","id":"C1",` +
		`"awsJobId":"C1","bytesTransferred":1500,"transfer":{"job":"COPY","source":"us-east-1","destination":"us-west-2","resourceType":"RDS"}}`)}
	m.Job(jobs.Finished{Job: copyStep, Outcome: jobs.Retried})
	m.Job(jobs.Finished{Job: copyStep, Outcome: jobs.Succeeded})
	copyStep.Payload = []byte(`{"id":"C2","bytesTransferred":500,"transfer":{"job":"COPY","source":"us-east-1","destination":"us-west-2","resourceType":"RDS"}}`)
	m.Job(jobs.Finished{Job: copyStep, Outcome: jobs.Succeeded})
	backupStep := jobs.Job{Kind: "backup.backup-job", Payload: []byte(`{"id":"B1","bytesTransferred":7,"transfer":{"job":"BACKUP","source":"eu-west-1","destination":"eu-west-1","resourceType":"EFS"}}`)}
	m.Job(jobs.Finished{Job: backupStep, Outcome: jobs.Succeeded})
	cut := jobs.Job{Kind: "backup.backup-job", Payload: []byte(`{"id":"B2","bytesTransferred":99}`)} // cut short: no transfer
	m.Job(jobs.Finished{Job: cut, Outcome: jobs.Succeeded})
	m.Job(jobs.Finished{Job: jobs.Job{Kind: "secretsmanager.sync", Payload: []byte(`{"transfer":"x"}`)}, Outcome: jobs.Succeeded})

	f := scrape(t, m)
	copies := find(f, "xregion_backup_bytes_transferred_total", map[string]string{"job": "COPY", "source_region": "us-east-1", "destination_region": "us-west-2", "resource_type": "RDS"})
	backups := find(f, "xregion_backup_bytes_transferred_total", map[string]string{"job": "BACKUP", "source_region": "eu-west-1", "destination_region": "eu-west-1", "resource_type": "EFS"})
	if copies.GetCounter().GetValue() != 2000 || backups.GetCounter().GetValue() != 7 {
		t.Errorf("copies %v, backups %v", copies, backups)
	}
	if n := len(f["xregion_backup_bytes_transferred_total"].GetMetric()); n != 2 {
		t.Errorf("%d series, want 2", n)
	}
}

// BenchmarkRequest is what counting one served request costs.
func BenchmarkRequest(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.Request("secretsmanager", "GetSecretValue", "us-east-1", "", 200, time.Millisecond)
	}
}
