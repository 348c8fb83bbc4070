package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/regions"
)

// xregion's own controls — the clock and Region faults — are not AWS's, and the pages
// mark them so. They call the admin API in process, with its token, so they obey exactly
// what a test harness calling /_xregion/clock and /_xregion/faults obeys.

type clockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

// faultState is a fault as the admin API lists it, with the words the overview shows.
type faultState struct{ faults.Fault }

// Scope names what the fault applies to: a Region, a service, an operation.
func (f faultState) Scope() string {
	scope := f.Region
	if scope == "" {
		scope = "every Region"
	}
	if f.Service != "" {
		scope += " · " + f.Service
	}
	if f.Operation != "" {
		scope += " · " + f.Operation
	}
	return scope
}

// Effects lists what the fault does, in the words of the form that stages it.
func (f faultState) Effects() []string {
	var out []string
	if f.Unreachable {
		out = append(out, "Cut off from other Regions")
	}
	if f.Outage == faults.OutageAPI {
		if f.Mode == faults.ModeReset {
			out = append(out, "API outage (connections reset)")
		} else {
			out = append(out, "API outage (HTTP 503)")
		}
	}
	if f.Latency > 0 {
		out = append(out, "Latency "+time.Duration(f.Latency).String())
	}
	if f.ThrottleRate > 0 {
		out = append(out, fmt.Sprintf("Throttling %g%% of calls", f.ThrottleRate*100))
	}
	return out
}

// downRegions are the Regions the faults take down: their API answers nobody, so the
// pages say so rather than read them.
func downRegions(list []faultState) map[string]bool {
	down := map[string]bool{}
	for _, f := range list {
		down[f.Region] = down[f.Region] || f.Down()
	}
	return down
}

// downNow are the Regions down at this moment.
func (c *Console) downNow(r *http.Request) (map[string]bool, error) {
	list, err := c.faults(r)
	return downRegions(list), err
}

// adminError is a refusal of the admin API, shown like a service's error.
var adminError = awserr.Kind{Code: "XregionAdminError", Status: http.StatusBadRequest, Sender: true}

// admin calls the admin API in process and decodes its JSON answer into out.
func (c *Console) admin(r *http.Request, method, path string, body any, out any) error {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	req, err := http.NewRequestWithContext(r.Context(), method, "/_xregion/"+path, bytes.NewReader(payload))
	if err != nil {
		return awserr.Internal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.cfg.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.AdminToken)
	}
	rec := httptest.NewRecorder()
	c.cfg.Admin.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		var refusal struct{ Error string }
		_ = json.Unmarshal(rec.Body.Bytes(), &refusal)
		e := adminError.New("%s", strings.TrimSpace(refusal.Error))
		e.Status = rec.Code
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		return awserr.Internal(fmt.Errorf("console: reading the admin API's answer: %w", err))
	}
	return nil
}

func (c *Console) clock(r *http.Request) (clockState, error) {
	var s clockState
	err := c.admin(r, http.MethodGet, "clock", nil, &s)
	return s, err
}

func (c *Console) faults(r *http.Request) ([]faultState, error) {
	var s struct{ Faults []faultState }
	err := c.admin(r, http.MethodGet, "faults", nil, &s)
	return s.Faults, err
}

// advanceClock is the overview's "Advance clock": jobs that fall due run before the page
// comes back.
func (c *Console) advanceClock(w http.ResponseWriter, r *http.Request, v *visit) {
	by := strings.TrimSpace(r.PostFormValue("advance"))
	if err := c.admin(r, http.MethodPost, "clock", map[string]string{"advance": by}, nil); err != nil {
		c.overviewFailed(w, r, v, err)
		return
	}
	v.redirect(w, "", v.Region, "The clock moved forward by "+by+".")
}

// setFault is the overview's fault controls: "Take Region down" and "Bring Region back"
// for the common drill, "Stage fault" for any fault the admin API takes, and "Clear" for
// one fault of the list.
func (c *Console) setFault(w http.ResponseWriter, r *http.Request, v *visit) {
	region := r.PostFormValue("faultRegion")
	var err error
	var notice string
	switch r.PostFormValue("action") {
	case "down":
		err = c.admin(r, http.MethodPost, "faults", map[string]any{"region": region, "unreachable": true}, nil)
		notice = region + " is down."
	case "stage":
		var f map[string]any
		if f, err = stagedFault(r); err == nil {
			err = c.admin(r, http.MethodPost, "faults", f, nil)
			notice = "The fault is staged."
		}
	case "clear":
		// A fault with no effect removes exactly its own scope (the admin API's DELETE
		// with only a Region would clear that Region's service faults too).
		scope := map[string]string{}
		for _, k := range []string{"region", "service", "operation"} {
			if s := r.PostFormValue(k); s != "" {
				scope[k] = s
			}
		}
		err = c.admin(r, http.MethodPost, "faults", scope, nil)
		notice = "The fault is cleared."
	default:
		if !regions.Valid(region) {
			err = adminError.New("unknown Region %q", region)
			break
		}
		err = c.admin(r, http.MethodDelete, "faults?region="+url.QueryEscape(region), nil, nil)
		notice = region + " is back."
	}
	if err != nil {
		c.overviewFailed(w, r, v, err)
		return
	}
	v.redirect(w, "", v.Region, notice)
}

// stagedFault turns the "Stage fault" form into the admin API's fault. The admin API
// validates it; the form only maps its choices onto the API's fields.
func stagedFault(r *http.Request) (map[string]any, error) {
	f := map[string]any{}
	for form, field := range map[string]string{"faultRegion": "region", "service": "service", "operation": "operation", "for": "for"} {
		if s := strings.TrimSpace(r.PostFormValue(form)); s != "" {
			f[field] = s
		}
	}
	switch kind := r.PostFormValue("kind"); kind {
	case "unreachable":
		f["unreachable"] = true
	case "unavailable", "reset":
		f["outage"], f["mode"] = faults.OutageAPI, kind
	case "latency":
		f["latency"] = strings.TrimSpace(r.PostFormValue("latency"))
	case "throttle":
		percent, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("throttle")), 64)
		if err != nil {
			return nil, adminError.New("the share of calls throttled is a percentage such as 50")
		}
		f["throttleRate"] = percent / 100
	default:
		return nil, adminError.New("unknown fault %q", kind)
	}
	return f, nil
}

func (c *Console) overviewFailed(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	v.render(w, http.StatusBadRequest, "overview", "Cross-Region overview", "overview", overviewData{All: regions.All()}, err)
}
