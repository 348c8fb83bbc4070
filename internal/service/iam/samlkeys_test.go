package iam_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// A SAML provider's private keys for encrypted assertions: at most two, shown by id and
// upload time only, each removable by id; AssertionEncryptionMode Required needs one.
func TestSAMLProviderPrivateKeys(t *testing.T) {
	_, c := newIAM(t)
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	_, first := xtest.NewSAMLDecryptionKey(t)
	_, second := xtest.NewSAMLDecryptionKey(t)
	_, third := xtest.NewSAMLDecryptionKey(t)
	md := aws.String(idp.Metadata())

	_, err := c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: md, AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired})
	wantError(t, err, "InvalidInput", 400, "AssertionEncryptionMode Required needs a private key")
	_, err = c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: md, AddPrivateKey: aws.String(strings.Repeat("not a key ", 10))})
	wantError(t, err, "InvalidInput", 400, "not a PEM-encoded RSA private key")
	if _, err := c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + xtest.Account + ":saml-provider/corp")}); err == nil {
		t.Fatal("a refused CreateSAMLProvider left its provider")
	}

	out := xtest.Must[*iamsdk.CreateSAMLProviderOutput](t)(c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("corp"),
		SAMLMetadataDocument: md, AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired, AddPrivateKey: aws.String(first)}))
	arn := out.SAMLProviderArn
	get := func() *iamsdk.GetSAMLProviderOutput {
		t.Helper()
		return xtest.Must[*iamsdk.GetSAMLProviderOutput](t)(c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: arn}))
	}
	got := get()
	if string(got.AssertionEncryptionMode) != "Required" || len(got.PrivateKeyList) != 1 || len(aws.ToString(got.PrivateKeyList[0].KeyId)) < 22 || got.PrivateKeyList[0].Timestamp == nil {
		t.Fatalf("get: mode %q, keys %+v", got.AssertionEncryptionMode, got.PrivateKeyList)
	}
	firstID := aws.ToString(got.PrivateKeyList[0].KeyId)

	update := func(in iamsdk.UpdateSAMLProviderInput) error {
		in.SAMLProviderArn = arn
		_, err := c.UpdateSAMLProvider(ctx, &in)
		return err
	}
	// A PKCS #1 key is taken as well as a PKCS #8 one.
	mustOK(t, update(iamsdk.UpdateSAMLProviderInput{AddPrivateKey: aws.String(pkcs1(t, second))}))
	wantError(t, update(iamsdk.UpdateSAMLProviderInput{AddPrivateKey: aws.String(third)}), "LimitExceeded", 409, "at most 2 private keys")
	wantError(t, update(iamsdk.UpdateSAMLProviderInput{RemovePrivateKey: aws.String("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}), "InvalidInput", 400, "no private key with id ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	wantError(t, update(iamsdk.UpdateSAMLProviderInput{}), "InvalidInput", 400, "At least one of")
	mustOK(t, update(iamsdk.UpdateSAMLProviderInput{RemovePrivateKey: aws.String(firstID)}))
	got = get()
	if len(got.PrivateKeyList) != 1 || aws.ToString(got.PrivateKeyList[0].KeyId) == firstID {
		t.Fatalf("after removing the first key: %+v", got.PrivateKeyList)
	}
	// The last key of a provider that requires encryption stays; Allowed lets it go.
	lastID := got.PrivateKeyList[0].KeyId
	wantError(t, update(iamsdk.UpdateSAMLProviderInput{RemovePrivateKey: lastID}), "InvalidInput", 400, "Required needs a private key")
	mustOK(t, update(iamsdk.UpdateSAMLProviderInput{RemovePrivateKey: lastID, AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeAllowed}))
	if got = get(); string(got.AssertionEncryptionMode) != "Allowed" || len(got.PrivateKeyList) != 0 {
		t.Errorf("after removing the last key: mode %q, keys %+v", got.AssertionEncryptionMode, got.PrivateKeyList)
	}
}

func pemBytes(t *testing.T, text string) []byte {
	t.Helper()
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		t.Fatal("not PEM")
	}
	return block.Bytes
}

func pkcs1(t *testing.T, pkcs8PEM string) string {
	t.Helper()
	key, err := x509.ParsePKCS8PrivateKey(pemBytes(t, pkcs8PEM))
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey))}))
}

// TestSAMLPrivateKeysNotInPlainText: a provider's private key is in no file of the data
// directory, in PEM, DER or base64.
func TestSAMLPrivateKeysNotInPlainText(t *testing.T) {
	dir := t.TempDir()
	inst := servertest.Start(t, servertest.WithDataDir(dir))
	c := iamsdk.NewFromConfig(inst.Config("us-east-1"))
	_, keyPEM := xtest.NewSAMLDecryptionKey(t)
	xtest.Must[*iamsdk.CreateSAMLProviderOutput](t)(c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("corp"),
		SAMLMetadataDocument: aws.String(xtest.NewSAMLIdP(t, "https://idp.example.com").Metadata()), AddPrivateKey: aws.String(keyPEM)}))
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := inst.Server.Shutdown(stopCtx); err != nil {
		t.Fatal(err)
	}
	der := pemBytes(t, keyPEM)
	// Pieces within one 48-byte line of the PEM: their base64 is part of its text.
	tail := (len(der)/48 - 1) * 48
	// The metadata is not secret: it is stored as it is.
	xtest.WantNotAtRest(t, dir, []byte("https://idp.example.com"), der[96:141], der[tail:tail+45])
}
