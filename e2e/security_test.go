package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/xtest"
)

// The holes issue #11's probe found, each reproduced with the client it was found with.

const (
	accountA = "111111111111" // the intruder's account
	accountB = "222222222222" // the account whose roles are at stake
	keyA     = "AKIAACCOUNTAEXAMPLE"
	secretA  = "account-a-secret-key"
)

// strictServer runs xregion in strict mode with a key for each account (the harness's
// default key is account B's), given in a credentials file as a careful operator would,
// and with the OIDC key files in oidcDir.
func strictServer(t *testing.T, oidcDir string) *server {
	t.Helper()
	creds := filepath.Join(t.TempDir(), "credentials")
	writeFile(t, creds, fmt.Sprintf(`[b]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
aws_account_id = %s
[a]
aws_access_key_id = %s
aws_secret_access_key = %s
aws_account_id = %s
`, accountB, keyA, secretA, accountA))
	return startServer(t, "--auth", "strict", "--credentials-file", creds, "--oidc-jwks", oidcDir)
}

// TestBoto3WebIdentityAndTrustInStrictMode: an unsigned JWT and a cross-account
// AssumeRole, the probe's two reproductions, are refused; a token the test signs with its
// issuer's key, for a repository the role trusts, gets credentials in the role's account.
func TestBoto3WebIdentityAndTrustInStrictMode(t *testing.T) {
	t.Parallel()
	issuer := xtest.NewIssuer(t, "https://token.actions.githubusercontent.com", "RS256")
	dir := t.TempDir()
	issuer.WriteJWKS(t, dir)
	srv := strictServer(t, dir)
	good := issuer.Token(t, map[string]any{"sub": "repo:octo/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"})
	otherRepo := issuer.Token(t, map[string]any{"sub": "repo:evil/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"})
	unsigned := xtest.UnsignedToken(map[string]any{"iss": issuer.URL, "sub": "repo:octo/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"})

	out := srv.python(t, "us-east-1", fmt.Sprintf(`
import json, boto3, botocore
iam = boto3.client("iam")  # account B's key
provider = iam.create_open_id_connect_provider(Url=%q, ClientIDList=["sts.amazonaws.com"])["OpenIDConnectProviderArn"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                  "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo/app:*"}}}]}
role = iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
own = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": %q}, "Action": "sts:AssumeRole"}]}
private = iam.create_role(RoleName="private", AssumeRolePolicyDocument=json.dumps(own))["Role"]["Arn"]

sts = boto3.client("sts")
def refused(code, **kwargs):
    try:
        sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha", **kwargs)
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, e.response
        return
    raise AssertionError("accepted: %%s" %% kwargs)
refused("InvalidIdentityToken", WebIdentityToken=%q)
refused("AccessDenied", WebIdentityToken=%q)

creds = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha", WebIdentityToken=%q)["Credentials"]
session = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"])
print("web identity acts in", session.get_caller_identity()["Account"])

intruder = boto3.client("sts", aws_access_key_id=%q, aws_secret_access_key=%q)
try:
    intruder.assume_role(RoleArn=private, RoleSessionName="intruder")
    raise AssertionError("account A assumed account B's role")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "AccessDenied", e.response
    print("cross-account:", e.response["Error"]["Message"])
`, issuer.URL, accountB, unsigned, otherRepo, good, keyA, secretA))
	if !strings.Contains(out, "web identity acts in "+accountB) ||
		!strings.Contains(out, "cross-account: User: arn:aws:iam::"+accountA+":root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+accountB+":role/private") {
		t.Errorf("boto3 printed:\n%s", out)
	}

	// The AWS CLI's assume-role-with-web-identity, with the same token.
	var cli struct {
		AssumedRoleUser struct{ Arn string }
		Audience        string
	}
	srv.awsJSON(t, "us-east-1", &cli, "sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::"+accountB+":role/deploy",
		"--role-session-name", "cli", "--web-identity-token", good)
	if cli.AssumedRoleUser.Arn != "arn:aws:sts::"+accountB+":assumed-role/deploy/cli" || cli.Audience != "sts.amazonaws.com" {
		t.Errorf("CLI: %+v", cli)
	}
	stderr := srv.awsFail(t, "us-east-1", "sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::"+accountB+":role/deploy",
		"--role-session-name", "cli", "--web-identity-token", unsigned)
	if !strings.Contains(stderr, "InvalidIdentityToken") {
		t.Errorf("CLI with an unsigned token: %s", stderr)
	}
}

