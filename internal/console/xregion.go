package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/regions"
)

// xregion's own controls — the clock and Region faults — are not AWS's, and the pages
// mark them so. They call the admin API in process, with its token, so they obey exactly
// what a test harness calling /_xregion/clock and /_xregion/faults obeys.

type clockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

type faultState struct {
	Region      string    `json:"region"`
	Unreachable bool      `json:"unreachable"`
	Since       time.Time `json:"since"`
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

// setFault is the overview's "Take Region down" and "Bring Region back".
func (c *Console) setFault(w http.ResponseWriter, r *http.Request, v *visit) {
	region := r.PostFormValue("faultRegion")
	var err error
	var notice string
	switch r.PostFormValue("action") {
	case "down":
		err = c.admin(r, http.MethodPost, "faults", map[string]any{"region": region, "unreachable": true}, nil)
		notice = region + " is down."
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

func (c *Console) overviewFailed(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	v.render(w, http.StatusBadRequest, "overview", "Cross-Region overview", "overview", overviewData{All: regions.All()}, err)
}
