package admin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/xregion/xregion/internal/server"
	"github.com/xregion/xregion/internal/server/servertest"
)

// call makes an admin call as a script would: JSON for every call that changes state.
func call(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	header := map[string]string{}
	if method != "GET" {
		header["Content-Type"] = "application/json"
	}
	return callWith(t, method, url, body, header, out)
}

func callWith(t *testing.T, method, url, body string, header map[string]string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
	return resp.StatusCode
}

func TestHealth(t *testing.T) {
	inst := servertest.Start(t)
	var h struct {
		Status   string
		Version  string
		Services []string
		Regions  []string
		Store    struct{ Kind string }
		Auth     string
		Clock    struct{ Now time.Time }
	}
	if code := call(t, "GET", inst.URL+"/_xregion/health", "", &h); code != 200 {
		t.Fatalf("health: %d", code)
	}
	if h.Status != "ok" || h.Version == "" || h.Store.Kind != "memory" || h.Auth != "permissive" || h.Clock.Now.IsZero() {
		t.Errorf("health = %+v", h)
	}
	if !strings.Contains(strings.Join(h.Services, ","), "sts") || !strings.Contains(strings.Join(h.Regions, ","), "eu-west-3") {
		t.Errorf("services %v, regions %v", h.Services, h.Regions)
	}
}

func TestClock(t *testing.T) {
	inst := servertest.Start(t)
	var before, after struct {
		Now    time.Time
		Offset string
	}
	call(t, "GET", inst.URL+"/_xregion/clock", "", &before)
	if code := call(t, "POST", inst.URL+"/_xregion/clock", `{"advance":"36h"}`, &after); code != 200 {
		t.Fatalf("advance: %d", code)
	}
	if d := after.Now.Sub(before.Now); d < 36*time.Hour || d > 37*time.Hour {
		t.Errorf("advanced by %v", d)
	}
	target := after.Now.Add(48 * time.Hour).Truncate(time.Second)
	if code := call(t, "POST", inst.URL+"/_xregion/clock", `{"to":"`+target.Format(time.RFC3339)+`"}`, &after); code != 200 {
		t.Fatalf("to: %d", code)
	}
	if after.Now.Before(target) || after.Now.Sub(target) > time.Minute {
		t.Errorf("moved to %v, want %v", after.Now, target)
	}
	for _, body := range []string{`{"advance":"-1h"}`, `{"advance":"soon"}`, `{}`, `{"to":"2001-01-01T00:00:00Z"}`, `{"advance":"1h","to":"2030-01-01T00:00:00Z"}`, `{"advnace":"1h"}`} {
		var e struct{ Error string }
		if code := call(t, "POST", inst.URL+"/_xregion/clock", body, &e); code/100 != 4 || e.Error == "" {
			t.Errorf("clock %s: %d %q", body, code, e.Error)
		}
	}
}

func TestFaults(t *testing.T) {
	inst := servertest.Start(t)
	type list struct {
		Faults []struct {
			Region      string
			Unreachable bool
		}
	}
	var l list
	if code := call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"eu-west-3","unreachable":true}`, &l); code != 200 || len(l.Faults) != 1 {
		t.Fatalf("set fault: %d %+v", code, l)
	}
	call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"us-west-2","unreachable":true}`, nil)
	call(t, "GET", inst.URL+"/_xregion/faults", "", &l)
	if len(l.Faults) != 2 || l.Faults[0].Region != "eu-west-3" {
		t.Errorf("faults = %+v", l)
	}
	call(t, "DELETE", inst.URL+"/_xregion/faults?region=eu-west-3", "", &l)
	if len(l.Faults) != 1 || l.Faults[0].Region != "us-west-2" {
		t.Errorf("after clearing one: %+v", l)
	}
	call(t, "DELETE", inst.URL+"/_xregion/faults", "", &l)
	if len(l.Faults) != 0 {
		t.Errorf("after clearing all: %+v", l)
	}
	if code := call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"atlantis-1","unreachable":true}`, nil); code != 400 {
		t.Errorf("unknown Region: %d", code)
	}
}

func TestResetWipesEverything(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	client := iam.NewFromConfig(inst.Config("us-east-1"))
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	call(t, "POST", inst.URL+"/_xregion/clock", `{"advance":"240h"}`, nil)
	call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"eu-west-3","unreachable":true}`, nil)

	var r struct {
		Reset bool
		Clock struct{ Offset string }
	}
	if code := call(t, "POST", inst.URL+"/_xregion/reset", "", &r); code != 200 || !r.Reset {
		t.Fatalf("reset: %d %+v", code, r)
	}
	if r.Clock.Offset != "0s" {
		t.Errorf("clock offset after reset = %s", r.Clock.Offset)
	}
	roles, err := client.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil || len(roles.Roles) != 0 {
		t.Errorf("roles after reset: %v %v", roles, err)
	}
	var l struct{ Faults []any }
	call(t, "GET", inst.URL+"/_xregion/faults", "", &l)
	if len(l.Faults) != 0 {
		t.Errorf("faults after reset: %v", l.Faults)
	}
	// The server is usable after a reset.
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(doc)}); err != nil {
		t.Errorf("create after reset: %v", err)
	}
}

