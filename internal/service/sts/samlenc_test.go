package sts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// AssumeRoleWithSAML decrypts an EncryptedAssertion with the provider's private keys and
// checks the assertion inside as it checks a plain one; a provider that requires
// encryption refuses a plain assertion.
func TestAssumeRoleWithEncryptedSAML(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth("AKIDADMIN:admin-secret:123456789012"))
	ctx := context.Background()
	admin := inst.ConfigAs("us-east-1", "AKIDADMIN", "admin-secret")
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	provider, role := samlSetup(t, admin, idp, samlTrust)
	key, keyPEM := xtest.NewSAMLDecryptionKey(t)
	stranger, _ := xtest.NewSAMLDecryptionKey(t)
	iamc := iam.NewFromConfig(admin)
	claims := xtest.SAMLClaims{Subject: "alice", Roles: []string{role + "," + provider}, SessionName: "alice"}
	client := sts.NewFromConfig(inst.Config("us-east-1"))
	assume := func(assertion string) error {
		_, err := client.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: &role, PrincipalArn: &provider, SAMLAssertion: &assertion})
		return err
	}
	encrypted := idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey, Content: "aes128-cbc"})
	if err := assume(encrypted); code(err) != "InvalidIdentityToken" {
		t.Errorf("encrypted, the provider has no private key: %v", err)
	}

	xtest.Must[*iam.UpdateSAMLProviderOutput](t)(iamc.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: &provider, AddPrivateKey: &keyPEM}))
	if err := assume(encrypted); err != nil {
		t.Errorf("encrypted for the provider's key: %v", err)
	}
	if err := assume(idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey, SignResponse: true, Transport: "rsa-oaep"})); err != nil {
		t.Errorf("encrypted, the Response signed: %v", err)
	}
	if err := assume(idp.Response(t, claims)); err != nil {
		t.Errorf("plain, encryption Allowed: %v", err)
	}
	xtest.Must[*iam.UpdateSAMLProviderOutput](t)(iamc.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: &provider,
		AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired}))
	for name, c := range map[string]struct{ assertion, text string }{
		"plain, encryption Required":     {idp.Response(t, claims), "requires encrypted assertions"},
		"encrypted for another key":      {idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &stranger.PublicKey}), "Unable to decrypt"},
		"RSA PKCS#1 v1.5 key transport":  {idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey, Transport: "rsa-1_5"}), "Unable to decrypt"},
		"signed by another IdP":          {xtest.NewSAMLIdP(t, "https://idp.example.com").EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey}), "signature"},
		"decrypts, but for another role": {idp.EncryptedResponse(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{"arn:aws:iam::123456789012:role/other," + provider}, SessionName: "alice"}, xtest.SAMLEncryption{Key: &key.PublicKey}), "Not authorized"},
	} {
		err := assume(c.assertion)
		if err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %q", name, err, c.text)
		}
	}
	if err := assume(idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey})); err != nil {
		t.Errorf("encrypted, encryption Required: %v", err)
	}
}
