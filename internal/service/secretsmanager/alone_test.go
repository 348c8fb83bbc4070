package secretsmanager_test

import (
	"maps"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// aloneWith builds Secrets Manager by itself, with a fake key ring in place of KMS.
func aloneWith(t *testing.T, keys *kittest.KeyRing) *kittest.Harness {
	return kittest.Start(t, []string{"secretsmanager"}, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, keys)
	}))
}

// TestValuesGoThroughTheKeyRing: Secrets Manager encrypts each value through the key ring
// with AWS's encryption context, and answers a key the ring refuses with its own errors.
func TestValuesGoThroughTheKeyRing(t *testing.T) {
	keys := kittest.NewKeyRing()
	h := aloneWith(t, keys)
	keyARN := keys.AddKey(kittest.Account, "us-east-1")
	out := kittest.Must[*sm.CreateSecretResponse](t)(kittest.Call(h, "us-east-1", sm.OpCreateSecret, &sm.CreateSecretRequest{
		Name: new("db"), SecretString: new("s3cret"), KmsKeyId: new(keyARN), ClientRequestToken: new(token("v1")),
	}))
	want := map[string]string{"SecretARN": *out.ARN, "SecretVersionId": token("v1")}
	if got := keys.Contexts(); len(got) != 1 || !maps.Equal(got[0], want) {
		t.Errorf("encryption contexts = %v, want [%v]", got, want)
	}
	v := kittest.Must[*sm.GetSecretValueResponse](t)(kittest.Call(h, "us-east-1", sm.OpGetSecretValue, &sm.GetSecretValueRequest{SecretId: new("db")}))
	if *v.SecretString != "s3cret" {
		t.Errorf("GetSecretValue = %q", *v.SecretString)
	}

	keys.SetState(keyARN, "Disabled")
	_, err := kittest.Call(h, "us-east-1", sm.OpGetSecretValue, &sm.GetSecretValueRequest{SecretId: new("db")})
	if !awserr.Is(err, "DecryptionFailure") {
		t.Errorf("a disabled key: %v", err)
	}
	_, err = kittest.Call(h, "us-east-1", sm.OpPutSecretValue, &sm.PutSecretValueRequest{SecretId: new("db"), SecretString: new("v2"), ClientRequestToken: new(token("v2"))})
	if !awserr.Is(err, "EncryptionFailure") {
		t.Errorf("PutSecretValue under a disabled key: %v", err)
	}
	// Nothing was half-written: the secret still has its one version.
	ids := kittest.Must[*sm.ListSecretVersionIdsResponse](t)(kittest.Call(h, "us-east-1", sm.OpListSecretVersionIds, &sm.ListSecretVersionIdsRequest{SecretId: new("db")}))
	if len(ids.Versions) != 1 {
		t.Errorf("versions after a refused put: %d", len(ids.Versions))
	}
}

// TestDefaultKeyIsTheManagedOne: a secret created without KmsKeyId is encrypted under
// aws/secretsmanager, which the key ring makes on first use.
func TestDefaultKeyIsTheManagedOne(t *testing.T) {
	keys := kittest.NewKeyRing()
	h := aloneWith(t, keys)
	kittest.Must[*sm.CreateSecretResponse](t)(kittest.Call(h, "eu-west-3", sm.OpCreateSecret, &sm.CreateSecretRequest{
		Name: new("app"), SecretString: new("x"), ClientRequestToken: new(token("v1")),
	}))
	ids := kittest.Must[*sm.ListSecretVersionIdsResponse](t)(kittest.Call(h, "eu-west-3", sm.OpListSecretVersionIds, &sm.ListSecretVersionIdsRequest{SecretId: new("app")}))
	if len(ids.Versions) != 1 || ids.Versions[0].KmsKeyIds[0] != "DefaultEncryptionKey" {
		t.Errorf("versions = %+v", ids.Versions)
	}
}