func TestJobsListing(t *testing.T) {
	inst := servertest.Start(t)
	var j struct {
		Pending []any
		Recent  []any
	}
	if code := call(t, "GET", inst.URL+"/_xregion/jobs", "", &j); code != 200 || j.Pending == nil || j.Recent == nil {
		t.Errorf("jobs: %d %+v", code, j)
	}
	if code := call(t, "GET", inst.URL+"/_xregion/nope", "", nil); code != 404 {
		t.Errorf("unknown endpoint: %d", code)
	}
}

func TestAdminToken(t *testing.T) {
	inst := servertest.Start(t, func(c *server.Config) { c.AdminToken = "s3cret" })
	if code := call(t, "GET", inst.URL+"/_xregion/health", "", nil); code != 401 {
		t.Errorf("without token: %d", code)
	}
	req, _ := http.NewRequest("GET", inst.URL+"/_xregion/health", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("with token: %d", resp.StatusCode)
	}
}

// TestStateChangesNeedJSON: a web page can make a browser send text/plain, a form or no
// body at all to any address without a CORS preflight; none of them may change state.
func TestStateChangesNeedJSON(t *testing.T) {
	inst := servertest.Start(t)
	call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"eu-west-3","unreachable":true}`, nil)
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		var e struct{ Error string }
		code := callWith(t, "POST", inst.URL+"/_xregion/reset", "{}", map[string]string{"Content-Type": ct}, &e)
		if code != http.StatusUnsupportedMediaType || !strings.Contains(e.Error, "application/json") {
			t.Errorf("reset with Content-Type %q: %d %q", ct, code, e.Error)
		}
	}
	if code := callWith(t, "DELETE", inst.URL+"/_xregion/faults", "", nil, nil); code != http.StatusUnsupportedMediaType {
		t.Errorf("DELETE without a JSON content type: %d", code)
	}
	var l struct{ Faults []any }
	call(t, "GET", inst.URL+"/_xregion/faults", "", &l)
	if len(l.Faults) != 1 {
		t.Errorf("a refused call changed state: faults %v", l.Faults)
	}
	if code := callWith(t, "POST", inst.URL+"/_xregion/reset", "", map[string]string{"Content-Type": "application/json; charset=utf-8"}, nil); code != 200 {
		t.Errorf("reset with a JSON content type and parameters: %d", code)
	}
}

// TestCrossOriginResetRefused is the probe's reproduction: a page of another origin
// POSTs text/plain to /_xregion/reset. The gateway refuses it before the admin API sees
// it, whatever its content type; the console's own origin passes.
func TestCrossOriginResetRefused(t *testing.T) {
	inst := servertest.Start(t)
	call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"eu-west-3","unreachable":true}`, nil)
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example", "Content-Type": "text/plain"},
		{"Origin": "http://evil.example", "Content-Type": "application/json"},
		{"Origin": "null", "Content-Type": "application/json"},
		{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
	} {
		var e struct{ Error string }
		if code := callWith(t, "POST", inst.URL+"/_xregion/reset", "", h, &e); code != http.StatusForbidden || e.Error == "" {
			t.Errorf("reset with %v: %d %q", h, code, e.Error)
		}
	}
	var l struct{ Faults []any }
	call(t, "GET", inst.URL+"/_xregion/faults", "", &l)
	if len(l.Faults) != 1 {
		t.Fatalf("a cross-origin reset wiped state: faults %v", l.Faults)
	}
	own := map[string]string{"Origin": inst.URL, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}
	if code := callWith(t, "POST", inst.URL+"/_xregion/reset", "", own, nil); code != 200 {
		t.Errorf("reset from the console's own origin: %d", code)
	}
}

func TestClockRefusesUnrepresentableTimes(t *testing.T) {
	inst := servertest.Start(t)
	var e struct{ Error string }
	if code := call(t, "POST", inst.URL+"/_xregion/clock", `{"to":"2400-01-01T00:00:00Z"}`, &e); code != 400 || !strings.Contains(e.Error, "292 years") {
		t.Errorf("to 2400: %d %q", code, e.Error)
	}
	var c struct{ Now time.Time }
	if code := call(t, "POST", inst.URL+"/_xregion/clock", `{"to":"2262-04-12T00:00:00Z"}`, &c); code != 200 || c.Now.Year() != 2262 {
		t.Errorf("to 2262-04-12: %d %v", code, c.Now)
	}
	if code := call(t, "POST", inst.URL+"/_xregion/clock", `{"advance":"2000000h"}`, &e); code != 400 || !strings.Contains(e.Error, "292 years") {
		t.Errorf("advance 228 years from 2262: %d %q", code, e.Error)
	}
}
