package secretsmanager_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestNoPlaintextAtRest: values written every way (create, put, update, binary, replicas,
// rotation) appear in no file of the data directory, in plain text or base64.
func TestNoPlaintextAtRest(t *testing.T) {
	dir := t.TempDir()
	inst := servertest.Start(t, servertest.WithDataDir(dir))
	c := smClient(inst, "us-east-1")
	const control = "description-in-clear-3e5b"
	markers := []string{
		"created-plaintext-7c1e9a44",
		"put-plaintext-2b8d06f1",
		"updated-plaintext-95aa31c7",
		"binary-plaintext-d4e0b2f8",
		`{"username":"admin","password":"json-plaintext-61f3c0de"}`,
	}
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("a"), SecretString: aws.String(markers[0]), Description: aws.String(control), AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-3")}},
	}))
	put(t, c, "a", token("p"), markers[1])
	xtest.Must[*secretsmanager.UpdateSecretOutput](t)(c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("a"), SecretString: aws.String(markers[2])}))
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("b"), SecretBinary: []byte(markers[3])}))
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("j"), SecretString: aws.String(markers[4])}))
	xtest.Must[*secretsmanager.RotateSecretOutput](t)(c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("j"), RotationLambdaARN: aws.String(lambdaARN)}))
	inst.WaitIdle()
	waitStatus(t, c, "a", "InSync", "eu-west-3")
	rotated := aws.ToString(getValue(t, c, "j").SecretString)
	getValue(t, smClient(inst, "eu-west-3"), "a")

	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := inst.Server.Shutdown(stopCtx); err != nil {
		t.Fatal(err)
	}
	var secrets [][]byte
	for _, m := range append(markers, rotated, "json-plaintext-61f3c0de") {
		secrets = append(secrets, []byte(m))
	}
	// The description is not secret: it is stored as it is.
	xtest.WantNotAtRest(t, dir, []byte(control), secrets...)
}
