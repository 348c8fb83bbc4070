package admin_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/admin"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store/memory"
)

// TestHealthListsEngines: with real engines the health view lists the servers as the
// engines describe them; without, it has no engines member.
func TestHealthListsEngines(t *testing.T) {
	st := memory.New()
	engine := jobs.New(jobs.Config{Store: st, Clock: jobs.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	reg, err := faults.Load(st)
	if err != nil {
		t.Fatal(err)
	}
	type server struct {
		ID, State string
		Port      int
	}
	for _, tc := range []struct {
		engines func() any
		want    int
	}{
		{nil, 0},
		{func() any {
			return []server{{ID: "db-1", State: "running", Port: 5433}, {ID: "db-2", State: "stopped", Port: 5434}}
		}, 2},
	} {
		h := admin.Handler(admin.Config{Store: st, Jobs: engine, Faults: reg, Started: time.Now(), Engines: tc.engines})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/_xregion/health", nil))
		var report struct{ Engines []server }
		if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil {
			t.Fatal(err)
		}
		if len(report.Engines) != tc.want || (tc.want > 0 && report.Engines[1] != (server{"db-2", "stopped", 5434})) {
			t.Errorf("engines in the health view: %+v", report.Engines)
		}
	}
}
