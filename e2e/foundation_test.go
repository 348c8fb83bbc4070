package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xregion/xregion/internal/xtest"
)

func TestCLIGetCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	var id struct{ Account, Arn, UserId string }
	srv.awsJSON(t, "eu-west-3", &id, "sts", "get-caller-identity")
	if id.Account != "123456789012" || id.Arn != "arn:aws:iam::123456789012:root" {
		t.Errorf("get-caller-identity = %+v", id)
	}
	stderr := srv.awsFail(t, "mars-north-1", "sts", "get-caller-identity")
	if !strings.Contains(stderr, "InvalidRegion") || !strings.Contains(stderr, "mars-north-1") {
		t.Errorf("unknown Region: %s", stderr)
	}
}

func TestBoto3GetCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-west-2", `
import boto3
sts = boto3.client("sts", aws_access_key_id="210987654321", aws_secret_access_key="x")
print(sts.get_caller_identity()["Account"])
`)
	if strings.TrimSpace(out) != "210987654321" {
		t.Errorf("a 12-digit access key acts in that account; got %q", out)
	}
}

func TestStrictModeWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:111122223333")
	var id struct{ Account string }
	srv.awsJSON(t, "us-east-1", &id, "sts", "get-caller-identity")
	if id.Account != "111122223333" {
		t.Errorf("account = %s", id.Account)
	}
	cfg := xtest.Config(srv.URL, "us-east-1", "AKIAIOSFODNN7EXAMPLE", "wrong")
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %v", err)
	}
}

// A write the API acknowledged survives kill -9, and so do the moved clock and pending jobs.
func TestRestartAfterKill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startDurableServer(t, dir)
	ctx := context.Background()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	client := iam.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	for _, name := range []string{"before-crash-1", "before-crash-2"} {
		if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sts.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::123456789012:role/before-crash-1"), RoleSessionName: aws.String("session")}); err != nil {
		t.Fatal(err)
	}
	srv.admin(t, "POST", "clock", `{"advance":"10h"}`, nil)
	srv.kill(t)

	info, err := os.Stat(filepath.Join(dir, "root.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("root key: %v %v", info, err)
	}

	srv.start(t)
	client = iam.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	roles, err := client.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range roles.Roles {
		names = append(names, *r.RoleName)
	}
	if strings.Join(names, ",") != "before-crash-1,before-crash-2" {
		t.Errorf("roles after kill -9: %v", names)
	}
	var clock struct{ Offset string }
	srv.admin(t, "GET", "clock", "", &clock)
	if d, err := time.ParseDuration(clock.Offset); err != nil || d < 10*time.Hour-time.Minute {
		t.Errorf("clock offset after restart = %s", clock.Offset)
	}
	var jobs struct{ Pending []json.RawMessage }
	srv.admin(t, "GET", "jobs", "", &jobs)
	if len(jobs.Pending) != 1 {
		t.Errorf("pending jobs after restart: %d", len(jobs.Pending))
	}
	// A second server cannot open the same data directory while the first runs.
	second := &server{log: srv.log, args: srv.args}
	addr := freePort(t)
	if out, err := runBinary(t, append([]string{"--listen", addr}, second.args...)...); err == nil || !strings.Contains(out, "in use by another xregion process") {
		t.Errorf("second server on the same data directory: %v\n%s", err, out)
	}
}

// runBinary runs xregion to completion and returns what it printed.
func runBinary(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stdout, stderr, err := run(ctx, os.Environ(), "", binary, args...)
	return stdout + stderr, err
}

func TestHelpAndBadFlags(t *testing.T) {
	t.Parallel()
	out, err := runBinary(t, "--help")
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, flag := range []string{"--listen", "XREGION_LISTEN", "--data-dir", "--in-memory", "--store", "XREGION_STORE", "--account", "--auth", "--log-level", "--transition-delay", "XREGION_ROOT_KEY"} {
		if !strings.Contains(out, strings.TrimPrefix(flag, "-")) {
			t.Errorf("--help does not explain %s", flag)
		}
	}
	if out, err := runBinary(t, "--in-memory", "--auth", "sloppy"); err == nil || !strings.Contains(out, "unknown mode") {
		t.Errorf("--auth sloppy: %v %s", err, out)
	}
	if out, err := runBinary(t, "--in-memory", "--account", "12"); err == nil || !strings.Contains(out, "12-digit") {
		t.Errorf("--account 12: %v %s", err, out)
	}
}
