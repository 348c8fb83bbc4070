package faults

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store/memory"
)

func TestFaultsPersistAndClear(t *testing.T) {
	st := memory.New()
	r, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	if r.Unreachable("eu-west-3") {
		t.Fatal("a new registry has a fault")
	}
	for _, region := range []string{"eu-west-3", "us-west-2"} {
		if err := r.Set(Fault{Region: region, Unreachable: true}); err != nil {
			t.Fatal(err)
		}
	}
	again, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.List(); len(got) != 2 || got[0].Region != "eu-west-3" || !again.Unreachable("us-west-2") {
		t.Fatalf("reloaded faults = %+v", got)
	}
	if err := again.Clear("eu-west-3"); err != nil {
		t.Fatal(err)
	}
	if again.Unreachable("eu-west-3") || !again.Unreachable("us-west-2") {
		t.Fatal("Clear(region) cleared the wrong faults")
	}
	if err := again.Clear(""); err != nil {
		t.Fatal(err)
	}
	if len(again.List()) != 0 {
		t.Fatal("Clear did not clear")
	}
	if third, _ := Load(st); len(third.List()) != 0 {
		t.Fatal("cleared faults came back after a reload")
	}
}

func TestFaultKeepsItsStart(t *testing.T) {
	r, err := Load(memory.New())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := r.Set(Fault{Region: "eu-west-3", Unreachable: true, Since: start}); err != nil {
		t.Fatal(err)
	}
	if err := r.Set(Fault{Region: "eu-west-3", Unreachable: true, Since: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if since, down := r.Since("eu-west-3"); !down || !since.Equal(start) {
		t.Errorf("Since = %v, %v; want %v, true", since, down, start)
	}
	if _, down := r.Since("us-west-2"); down {
		t.Error("a Region without a fault is down")
	}
}

func TestScopedFaultsMatchTheirCalls(t *testing.T) {
	r, err := Load(memory.New())
	if err != nil {
		t.Fatal(err)
	}
	set := []Fault{
		{Region: "us-east-1", Outage: OutageAPI, Mode: ModeReset},
		{Region: "us-west-2", Service: "kms", Latency: Duration(time.Second)},
		{Region: "us-west-2", Service: "secretsmanager", Operation: "GetSecretValue", ThrottleRate: 1},
		{Service: "rds", ThrottleRate: 0.5},
	}
	for _, f := range set {
		if err := r.Set(f); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		service, region, op string
		want                int // faults that match
	}{
		{"secretsmanager", "us-east-1", "ListSecrets", 1},
		{"kms", "us-west-2", "Encrypt", 1},
		{"secretsmanager", "us-west-2", "GetSecretValue", 1},
		{"secretsmanager", "us-west-2", "ListSecrets", 0},
		{"rds", "eu-west-3", "DescribeDBInstances", 1},
		{"rds", "us-east-1", "DescribeDBInstances", 2},
		{"sts", "eu-west-3", "GetCallerIdentity", 0},
	}
	for _, c := range cases {
		if got := r.Match(c.service, c.region, c.op); len(got) != c.want {
			t.Errorf("Match(%s, %s, %s) = %+v, want %d faults", c.service, c.region, c.op, got, c.want)
		}
	}
	// Only a Region-wide outage stops cross-Region work; a service's does not.
	if !r.Unreachable("us-east-1") || r.Unreachable("us-west-2") {
		t.Errorf("Unreachable: us-east-1 %v, us-west-2 %v; want true, false", r.Unreachable("us-east-1"), r.Unreachable("us-west-2"))
	}
	if got := r.List(); len(got) != 4 || got[0].Region != "" || got[1].Region != "us-east-1" {
		t.Errorf("List = %+v, want 4 faults, the every-Region one first", got)
	}
	if err := r.Clear("us-west-2"); err != nil {
		t.Fatal(err)
	}
	if got := r.List(); len(got) != 2 {
		t.Errorf("after Clear(us-west-2) List = %+v, want the two other faults", got)
	}
}

func TestFaultsExpireOnTheClock(t *testing.T) {
	st := memory.New()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	r, err := Load(st, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Set(Fault{Region: "eu-west-3", Outage: OutageAPI, Since: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if !r.Unreachable("eu-west-3") || len(r.List()) != 1 {
		t.Fatal("a fault that has not expired is not active")
	}
	now = now.Add(time.Hour)
	if r.Unreachable("eu-west-3") || len(r.List()) != 0 || len(r.Match("kms", "eu-west-3", "Encrypt")) != 0 {
		t.Fatal("an expired fault is still active")
	}
	// The next write drops it from the store too.
	if err := r.Set(Fault{Region: "us-west-2", Unreachable: true}); err != nil {
		t.Fatal(err)
	}
	reloaded, err := Load(st, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if got := reloaded.List(); len(got) != 1 || got[0].Region != "us-west-2" {
		t.Errorf("reloaded faults = %+v, want only us-west-2's", got)
	}
}

func TestFaultValidation(t *testing.T) {
	bad := map[string]Fault{
		"no scope":                 {Outage: OutageAPI},
		"unknown Region":           {Region: "mars-1", Outage: OutageAPI},
		"operation alone":          {Region: "us-east-1", Operation: "ListSecrets", ThrottleRate: 1},
		"unreachable service":      {Region: "us-east-1", Service: "kms", Unreachable: true},
		"unknown outage":           {Region: "us-east-1", Outage: "network"},
		"mode without outage":      {Region: "us-east-1", Mode: ModeReset, Latency: Duration(time.Second)},
		"unknown mode":             {Region: "us-east-1", Outage: OutageAPI, Mode: "refused"},
		"negative latency":         {Region: "us-east-1", Latency: Duration(-time.Second)},
		"latency beyond the bound": {Region: "us-east-1", Latency: Duration(MaxLatency + time.Second)},
		"throttle above 1":         {Region: "us-east-1", ThrottleRate: 1.5},
	}
	for name, f := range bad {
		if err := f.Validate(); err == nil {
			t.Errorf("%s: Validate(%+v) = nil, want an error", name, f)
		}
	}
	good := []Fault{
		{Region: "us-east-1", Outage: OutageAPI},
		{Region: "us-east-1", Outage: OutageAPI, Mode: ModeReset, Service: "kms"},
		{Service: "secretsmanager", Operation: "GetSecretValue", ThrottleRate: 0.25},
		{Region: "us-west-2", Latency: Duration(MaxLatency)},
	}
	for _, f := range good {
		if err := f.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", f, err)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	var f Fault
	if err := json.Unmarshal([]byte(`{"region":"us-east-1","latency":"1.5s"}`), &f); err != nil {
		t.Fatal(err)
	}
	if time.Duration(f.Latency) != 1500*time.Millisecond {
		t.Errorf("latency = %v, want 1.5s", time.Duration(f.Latency))
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"region":"us-east-1","latency":"1.5s"}` {
		t.Errorf("marshalled %s", b)
	}
	if err := json.Unmarshal([]byte(`{"latency":1500}`), &f); err == nil {
		t.Error("a number was taken for a duration")
	}
}

// Two registries on one store are two nodes: a fault set or cleared through one applies
// on the other once it reloads.
func TestReloadSharesFaultsBetweenNodes(t *testing.T) {
	st := memory.New()
	a, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Set(Fault{Region: "eu-west-3", Service: "secretsmanager", Outage: OutageAPI}); err != nil {
		t.Fatal(err)
	}
	if len(b.Match("secretsmanager", "eu-west-3", "GetSecretValue")) != 0 {
		t.Fatal("b saw the fault before reloading")
	}
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := b.Match("secretsmanager", "eu-west-3", "GetSecretValue"); len(got) != 1 || got[0].Outage != OutageAPI {
		t.Fatalf("b matches %+v after reloading", got)
	}
	if err := a.Clear(""); err != nil {
		t.Fatal(err)
	}
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := b.List(); len(got) != 0 {
		t.Fatalf("b still lists %+v after a cleared every fault", got)
	}
}
