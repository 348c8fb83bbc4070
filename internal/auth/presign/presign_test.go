package presign

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

func newResolver(t *testing.T, mode string, static ...auth.Identity) (*auth.Resolver, store.Store) {
	t.Helper()
	st := memory.New()
	r, err := auth.NewResolver(auth.Config{Mode: mode, DefaultAccount: "123456789012", Static: static, Sealer: seal.Ephemeral(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return r, st
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// presign signs a GET of query for RDS in region, as the SDKs build a PreSignedUrl.
func presign(t *testing.T, key, secret, region, query string, at time.Time) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://rds."+region+".amazonaws.com/?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, emptySHA256, "rds", region, at)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var copyCall = Call{
	Service: "rds", Region: "us-east-1", Action: "CopyDBSnapshot",
	Params:    map[string]string{"SourceDBSnapshotIdentifier": "snap"},
	IfPresent: map[string]string{"DestinationRegion": "eu-west-3"},
}

func verifyIn(t *testing.T, r *auth.Resolver, st store.Store, raw string, want Call, at time.Time) error {
	t.Helper()
	var got error
	err := st.View(func(tx store.Tx) error {
		got = Verify(r, tx, raw, want, at)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestVerifyPresignedURLStrict(t *testing.T) {
	r, st := newResolver(t, auth.Strict, auth.Identity{AccessKeyID: "AKIAPRESIGN", SecretKey: "presign-secret"})
	signedAt := time.Now()
	good := presign(t, "AKIAPRESIGN", "presign-secret", "us-east-1",
		"Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=snap&DestinationRegion=eu-west-3", signedAt)
	if err := verifyIn(t, r, st, good, copyCall, signedAt); err != nil {
		t.Fatalf("a URL signed for the call: %v", err)
	}
	// The SDK for JavaScript writes the local endpoint's port, which it did not sign.
	withPort := strings.Replace(good, "rds.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com:4566", 1)
	if err := verifyIn(t, r, st, withPort, copyCall, signedAt); err != nil {
		t.Errorf("port added after signing: %v", err)
	}

	bad := map[string]string{
		"wrong secret": presign(t, "AKIAPRESIGN", "other-secret", "us-east-1",
			"Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=snap", signedAt),
		"unknown key": presign(t, "AKIAUNKNOWN", "presign-secret", "us-east-1",
			"Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=snap", signedAt),
		"other action": presign(t, "AKIAPRESIGN", "presign-secret", "us-east-1",
			"Action=DeleteDBSnapshot&SourceDBSnapshotIdentifier=snap", signedAt),
		"other source": presign(t, "AKIAPRESIGN", "presign-secret", "us-east-1",
			"Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=other", signedAt),
		"other Region": presign(t, "AKIAPRESIGN", "presign-secret", "us-west-2",
			"Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=snap", signedAt),
		"other destination": presign(t, "AKIAPRESIGN", "presign-secret", "us-east-1",
			"Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=snap&DestinationRegion=us-west-1", signedAt),
		"tampered":   strings.Replace(good, "SourceDBSnapshotIdentifier=snap", "SourceDBSnapshotIdentifier=snap&Extra=1", 1),
		"not a URL":  "::not a url",
		"not signed": "https://rds.us-east-1.amazonaws.com/?Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=snap",
		"no key":     strings.Replace(good, "X-Amz-Credential=AKIAPRESIGN", "X-Amz-Credential=", 1),
	}
	for name, raw := range bad {
		if err := verifyIn(t, r, st, raw, copyCall, signedAt); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want ErrRefused", name, err)
		}
	}
	if err := verifyIn(t, r, st, good, copyCall, signedAt.Add(2*time.Hour)); !errors.Is(err, ErrRefused) {
		t.Errorf("expired URL: %v, want ErrRefused", err)
	}
}

func TestVerifyPresignedURLPermissiveChecksTheCallOnly(t *testing.T) {
	r, st := newResolver(t, auth.Permissive)
	raw := presign(t, "AKIAANY", "any-secret", "us-east-1", "Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=snap", time.Now())
	if err := verifyIn(t, r, st, raw, copyCall, time.Now()); err != nil {
		t.Errorf("permissive mode checked the signature: %v", err)
	}
	other := presign(t, "AKIAANY", "any-secret", "us-east-1", "Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=other", time.Now())
	if err := verifyIn(t, r, st, other, copyCall, time.Now()); !errors.Is(err, ErrRefused) {
		t.Errorf("permissive mode accepted a URL for another snapshot: %v", err)
	}
	var none *auth.Resolver
	if err := verifyIn(t, none, st, other, copyCall, time.Now()); !errors.Is(err, ErrRefused) {
		t.Errorf("a nil resolver accepted a URL for another snapshot: %v", err)
	}
}
