package gateway_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/gateway"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/xtest"
)

// startFaultedServer serves the fake services under the faults it returns, with cfg's
// further settings.
func startFaultedServer(t *testing.T, cfg gateway.Config) (string, *faults.Registry) {
	t.Helper()
	st := memory.New()
	resolver, err := auth.NewResolver(auth.Config{Mode: auth.Permissive, DefaultAccount: xtest.Account, Sealer: seal.Ephemeral(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := faults.Load(st)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Services = []gateway.Service{fakeSecretsManager(), fakeRDS(), fakeSTS(), fakeBackup(), fakeEC2()}
	cfg.Resolver, cfg.Faults = resolver, reg
	srv := httptest.NewServer(gateway.New(cfg))
	t.Cleanup(srv.Close)
	return srv.URL, reg
}

// startDrillServer is startFaultedServer whose throttle draws draw every time.
func startDrillServer(t *testing.T, draw float64) (string, *faults.Registry) {
	return startFaultedServer(t, gateway.Config{Random: func() float64 { return draw }})
}

func setFault(t *testing.T, reg *faults.Registry, f faults.Fault) {
	t.Helper()
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := reg.Set(f); err != nil {
		t.Fatal(err)
	}
}

func getSecret(url, region string) error {
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(url, region))
	_, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")})
	return err
}

func TestRegionOutageAnswersServiceUnavailable(t *testing.T) {
	url, reg := startDrillServer(t, 0)
	setFault(t, reg, faults.Fault{Region: "us-east-1", Outage: faults.OutageAPI})
	xtest.WantErrorContaining(t, getSecret(url, "us-east-1"), "ServiceUnavailable", 503, "outage drill")
	stsEast := sts.NewFromConfig(xtest.DefaultConfig(url, "us-east-1"))
	_, err := stsEast.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	xtest.WantErrorContaining(t, err, "ServiceUnavailable", 503, "outage drill")
	if err := getSecret(url, "us-west-2"); err != nil {
		t.Errorf("us-west-2 during us-east-1's outage: %v", err)
	}
	if err := reg.Clear("us-east-1"); err != nil {
		t.Fatal(err)
	}
	if err := getSecret(url, "us-east-1"); err != nil {
		t.Errorf("us-east-1 after its outage: %v", err)
	}
}

func TestRegionOutageResetsConnections(t *testing.T) {
	url, reg := startDrillServer(t, 0)
	setFault(t, reg, faults.Fault{Region: "eu-west-3", Outage: faults.OutageAPI, Mode: faults.ModeReset})
	err := getSecret(url, "eu-west-3")
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("GetSecretValue in eu-west-3 = %v, want a reset connection", err)
	}
	if err := getSecret(url, "us-west-2"); err != nil {
		t.Errorf("us-west-2: %v", err)
	}
}

func TestOutageOfOneOperation(t *testing.T) {
	url, reg := startDrillServer(t, 0)
	setFault(t, reg, faults.Fault{Region: "us-east-1", Service: "rds", Operation: "DescribeDBInstances", Outage: faults.OutageAPI})
	db := rds.NewFromConfig(xtest.DefaultConfig(url, "us-east-1"))
	_, err := db.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{})
	xtest.WantErrorContaining(t, err, "ServiceUnavailable", 503, "outage drill")
	_, err = db.RemoveTagsFromResource(context.Background(), &rds.RemoveTagsFromResourceInput{
		ResourceName: aws.String("arn:aws:rds:us-east-1:123456789012:db:x"), TagKeys: []string{}})
	if err != nil {
		t.Errorf("another RDS operation during the drill: %v", err)
	}
	if err := getSecret(url, "us-east-1"); err != nil {
		t.Errorf("another service during the drill: %v", err)
	}
}

func TestThrottlingSpeaksEachProtocol(t *testing.T) {
	url, reg := startDrillServer(t, 0.3)
	setFault(t, reg, faults.Fault{Service: "secretsmanager", ThrottleRate: 0.5})
	setFault(t, reg, faults.Fault{Region: "us-west-2", Service: "sts", ThrottleRate: 1})
	xtest.WantError(t, getSecret(url, "ap-south-1"), "ThrottlingException", 400, "Rate exceeded")
	_, err := sts.NewFromConfig(xtest.DefaultConfig(url, "us-west-2")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	xtest.WantError(t, err, "Throttling", 400, "Rate exceeded")
	setFault(t, reg, faults.Fault{Service: "ec2", ThrottleRate: 1})
	if status, body := ec2Call(t, url, "AKIDEXAMPLE", "secret", time.Now()); status != 503 ||
		!strings.Contains(body, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>") {
		t.Errorf("EC2 throttled: %d %s", status, body)
	}
	// A draw above the rate goes through.
	setFault(t, reg, faults.Fault{Service: "secretsmanager", ThrottleRate: 0.2})
	if err := getSecret(url, "ap-south-1"); err != nil {
		t.Errorf("a call the throttle spared: %v", err)
	}
}

func TestLatencyPerRegionAndService(t *testing.T) {
	url, reg := startDrillServer(t, 0)
	setFault(t, reg, faults.Fault{Region: "eu-west-3", Latency: faults.Duration(600 * time.Millisecond)})
	setFault(t, reg, faults.Fault{Service: "secretsmanager", Latency: faults.Duration(100 * time.Millisecond)})
	start := time.Now()
	if err := getSecret(url, "eu-west-3"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 700*time.Millisecond {
		t.Errorf("a call under both latencies took %v, want at least 700ms", took)
	}
	start = time.Now()
	_, err := sts.NewFromConfig(xtest.DefaultConfig(url, "us-west-2")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took >= 600*time.Millisecond {
		t.Errorf("a call outside every fault took %v", took)
	}
}

func TestLatencyGivesWayToTheClientsTimeout(t *testing.T) {
	url, reg := startDrillServer(t, 0)
	setFault(t, reg, faults.Fault{Region: "us-east-1", Latency: faults.Duration(faults.MaxLatency)})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(url, "us-east-1"))
	_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("GetSecretValue under a 5-minute latency = %v, want the client's deadline", err)
	}
}
