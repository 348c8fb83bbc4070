package secretsmanager_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

var ctx = context.Background()

const account = xtest.Account

type env = servertest.Env[*secretsmanager.Client]

func start(t testing.TB, opts ...servertest.Option) *env {
	t.Helper()
	return servertest.StartEnv(t, secretsmanager.NewFromConfig, opts...)
}

func smClient(inst *servertest.Instance, region string) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(inst.Config(region))
}

func kmsIn(e *env, region string) *kms.Client { return kms.NewFromConfig(e.Config(region)) }

func create(t testing.TB, c *secretsmanager.Client, name, value string) *secretsmanager.CreateSecretOutput {
	t.Helper()
	return xtest.Must[*secretsmanager.CreateSecretOutput](t)(c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(value),
	}))
}

func getValue(t testing.TB, c *secretsmanager.Client, id string) *secretsmanager.GetSecretValueOutput {
	t.Helper()
	return xtest.Must[*secretsmanager.GetSecretValueOutput](t)(c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}))
}

func describe(t testing.TB, c *secretsmanager.Client, id string) *secretsmanager.DescribeSecretOutput {
	t.Helper()
	return xtest.Must[*secretsmanager.DescribeSecretOutput](t)(c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)}))
}

// token makes a ClientRequestToken (32 to 64 characters) from a short tag, so tests can
// reuse a token on purpose.
func token(tag string) string { return tag + strings.Repeat("0", 36-len(tag)) }

// status returns a primary's replication status per Region.
func status(t testing.TB, c *secretsmanager.Client, id string) map[string]types.ReplicationStatusType {
	t.Helper()
	out := map[string]types.ReplicationStatusType{}
	for _, r := range describe(t, c, id).ReplicationStatus {
		out[aws.ToString(r.Region)] = r
	}
	return out
}

// waitStatus polls until every listed Region has the wanted replication status.
func waitStatus(t testing.TB, c *secretsmanager.Client, id, want string, regions ...string) map[string]types.ReplicationStatusType {
	t.Helper()
	var got map[string]types.ReplicationStatusType
	xtest.CheckFor(t, 10*time.Second, func() error {
		got = status(t, c, id)
		for _, r := range regions {
			if s := string(got[r].Status); s != want {
				return errors.New(r + " is " + s + ", want " + want + ": " + aws.ToString(got[r].StatusMessage))
			}
		}
		return nil
	})
	return got
}

// rawCall signs and sends a JSON request without the SDK, which would fill in
// ClientRequestToken by itself, and returns the status and the decoded error type.
func rawCall(t testing.TB, inst *servertest.Instance, region, op string, body map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, inst.URL+"/", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	sum := sha256.Sum256(b)
	cfg := inst.Config(region)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

var (
	wantErr         = xtest.WantClientError
	wantErrContains = xtest.WantClientErrorContaining
)
