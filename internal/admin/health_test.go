package admin_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/admin"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
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