// TestCrossOriginRequestsRefused: a page of another origin POSTs text/plain to
// /_xregion/reset, and an image of another site points at a presigned URL; neither runs.
func TestCrossOriginRequestsRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.admin(t, "POST", "faults", `{"region":"eu-west-3","unreachable":true}`, nil)
	for _, c := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-origin text/plain", map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}, 403},
		{"a form from another site", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, 403},
		{"text/plain without an origin", map[string]string{"Content-Type": "text/plain"}, 415},
		{"a rebinding page's Host", map[string]string{"Host": "evil.example:4566", "Content-Type": "application/json"}, 403},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/_xregion/reset", strings.NewReader("{}"))
		for k, v := range c.header {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.want)
		}
	}
	var faults struct{ Faults []any }
	srv.admin(t, "GET", "faults", "", &faults)
	if len(faults.Faults) != 1 {
		t.Errorf("a refused reset wiped state: %v", faults.Faults)
	}

	// A presigned DeleteRole with made-up parameters, loaded by an image of another site.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?Action=DeleteRole&RoleName=anything&Version=2010-05-08"+
		"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDX%2F20200101%2Fus-east-1%2Fiam%2Faws4_request"+
		"&X-Amz-Date=20200101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00", nil)
	for _, site := range []string{"cross-site", ""} {
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 4 {
			t.Errorf("made-up presigned DeleteRole (Sec-Fetch-Site %q): %d", site, resp.StatusCode)
		}
	}
}

// refusal runs the binary on dataDir and returns what it printed, failing the test unless
// it exits non-zero with one line on standard error.
func refusal(t *testing.T, dataDir string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--listen", freePort(t), "--data-dir", dataDir, "--log-level", "warn")
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("xregion started (or failed otherwise: %v); stderr:\n%s", err, stderr.String())
	}
	if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 {
		t.Errorf("the refusal is %d lines, want one:\n%s", len(lines), stderr.String())
	}
	return stderr.String()
}

// TestStoreRefusesToStartOnLostData: a replaced root key, a missing one, a 0-byte store
// and a truncated store each stop xregion with one line, and the data is intact for when
// the cause is put right.
func TestStoreRefusesToStartOnLostData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startDurableServer(t, dir)
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("kept"), SecretString: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	srv.stop(t)
	keyPath, dbPath := filepath.Join(dir, "root.key"), filepath.Join(dir, "xregion.db")
	original, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}

	writeFile(t, keyPath, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
	if out := refusal(t, dir); !strings.Contains(out, "is not the one the store") {
		t.Errorf("replaced root key: %s", out)
	}
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	if out := refusal(t, dir); !strings.Contains(out, "is missing") {
		t.Errorf("missing root key: %s", out)
	}
	if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a new root key was made beside the store: %v", err)
	}
	writeFile(t, keyPath, string(original))

	writeFile(t, dbPath, "")
	if out := refusal(t, dir); !strings.Contains(out, "empty") {
		t.Errorf("0-byte store: %s", out)
	}
	writeFile(t, dbPath, string(db[:3*os.Getpagesize()]))
	if out := refusal(t, dir); !strings.Contains(out, "truncated") && !strings.Contains(out, "damaged") {
		t.Errorf("truncated store: %s", out)
	}

	writeFile(t, dbPath, string(db))
	srv.start(t)
	got, err := secretsmanager.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1")).GetSecretValue(context.Background(),
		&secretsmanager.GetSecretValueInput{SecretId: aws.String("kept")})
	if err != nil || *got.SecretString != "v1" {
		t.Errorf("after putting things right: %v %v", got, err)
	}
}

// TestStalledBodyAndGracefulShutdown: a client that sends half a body and goes silent
// holds neither its connection nor the shutdown; SIGTERM exits 0.
func TestStalledBodyAndGracefulShutdown(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{\"half\":")); err != nil {
		t.Fatal(err)
	}
	// The request is in the server's hands once the body has begun; a second request on
	// another connection proves the server is not held up meanwhile.
	resp, err := http.Get(srv.URL + "/_xregion/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	started := time.Now()
	srv.stop(t) // fails the test unless the exit status is 0
	if took := time.Since(started); took > 15*time.Second {
		t.Errorf("shutdown with a stalled body took %v", took)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if answer, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
		answer.Body.Close()
		if answer.StatusCode != 400 {
			t.Errorf("the stalled request was answered %d", answer.StatusCode)
		}
	}
}

