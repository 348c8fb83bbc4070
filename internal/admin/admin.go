// Package admin serves xregion's own API under /_xregion/: health, reset, the clock, the
// job listing, injected faults and the metrics. It speaks JSON in and out, and is meant for test
// harnesses and operators, not AWS clients.
package admin

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/version"
)

// Config wires the admin API.
type Config struct {
	Store    store.Store
	Jobs     *jobs.Engine
	Faults   *faults.Registry
	Services []string // served services, for health
	AuthMode string
	// Token, when set, must be given as "Authorization: Bearer <token>" on every admin
	// request: on a shared instance, reset and clock moves are not for everyone.
	Token string
	// OnReset runs after the store was wiped, to let services drop their caches.
	OnReset func()
	// KeepOnReset are keys a reset leaves in place: what describes the store itself
	// (the fingerprint of its root key) rather than the state of the services.
	KeepOnReset []string
	Logger      *slog.Logger
	Started     time.Time
	// Volumes is EC2's block data, for the EBS endpoints (ebs.go); nil leaves them out.
	Volumes port.VolumeData
	// Files is EFS's file data, for the EFS endpoints (efs.go); nil leaves them out.
	Files   port.FileData
	Account string // the account the EBS and EFS endpoints use when a request names none
	// Metrics serves GET /_xregion/metrics (the Prometheus text format), behind the
	// same token as the rest of the admin API; nil means no metrics.
	Metrics http.Handler
	// Engines, if set, lists the real database servers (--real-engines) for health.
	Engines func() any
}

// Handler returns the http.Handler of the admin API, to be mounted at /_xregion/.
func Handler(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &api{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_xregion/health", a.health)
	mux.HandleFunc("POST /_xregion/reset", a.reset)
	mux.HandleFunc("GET /_xregion/clock", a.getClock)
	mux.HandleFunc("POST /_xregion/clock", a.moveClock)
	mux.HandleFunc("GET /_xregion/jobs", a.listJobs)
	mux.HandleFunc("GET /_xregion/faults", a.listFaults)
	mux.HandleFunc("POST /_xregion/faults", a.setFault)
	mux.HandleFunc("DELETE /_xregion/faults", a.clearFaults)
	a.routeEBS(mux)
	a.routeEFS(mux)
	if cfg.Metrics != nil {
		mux.Handle("GET /_xregion/metrics", cfg.Metrics)
	}
	mux.HandleFunc("/_xregion/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no admin endpoint %s %s", r.Method, r.URL.Path)
	})
	return a.authorize(requireJSON(mux))
}

