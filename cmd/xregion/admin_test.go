package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/server"
	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// adminServer starts a server whose admin API wants a token, and points the admin
// commands at it with the token in a file.
func adminServer(t *testing.T) *servertest.Instance {
	inst := servertest.Start(t, func(c *server.Config) { c.AdminToken = "dr1ll" })
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("dr1ll\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XREGION_ENDPOINT", inst.URL)
	t.Setenv("XREGION_ADMIN_TOKEN_FILE", tokenFile)
	t.Setenv("XREGION_ADMIN_TOKEN", "")
	return inst
}

// admin runs an admin command line and returns what it printed.
func admin(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := runAdmin(args, &out, &errOut); err != nil {
		t.Fatalf("xregion %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

func adminFails(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runAdmin(args, &out, &errOut)
	if err == nil {
		t.Fatalf("xregion %s succeeded:\n%s", strings.Join(args, " "), out.String())
	}
	return err.Error()
}

func TestAdminCommandsDriveADrill(t *testing.T) {
	inst := adminServer(t)
	out := admin(t, "admin", "fault", "region", "us-east-1", "--outage", "api", "--for", "1h")
	if !strings.Contains(out, "us-east-1") || !strings.Contains(out, "outage api (unavailable)") {
		t.Errorf("fault region printed:\n%s", out)
	}
	out = admin(t, "fault", "add", "--service", "kms", "--latency", "250ms", "--throttle", "0.5")
	if !strings.Contains(out, "latency +250ms, throttle 50%") {
		t.Errorf("fault add printed:\n%s", out)
	}
	_, err := sts.NewFromConfig(inst.Config("us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	xtest.WantErrorContaining(t, err, "ServiceUnavailable", 503, "outage drill")

	var listed struct {
		Faults []struct{ Region, Service string }
	}
	if err := json.Unmarshal([]byte(admin(t, "faults", "--json")), &listed); err != nil || len(listed.Faults) != 2 {
		t.Fatalf("faults --json: %v %+v", err, listed)
	}
	if out := admin(t, "health"); !strings.Contains(out, "status    ok") || !strings.Contains(out, "outage api") || !strings.Contains(out, "alone on its store") {
		t.Errorf("health printed:\n%s", out)
	}
	// Moving the clock past the outage's end ends it.
	if out := admin(t, "clock", "advance", "2h"); !strings.Contains(out, "offset 2h0m0s") {
		t.Errorf("clock advance printed:\n%s", out)
	}
	if _, err := sts.NewFromConfig(inst.Config("us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("us-east-1 once its outage expired: %v", err)
	}
	if out := admin(t, "fault", "clear", "--service", "kms"); !strings.Contains(out, "no faults in force") {
		t.Errorf("fault clear printed:\n%s", out)
	}
	if out := admin(t, "metrics"); !strings.Contains(out, `xregion_requests_total{code="ServiceUnavailable",operation="GetCallerIdentity",region="us-east-1",service="sts",status="503"} 1`) {
		t.Errorf("metrics lack the refused call:\n%s", out)
	}
	if out := admin(t, "jobs", "--recent", "3"); !strings.HasPrefix(out, "PENDING (0)") {
		t.Errorf("jobs printed:\n%s", out)
	}
	if out := admin(t, "reset"); !strings.Contains(out, "offset 0s") {
		t.Errorf("reset printed:\n%s", out)
	}
}

func TestAdminCommandsRefuseMistakes(t *testing.T) {
	adminServer(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fault", "add", "--region", "mars-1", "--outage", "api"}, `unknown Region "mars-1"`},
		{[]string{"fault", "add", "--region", "us-east-1", "--outage", "api", "--mode", "refused"}, `unknown mode "refused"`},
		{[]string{"fault", "region"}, "usage: xregion fault region REGION"},
		{[]string{"fault", "remove"}, `unknown fault command "remove"`},
		{[]string{"clock", "backwards"}, "usage: xregion clock"},
		{[]string{"clock", "advance", "soon"}, "400 Bad Request"},
		{[]string{"admin", "launch"}, `unknown command "launch"`},
		{[]string{"health", "now"}, "health takes no arguments"},
	} {
		if got := adminFails(t, c.args...); !strings.Contains(got, c.want) {
			t.Errorf("xregion %s: %q, want %q in it", strings.Join(c.args, " "), got, c.want)
		}
	}
	t.Setenv("XREGION_ADMIN_TOKEN_FILE", "")
	if got := adminFails(t, "health"); !strings.Contains(got, "401 Unauthorized") {
		t.Errorf("health without the token: %q", got)
	}
}

func TestAdminCommandsAreRecognised(t *testing.T) {
	for args, want := range map[string]bool{
		"admin health": true, "jobs": true, "fault add": true, "--in-memory": false, "": false, "serve": false,
	} {
		if got := isAdminCommand(strings.Fields(args)); got != want {
			t.Errorf("isAdminCommand(%q) = %v, want %v", args, got, want)
		}
	}
}

func TestNodeLine(t *testing.T) {
	n := jobs.NodeReport{ID: "node-1", Shared: true, Draining: true, Leases: []jobs.Lease{{Job: "a"}},
		Peers: []jobs.Peer{{ID: "node-2", Alive: true}, {ID: "node-3"}, {ID: "node-4", Alive: true, Draining: true}}}
	want := "node-1 (1 jobs leased, draining; peers: node-2 alive, node-3 silent, node-4 draining)"
	if got := nodeLine(n); got != want {
		t.Errorf("nodeLine = %q, want %q", got, want)
	}
}