// TestListSecretsPast2262: secrets created on either side of 2262-04-11, where UnixNano
// overflows, list in creation order both ways; a time the clock cannot represent is
// refused with a reason.
func TestListSecretsPast2262(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.aws(t, "secretsmanager", "create-secret", "--name", "first", "--secret-string", "1")
	srv.admin(t, "POST", "clock", `{"to":"2262-04-10T00:00:00Z"}`, nil)
	srv.aws(t, "secretsmanager", "create-secret", "--name", "second", "--secret-string", "2")
	srv.admin(t, "POST", "clock", `{"to":"2262-04-12T00:00:00Z"}`, nil)
	srv.aws(t, "secretsmanager", "create-secret", "--name", "third", "--secret-string", "3")
	for order, want := range map[string]string{"asc": "first,second,third", "desc": "third,second,first"} {
		var out struct{ SecretList []struct{ Name string } }
		srv.awsJSON(t, "us-east-1", &out, "secretsmanager", "list-secrets", "--sort-order", order)
		var names []string
		for _, s := range out.SecretList {
			names = append(names, s.Name)
		}
		if got := strings.Join(names, ","); got != want {
			t.Errorf("list-secrets --sort-order %s: %s, want %s", order, got, want)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/_xregion/clock", strings.NewReader(`{"to":"2400-01-01T00:00:00Z"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "292 years") {
		t.Errorf("clock to 2400: %d %s", resp.StatusCode, body)
	}
}

// TestDiskFull: with no room left for the store (a file size limit, as a full disk),
// writes answer a retryable 503 while reads go on, health says so, and the log says so
// once however many writes fail.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	need(t, "prlimit", haveCommand("prlimit"))
	dir := t.TempDir()
	srv := startDurableServer(t, dir)
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("before"), SecretString: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	srv.stop(t)
	info, err := os.Stat(filepath.Join(dir, "xregion.db"))
	if err != nil {
		t.Fatal(err)
	}
	// The file may not grow past its size: bbolt grows it ahead of need, so the writes
	// below fill the room it has, and then fail.
	srv.wrap = []string{"prlimit", fmt.Sprintf("--fsize=%d", info.Size()), "--"}
	srv.start(t)
	sm = secretsmanager.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	value := strings.Repeat("x", 60000)
	failures := 0
	for i := 0; i < 2000 && failures < 20; i++ {
		_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(fmt.Sprintf("fill-%d", i)), SecretString: &value})
		if err == nil {
			continue
		}
		if !strings.Contains(err.Error(), "ServiceUnavailable") || !strings.Contains(err.Error(), "StatusCode: 503") {
			t.Fatalf("write %d on a full disk: %v", i, err)
		}
		failures++
	}
	if failures == 0 {
		t.Fatal("the disk never filled up")
	}
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("before")})
	if err != nil || *got.SecretString != "kept" {
		t.Errorf("a read on a full disk: %v %v", got, err)
	}
	resp, err := http.Get(srv.URL + "/_xregion/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), `"degraded"`) || !strings.Contains(string(body), "space") {
		t.Errorf("health on a full disk: %d %s", resp.StatusCode, body)
	}
	srv.stop(t) // the log is complete, and no longer being written, once the process is gone
	if n := strings.Count(srv.log.String(), "the store cannot write"); n != 1 {
		t.Errorf("%d log lines for %d failed writes, want 1:\n%s", n, failures, srv.log.String())
	}
}

// TestOIDCProviderWithTerraform: Terraform's aws_iam_openid_connect_provider and a role
// that trusts it read back as written, and go away.
func TestOIDCProviderWithTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1")+`
resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com", "other-client"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
  tags            = { team = "ci" }
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:octo/app:*" } }
    }]
  })
}

output "provider_arn" { value = aws_iam_openid_connect_provider.github.arn }
`)
	tf.apply()
	tf.planNoChanges()
	if got := tf.output("provider_arn"); got != "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" {
		t.Errorf("provider ARN %s", got)
	}
	tf.destroy()
	var list struct{ OpenIDConnectProviderList []any }
	srv.awsJSON(t, "us-east-1", &list, "iam", "list-open-id-connect-providers")
	if len(list.OpenIDConnectProviderList) != 0 {
		t.Errorf("providers after destroy: %v", list.OpenIDConnectProviderList)
	}
}
