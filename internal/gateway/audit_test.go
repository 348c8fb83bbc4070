package gateway_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/gateway"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/xtest"
)

type trail struct {
	mu     sync.Mutex
	events []port.TrailEvent
}

func (t *trail) Record(ev port.TrailEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events = append(t.events, ev)
}

func (t *trail) all() []port.TrailEvent {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]port.TrailEvent(nil), t.events...)
}

func startAuditedServer(t *testing.T) (string, *trail, *faults.Registry) {
	tr := &trail{}
	url, reg := startFaultedServer(t, gateway.Config{Trail: tr})
	return url, tr, reg
}

func TestAuditRecordsCallsWithoutSecrets(t *testing.T) {
	url, tr, reg := startAuditedServer(t)
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(url, "eu-west-3"))
	_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("hunter2"),
		ClientRequestToken: aws.String("token-0000000000000000000000000000001")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	if err == nil {
		t.Fatal("missing secret found")
	}
	db := rds.NewFromConfig(xtest.DefaultConfig(url, "us-west-2"))
	_, err = db.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t3.micro"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("s3cr3tpw"),
		AllocatedStorage: aws.Int32(20), VpcSecurityGroupIds: []string{"sg-1"}})
	if err != nil {
		t.Fatal(err)
	}
	// A call an outage refused never reached the service: no event.
	if err := reg.Set(faults.Fault{Region: "eu-west-3", Outage: faults.OutageAPI}); err != nil {
		t.Fatal(err)
	}
	_, _ = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")})

	events := tr.all()
	if len(events) != 4 {
		t.Fatalf("recorded %d events, want 4: %+v", len(events), events)
	}
	raw, _ := json.Marshal(events)
	for _, secret := range []string{"hunter2", "s3cr3tpw", "line1"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the trail holds the secret %q: %s", secret, raw)
		}
	}
	create, get, missing, rdsCreate := events[0], events[1], events[2], events[3]
	if create.Name != "CreateSecret" || create.ReadOnly || create.RequestParameters["secretString"] != "HIDDEN_DUE_TO_SECURITY_REASONS" ||
		create.RequestParameters["name"] != "db" || create.Source != "secretsmanager.amazonaws.com" || create.Region != "eu-west-3" ||
		create.Caller.ARN != "arn:aws:iam::123456789012:root" || create.Caller.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" || create.SourceIP != "127.0.0.1" {
		t.Errorf("CreateSecret event = %+v", create)
	}
	if create.ResponseElements["aRN"] == nil || len(create.Resources) != 1 || create.Resources[0].Name != "db" {
		t.Errorf("CreateSecret's response and resources = %v %v", create.ResponseElements, create.Resources)
	}
	if !get.ReadOnly || get.ResponseElements != nil || get.RequestID == "" {
		t.Errorf("GetSecretValue event = %+v", get)
	}
	if missing.ErrorCode != "ResourceNotFoundException" || missing.ErrorMessage == "" {
		t.Errorf("failed call's event = %+v", missing)
	}
	if rdsCreate.RequestParameters["masterUserPassword"] != "HIDDEN_DUE_TO_SECURITY_REASONS" || rdsCreate.RequestParameters["dBInstanceIdentifier"] != "orders" ||
		rdsCreate.Resources[0].Type != "AWS::RDS::DBInstance" {
		t.Errorf("CreateDBInstance event = %+v", rdsCreate)
	}
}
