package iam_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
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

func pkcs1(t *testing.T, pkcs8PEM string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(pkcs8PEM))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
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
	block, _ := pem.Decode([]byte(keyPEM))
	der := block.Bytes
	needles := [][]byte{der[len(der)-64:], []byte(base64.StdEncoding.EncodeToString(der)[200:264])}
	controls := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// The metadata is not secret: finding it shows the search would find the key.
		if bytes.Contains(b, []byte("https://idp.example.com")) {
			controls++
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s holds the private key in plain text", path)
			}
		}
		return nil
	})
	if err != nil || controls == 0 {
		t.Fatalf("walk: %v; files holding the metadata: %d", err, controls)
	}
}
