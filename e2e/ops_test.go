package e2e

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// awsOnce runs the AWS CLI in region without its retries, and returns its stdout, its
// stderr and whether it succeeded: an outage drill is about the first answer.
func (s *server) awsOnce(t *testing.T, region string, args ...string) (string, string, bool) {
	t.Helper()
	need(t, "aws CLI", haveCommand("aws"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := append(s.clientEnv(t, region), "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard")
	stdout, stderr, err := run(ctx, env, "", "aws", s.cliArgs(args)...)
	return stdout, stderr, err == nil
}

// xregion runs an admin command of the binary against this server and returns its
// output.
func (s *server) xregion(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := append(os.Environ(), "XREGION_ENDPOINT="+s.URL)
	stdout, stderr, err := run(ctx, env, "", binary, args...)
	if err != nil {
		t.Fatalf("xregion %s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
}

// TestRegionOutageDrillCLI takes us-east-1's API down as a regional outage does (HTTP 503,
// then reset connections) while us-west-2 serves, and promotes the replica in us-west-2
// during the outage: the Secrets Manager step of a DR game day.
func TestRegionOutageDrillCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.aws(t, "secretsmanager", "create-secret", "--name", "app/db", "--secret-string", "s3cr3t",
		"--add-replica-regions", "Region=us-west-2")
	srv.waitInSync(t, "us-east-1", "app/db", "us-west-2")

	if out := srv.xregion(t, "admin", "fault", "region", "us-east-1", "--outage", "api"); !strings.Contains(out, "outage api (unavailable)") {
		t.Errorf("xregion admin fault region printed:\n%s", out)
	}
	_, stderr, ok := srv.awsOnce(t, "us-east-1", "secretsmanager", "get-secret-value", "--secret-id", "app/db")
	if ok || !strings.Contains(stderr, "ServiceUnavailable") {
		t.Errorf("get-secret-value in us-east-1 during its outage: ok=%v\n%s", ok, stderr)
	}
	var promoted struct{ ARN string }
	srv.awsJSON(t, "us-west-2", &promoted, "secretsmanager", "stop-replication-to-replica", "--secret-id", "app/db")
	if !strings.Contains(promoted.ARN, ":us-west-2:") {
		t.Errorf("promoted ARN = %q", promoted.ARN)
	}
	var value cliSecretValue
	srv.awsJSON(t, "us-west-2", &value, "secretsmanager", "get-secret-value", "--secret-id", "app/db")
	if value.SecretString != "s3cr3t" {
		t.Errorf("the promoted secret's value = %q", value.SecretString)
	}
	// The promoted secret takes writes in us-west-2 while us-east-1 is down.
	srv.awsIn(t, "us-west-2", "secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", "r0tated")

	srv.xregion(t, "fault", "region", "us-east-1", "--outage", "api", "--mode", "reset")
	_, stderr, ok = srv.awsOnce(t, "us-east-1", "sts", "get-caller-identity")
	if ok || !strings.Contains(strings.ToLower(stderr), "connection") {
		t.Errorf("get-caller-identity in us-east-1 with reset connections: ok=%v\n%s", ok, stderr)
	}
	if out := srv.xregion(t, "fault", "clear", "--region", "us-east-1"); !strings.Contains(out, "no faults in force") {
		t.Errorf("xregion fault clear printed:\n%s", out)
	}
	srv.awsIn(t, "us-east-1", "sts", "get-caller-identity")
}

// TestRegionOutageDrillBoto3 runs the same outage under boto3: botocore's own error for
// a 503, the other Region serving, and throttling that botocore recognises as such.
func TestRegionOutageDrillBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.admin(t, "POST", "faults", `{"region":"us-east-1","outage":"api"}`, nil)
	srv.admin(t, "POST", "faults", `{"region":"eu-west-3","service":"kms","throttleRate":1}`, nil)
	out := srv.python(t, "us-west-2", `
import boto3, botocore.config, botocore.exceptions
once = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
def code(region, service, call):
    try:
        getattr(boto3.client(service, region_name=region, config=once), call)()
        return "ok"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] + "/" + str(e.response["ResponseMetadata"]["HTTPStatusCode"])
print(code("us-east-1", "secretsmanager", "list_secrets"))
print(code("us-east-1", "sts", "get_caller_identity"))
print(code("us-west-2", "secretsmanager", "list_secrets"))
print(code("eu-west-3", "kms", "list_keys"))
print(code("eu-west-3", "secretsmanager", "list_secrets"))
`)
	want := "ServiceUnavailable/503\nServiceUnavailable/503\nok\nThrottlingException/400\nok\n"
	if out != want {
		t.Errorf("boto3 during the drill printed\n%s\nwant\n%s", out, want)
	}
}

// TestCloudTrailLookupCLI: the proof of the issue — lookup-events finds the
// ReplicateSecretToRegions call with the caller's identity and no secret value.
func TestCloudTrailLookupCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.aws(t, "secretsmanager", "create-secret", "--name", "app/api-key", "--secret-string", "pl41ntext-value")
	srv.aws(t, "secretsmanager", "replicate-secret-to-regions", "--secret-id", "app/api-key", "--add-replica-regions", "Region=eu-west-3")
	srv.aws(t, "secretsmanager", "get-secret-value", "--secret-id", "app/api-key")

	var found struct {
		Events []struct {
			EventName, ReadOnly, AccessKeyId, Username, EventSource, CloudTrailEvent string
			Resources                                                                []struct{ ResourceType, ResourceName string }
		}
	}
	srv.awsJSON(t, "us-east-1", &found, "cloudtrail", "lookup-events",
		"--lookup-attributes", "AttributeKey=EventName,AttributeValue=ReplicateSecretToRegions")
	if len(found.Events) != 1 {
		t.Fatalf("lookup-events found %d events, want 1: %+v", len(found.Events), found)
	}
	ev := found.Events[0]
	if ev.ReadOnly != "false" || ev.AccessKeyId != "AKIAIOSFODNN7EXAMPLE" || ev.EventSource != "secretsmanager.amazonaws.com" ||
		len(ev.Resources) != 1 || ev.Resources[0].ResourceName != "app/api-key" {
		t.Errorf("event = %+v", ev)
	}
	var doc struct {
		UserIdentity      struct{ Type, ARN, AccountID string } `json:"userIdentity"`
		RequestParameters struct {
			SecretID          string `json:"secretId"`
			AddReplicaRegions []struct{ Region string }
		} `json:"requestParameters"`
		UserAgent string `json:"userAgent"`
	}
	if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.UserIdentity.ARN != "arn:aws:iam::123456789012:root" || doc.UserIdentity.AccountID != "123456789012" ||
		doc.RequestParameters.SecretID != "app/api-key" || len(doc.RequestParameters.AddReplicaRegions) != 1 ||
		!strings.Contains(doc.UserAgent, "aws-cli") {
		t.Errorf("CloudTrailEvent = %s", ev.CloudTrailEvent)
	}
	all := srv.aws(t, "cloudtrail", "lookup-events")
	if strings.Contains(all, "pl41ntext-value") {
		t.Errorf("the event history holds the secret's value:\n%s", all)
	}
	// The call shows in us-east-1's history only.
	var west struct{ Events []any }
	srv.awsJSON(t, "eu-west-3", &west, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=ReplicateSecretToRegions")
	if len(west.Events) != 0 {
		t.Errorf("eu-west-3 lists us-east-1's call: %v", west.Events)
	}
	// eu-west-3 has the service's own event of the replication.
	var replicated struct {
		Events []struct{ EventName, CloudTrailEvent string }
	}
	srv.awsJSON(t, "eu-west-3", &replicated, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=ReplicationSucceeded")
	if len(replicated.Events) != 1 || !strings.Contains(replicated.Events[0].CloudTrailEvent, `"type":"AWSService"`) {
		t.Errorf("eu-west-3's replication events = %+v", replicated.Events)
	}
}

// TestCloudTrailAndMetricsBoto3 pages lookup_events with boto3's paginator, then scrapes
// the metrics with the admin command: request counts and the replication's lag.
func TestCloudTrailAndMetricsBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-west-2", `
import boto3, time
sm = boto3.client("secretsmanager")
sm.create_secret(Name="db", SecretString="pw", AddReplicaRegions=[{"Region": "us-east-1"}])
for i in range(4):
    sm.put_secret_value(SecretId="db", SecretString="pw%d" % i)
ct = boto3.client("cloudtrail")
pages = ct.get_paginator("lookup_events").paginate(
    LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "db"}], PaginationConfig={"PageSize": 2})
names = [e["EventName"] for p in pages for e in p["Events"]]
print(len(names), names.count("PutSecretValue"), names[-1])
`)
	if out != "5 4 CreateSecret\n" {
		t.Errorf("boto3 paged the event history as %q, want 5 events, 4 PutSecretValue, CreateSecret last", out)
	}
	metrics := srv.xregion(t, "admin", "metrics")
	if !strings.Contains(metrics, `xregion_requests_total{code="",operation="PutSecretValue",region="us-west-2",service="secretsmanager",status="200"} 4`) {
		t.Errorf("metrics lack the four PutSecretValue calls:\n%s", metrics)
	}
	if !strings.Contains(metrics, `xregion_job_lag_seconds_count{kind="secretsmanager.sync"}`) {
		t.Errorf("metrics lack the replication lag:\n%s", metrics)
	}
}

// TestGameDayFromREADME runs the README's game day as written, with this build as the
// xregion command: the walkthrough is documentation that must stay true.
func TestGameDayFromREADME(t *testing.T) {
	t.Parallel()
	need(t, "aws CLI", haveCommand("aws"))
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Game day: a Region goes down")
	_, block, ok2 := strings.Cut(section, "```sh\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no game day section with a sh block")
	}
	srv := startServer(t)
	script := "xregion() { \"$XREGION_BINARY\" \"$@\"; }\n" + strings.ReplaceAll(block, "export AWS_ENDPOINT_URL=http://127.0.0.1:4566", "")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	env := append(srv.clientEnv(t, "us-east-1"), "XREGION_BINARY="+binary, "XREGION_ENDPOINT="+srv.URL)
	stdout, stderr, err := run(ctx, env, "", "bash", "-c", script)
	if err != nil {
		t.Fatalf("the game day failed: %v\n%s\n%s", err, stdout, stderr)
	}
	for _, want := range []string{
		"outage api (unavailable)", "ServiceUnavailable", `"N": "42.5"`, `{\"password\":\"EXAMPLE\"}`, "arn:aws:rds:us-west-2:123456789012:db:appdb-from-copy",
		"StopReplicationToReplica", `xregion_faults_active{effect="outage",region="us-east-1",service="*"} 1`, "no faults in force",
		// The Aurora global database failed over to us-west-2, and us-east-1 rejoined as its secondary.
		"arn:aws:rds:us-west-2:123456789012:cluster:orders-west\tTrue", "arn:aws:rds:us-east-1:123456789012:cluster:orders-east\tFalse\tconnected",
	} {
		if !strings.Contains(stdout+stderr, want) {
			t.Errorf("the game day's output lacks %q:\n%s\n%s", want, stdout, stderr)
		}
	}
	// DynamoDB's item calls are data events: the trail holds none, nor an item's value.
	if trail := srv.aws(t, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventSource,AttributeValue=dynamodb.amazonaws.com"); strings.Contains(trail, "PutItem") || strings.Contains(trail, "42.50") || !strings.Contains(trail, "CreateTable") {
		t.Errorf("DynamoDB's events in the trail:\n%s", trail)
	}
}