// requireJSON refuses a call that changes state unless it declares a JSON body. A web page
// can make a browser POST text/plain, a form or nothing at all to any address without
// asking it first; application/json it cannot send to another origin without a CORS
// preflight, which xregion never grants. So the one thing a page could still do blindly
// — reset, move the clock, inject a fault — is refused here, whatever Origin says.
func requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType,
					"admin calls that change state need Content-Type: application/json (got %q)", r.Header.Get("Content-Type"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

type api struct {
	cfg Config
}

func (a *api) authorize(next http.Handler) http.Handler {
	if a.cfg.Token == "" {
		return next
	}
	want := []byte("Bearer " + a.cfg.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeError(w, http.StatusUnauthorized, "the admin API needs Authorization: Bearer <token>")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// failureStatus is the status of a failed call: 503 when the store has no room to write
// (a condition to retry once it is gone), otherwise the call's own.
func failureStatus(err error, otherwise int) int {
	if errors.Is(err, store.ErrNoSpace) {
		return http.StatusServiceUnavailable
	}
	return otherwise
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// readJSON decodes a small JSON request body, refusing unknown fields so that a typo in a
// test harness fails loudly instead of being ignored.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %v", err)
	}
	return nil
}

type healthReport struct {
	Status        string      `json:"status"`
	Version       string      `json:"version"`
	Uptime        string      `json:"uptime"`
	UptimeSeconds float64     `json:"uptimeSeconds"`
	Services      []string    `json:"services"`
	Regions       []string    `json:"regions"`
	Store         store.Stats `json:"store"`
	Auth          string      `json:"auth"`
	Clock         clockReport `json:"clock"`
	// Faults are the drills in force: a monitor should see that a Region is down on
	// purpose.
	Faults  []faults.Fault `json:"faults"`
	Engines any            `json:"engines,omitempty"` // the database servers, with ports and states
	// Node is this node: its id, whether it shares the store with others, the jobs it
	// holds leases on, and the peers it sees.
	Node jobs.NodeReport `json:"node"`
}

// health answers 200 and "ok" when xregion can do its work, and 503 otherwise, so that
// a monitor or a load balancer that reads only the status code notices too: "degraded"
// with the store's problem when it cannot write (a full disk), "unhealthy" when this node
// cannot reach a shared store (its heartbeat fails, and the other nodes take its jobs
// over), "draining" while it shuts down.
func (a *api) health(w http.ResponseWriter, r *http.Request) {
	up := time.Since(a.cfg.Started)
	report := healthReport{
		Status: "ok", Version: version.String(), Uptime: up.Round(time.Second).String(), UptimeSeconds: up.Seconds(),
		Services: append([]string{}, a.cfg.Services...), Regions: regions.All(), Store: a.cfg.Store.Stats(), Auth: a.cfg.AuthMode,
		Clock: a.clock(), Faults: a.cfg.Faults.List(), Node: a.cfg.Jobs.Node(),
	}
	if a.cfg.Engines != nil {
		report.Engines = a.cfg.Engines()
	}
	status := http.StatusOK
	switch {
	case report.Node.Problem != "":
		report.Status, status = "unhealthy", http.StatusServiceUnavailable
	case report.Store.Problem != "":
		report.Status, status = "degraded", http.StatusServiceUnavailable
	case report.Node.Draining:
		report.Status, status = "draining", http.StatusServiceUnavailable
	}
	writeJSON(w, status, report)
}

func (a *api) reset(w http.ResponseWriter, r *http.Request) {
	err := a.cfg.Store.Update(func(tx store.Tx) error {
		kept := map[string][]byte{}
		for _, k := range a.cfg.KeepOnReset {
			if v := tx.Get(k); v != nil {
				kept[k] = bytes.Clone(v)
			}
		}
		if err := tx.DeletePrefix(""); err != nil {
			return err
		}
		for k, v := range kept {
			if err := tx.Put(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = a.cfg.Jobs.Reset()
	}
	if err != nil {
		writeError(w, failureStatus(err, http.StatusInternalServerError), "reset failed: %v", err)
		return
	}
	a.cfg.Faults.Forget()
	if a.cfg.OnReset != nil {
		a.cfg.OnReset()
	}
	a.cfg.Logger.Info("all state reset through the admin API")
	writeJSON(w, http.StatusOK, map[string]any{"reset": true, "clock": a.clock()})
}

type clockReport struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

func (a *api) clock() clockReport {
	c := a.cfg.Jobs.Clock()
	return clockReport{Now: c.Now(), Offset: c.Offset().String()}
}

func (a *api) getClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.clock())
}

// moveClock takes {"advance": "36h"} or {"to": "2030-01-01T00:00:00Z"}. Jobs that fall due
// on the way run, in time order, before the answer.
func (a *api) moveClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string     `json:"advance"`
		To      *time.Time `json:"to"`
	}
	if err := readJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	var target time.Time
	switch {
	case req.Advance != "" && req.To != nil:
		writeError(w, http.StatusBadRequest, `give either "advance" or "to", not both`)
		return
	case req.Advance != "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, `"advance" must be a non-negative Go duration such as "36h" or "90m"`)
			return
		}
		target = a.cfg.Jobs.Clock().Now().Add(d)
	case req.To != nil:
		target = *req.To
	default:
		writeError(w, http.StatusBadRequest, `give "advance" (a Go duration) or "to" (an RFC 3339 time)`)
		return
	}
	if err := a.cfg.Jobs.AdvanceTo(r.Context(), target); err != nil {
		status := failureStatus(err, http.StatusConflict)
		switch {
		case errors.Is(err, context.Canceled):
			status = http.StatusServiceUnavailable
		case errors.Is(err, jobs.ErrUnrepresentable):
			status = http.StatusBadRequest
		}
		writeError(w, status, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, a.clock())
}

func (a *api) listJobs(w http.ResponseWriter, r *http.Request) {
	pending, recent := a.cfg.Jobs.Jobs()
	if pending == nil {
		pending = []jobs.Job{}
	}
	if recent == nil {
		recent = []jobs.Finished{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"pending": pending, "recent": recent})
}

func (a *api) listFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"faults": a.cfg.Faults.List()})
}

// faultRequest is a fault as the admin API takes it: the fault, and how long it lasts.
type faultRequest struct {
	faults.Fault
	// For, a Go duration, makes the fault expire that long from now on the job engine's
	// clock: moving the clock past it ends the drill.
	For string `json:"for"`
}

func (a *api) setFault(w http.ResponseWriter, r *http.Request) {
	var req faultRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	f := req.Fault
	if err := f.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	now := a.cfg.Jobs.Clock().Now()
	f.Since, f.Expires = now, time.Time{} // the fault begins now, on the clock services use
	if req.For != "" {
		d, err := time.ParseDuration(req.For)
		if err != nil || d <= 0 {
			writeError(w, http.StatusBadRequest, `"for" must be a positive Go duration such as "30m" or "2h"`)
			return
		}
		f.Expires = now.Add(d)
	}
	if err := a.cfg.Faults.Set(f); err != nil {
		writeError(w, failureStatus(err, http.StatusInternalServerError), "%v", err)
		return
	}
	a.cfg.Logger.Info("fault set through the admin API", "region", f.Region, "service", f.Service, "operation", f.Operation)
	writeJSON(w, http.StatusOK, map[string]any{"faults": a.cfg.Faults.List()})
}

// clearFaults clears every fault; with ?region= alone, every fault of that Region; with
// ?service= (and ?operation=), the one fault of that scope.
func (a *api) clearFaults(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	scope := faults.Fault{Region: q.Get("region"), Service: q.Get("service"), Operation: q.Get("operation")}
	var err error
	switch {
	case scope.Region != "" && !regions.Valid(scope.Region):
		writeError(w, http.StatusBadRequest, "unknown Region %q", scope.Region)
		return
	case scope.Operation != "" && scope.Service == "":
		writeError(w, http.StatusBadRequest, "?operation= needs ?service= too")
		return
	case scope.Service != "":
		err = a.cfg.Faults.Set(scope) // a fault that does nothing: its scope is cleared
	default:
		err = a.cfg.Faults.Clear(scope.Region)
	}
	if err != nil {
		writeError(w, failureStatus(err, http.StatusInternalServerError), "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": a.cfg.Faults.List()})
}
