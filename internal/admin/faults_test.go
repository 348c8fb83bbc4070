package admin_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

type faultList struct {
	Faults []struct {
		Region, Service, Operation, Outage, Mode, Latency string
		ThrottleRate                                      float64
		Since, Expires                                    time.Time
	}
}

func TestScopedFaultsAndTheirRemoval(t *testing.T) {
	inst := servertest.Start(t)
	var l faultList
	for _, body := range []string{
		`{"region":"us-east-1","outage":"api","mode":"reset"}`,
		`{"region":"us-east-1","service":"kms","latency":"2s"}`,
		`{"service":"secretsmanager","operation":"GetSecretValue","throttleRate":0.25}`,
	} {
		if code := call(t, "POST", inst.URL+"/_xregion/faults", body, &l); code != 200 {
			t.Fatalf("POST %s: %d", body, code)
		}
	}
	if len(l.Faults) != 3 || l.Faults[0].Service != "secretsmanager" || l.Faults[2].Latency != "2s" || l.Faults[1].Mode != "reset" {
		t.Fatalf("faults = %+v", l)
	}
	call(t, "DELETE", inst.URL+"/_xregion/faults?service=secretsmanager&operation=GetSecretValue", "", &l)
	if len(l.Faults) != 2 {
		t.Errorf("after removing one scope: %+v", l)
	}
	call(t, "DELETE", inst.URL+"/_xregion/faults?region=us-east-1", "", &l)
	if len(l.Faults) != 0 {
		t.Errorf("after clearing us-east-1: %+v", l)
	}
	for _, body := range []string{
		`{"region":"us-east-1","outage":"network"}`,
		`{"region":"us-east-1","outage":"api","mode":"refused"}`,
		`{"region":"us-east-1","service":"kms","unreachable":true}`,
		`{"region":"us-east-1","outage":"api","for":"-1h"}`,
		`{"operation":"GetSecretValue","throttleRate":1}`,
		`{"region":"us-east-1","latency":"forever"}`,
	} {
		var e struct{ Error string }
		if code := call(t, "POST", inst.URL+"/_xregion/faults", body, &e); code != 400 || e.Error == "" {
			t.Errorf("POST %s: %d %q, want 400 and a reason", body, code, e.Error)
		}
	}
	if code := call(t, "DELETE", inst.URL+"/_xregion/faults?operation=GetSecretValue", "", nil); code != 400 {
		t.Errorf("DELETE ?operation= alone: %d, want 400", code)
	}
}

func TestOutageExpiresWhenTheClockMoves(t *testing.T) {
	inst := servertest.Start(t)
	sm := secretsmanager.NewFromConfig(inst.Config("us-east-1"))
	list := func() error {
		_, err := sm.ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
		return err
	}
	var l faultList
	call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"us-east-1","outage":"api","for":"30m"}`, &l)
	if len(l.Faults) != 1 || !l.Faults[0].Expires.Equal(l.Faults[0].Since.Add(30*time.Minute)) {
		t.Fatalf("faults = %+v, want one that expires 30m after it began", l)
	}
	xtest.WantErrorContaining(t, list(), "ServiceUnavailable", 503, "outage drill")

	var health struct {
		Faults []struct{ Region, Outage string }
	}
	call(t, "GET", inst.URL+"/_xregion/health", "", &health)
	if len(health.Faults) != 1 || health.Faults[0].Region != "us-east-1" || health.Faults[0].Outage != "api" {
		t.Errorf("health faults = %+v", health.Faults)
	}

	call(t, "POST", inst.URL+"/_xregion/clock", `{"advance":"31m"}`, nil)
	if err := list(); err != nil {
		t.Errorf("ListSecrets once the outage expired: %v", err)
	}
	call(t, "GET", inst.URL+"/_xregion/faults", "", &l)
	if len(l.Faults) != 0 {
		t.Errorf("faults after expiry = %+v", l)
	}
}

func TestOutageStopsReplicationUntilItEnds(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	east := secretsmanager.NewFromConfig(inst.Config("us-east-1"))
	call(t, "POST", inst.URL+"/_xregion/faults", `{"region":"us-west-2","outage":"api"}`, nil)
	_, err := east.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("s3cr3t"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2")}}})
	if err != nil {
		t.Fatal(err)
	}
	call(t, "POST", inst.URL+"/_xregion/clock", `{"advance":"1m"}`, nil)
	status := func() string {
		d, err := east.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
		if err != nil {
			t.Fatal(err)
		}
		return string(d.ReplicationStatus[0].Status)
	}
	if s := status(); s != "InProgress" {
		t.Errorf("replica during the outage of its Region: %s, want InProgress", s)
	}
	call(t, "DELETE", inst.URL+"/_xregion/faults", "", nil)
	call(t, "POST", inst.URL+"/_xregion/clock", `{"advance":"1h"}`, nil)
	if s := status(); s != "InSync" {
		t.Errorf("replica after the outage: %s, want InSync", s)
	}
}
