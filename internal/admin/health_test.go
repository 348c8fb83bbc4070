package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/admin"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/xtest"
)

// fullDisk is a store whose writes fail for want of space.
type fullDisk struct{ store.Store }

func (f fullDisk) Update(fn func(store.Tx) error) error {
	return f.Store.Update(func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return fmt.Errorf("%w: no space left on device", store.ErrNoSpace)
	})
}

func TestHealthReportsAFullDisk(t *testing.T) {
	st := store.Watch(fullDisk{memory.New()}, nil)
	engine := jobs.New(jobs.Config{Store: st, Clock: jobs.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	reg, err := faults.Load(st)
	if err != nil {
		t.Fatal(err)
	}
	h := admin.Handler(admin.Config{Store: st, Jobs: engine, Faults: reg, Started: time.Now()})
	get := func() (int, string, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/_xregion/health", nil))
		var report struct {
			Status string
			Store  struct{ Problem string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil {
			t.Fatal(err)
		}
		return rec.Code, report.Status, report.Store.Problem
	}
	if code, status, _ := get(); code != 200 || status != "ok" {
		t.Fatalf("before any write: %d %s", code, status)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/_xregion/faults", strings.NewReader(`{"region":"eu-west-3","unreachable":true}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a write on a full disk: %d %s", rec.Code, rec.Body)
	}
	if code, status, problem := get(); code != 503 || status != "degraded" || !strings.Contains(problem, "space") {
		t.Errorf("health on a full disk: %d %s %q", code, status, problem)
	}
}

// downStore fails every Update once down is set, as a database out of reach does.
type downStore struct {
	store.Store
	down atomic.Bool
}

func (d *downStore) Update(fn func(store.Tx) error) error {
	if d.down.Load() {
		return fmt.Errorf("connection refused")
	}
	return d.Store.Update(fn)
}

// Health names the node and its leases; a node that loses the shared store reports
// itself unhealthy with 503, and a draining node says so with 503 too, so that a load
// balancer stops sending it requests.
func TestHealthReportsTheNode(t *testing.T) {
	st := &downStore{Store: memory.New()}
	clock := jobs.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	engine := jobs.New(jobs.Config{Store: st, Clock: clock, Shared: true, Node: "node-1", Lease: 40 * time.Millisecond,
		Poll: 5 * time.Millisecond})
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = engine.Stop(context.Background()) })
	reg, err := faults.Load(st)
	if err != nil {
		t.Fatal(err)
	}
	h := admin.Handler(admin.Config{Store: st, Jobs: engine, Faults: reg, Started: time.Now()})
	type report struct {
		Status string
		Node   jobs.NodeReport
	}
	get := func() (int, report) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/_xregion/health", nil))
		var r report
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		return rec.Code, r
	}
	if code, r := get(); code != 200 || r.Status != "ok" || r.Node.ID != "node-1" || !r.Node.Shared || r.Node.Leases == nil {
		t.Fatalf("a healthy node: %d %+v", code, r)
	}
	st.down.Store(true)
	xtest.CheckFor(t, 10*time.Second, func() error {
		if code, r := get(); code != 503 || r.Status != "unhealthy" || !strings.Contains(r.Node.Problem, "connection refused") {
			return fmt.Errorf("a node without its store: %d %+v", code, r)
		}
		return nil
	})
	st.down.Store(false)
	engine.Drain()
	if code, r := get(); code != 503 || r.Status != "draining" {
		t.Fatalf("a draining node: %d %+v", code, r)
	}
}
