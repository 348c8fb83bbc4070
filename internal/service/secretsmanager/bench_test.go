package secretsmanager_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/server/servertest"
)

// BenchmarkGetSecretValueServer measures the server's share of a GetSecretValue: one
// signed request replayed into the HTTP handler (gateway, JSON codec, lookup, KMS
// decryption, encoding), without the client's work or the network. The target is 60 µs.
func BenchmarkGetSecretValueServer(b *testing.B) {
	inst := servertest.Start(b)
	c := smClient(inst, "us-east-1")
	create(b, c, "bench/secret", `{"username":"admin","password":"0123456789abcdef0123456789abcdef"}`)
	getValue(b, c, "bench/secret") // today's LastAccessedDate is recorded: reads stay read-only

	body := []byte(`{"SecretId":"bench/secret"}`)
	req, _ := http.NewRequest(http.MethodPost, inst.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	creds, _ := inst.Config("us-east-1").Credentials.Retrieve(ctx)
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	h := inst.Server.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := req.Clone(ctx)
		r.Body = nopCloser{bytes.NewReader(body)}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// BenchmarkGetSecretValueSDK is the same read through aws-sdk-go-v2 over loopback HTTP,
// client included.
func BenchmarkGetSecretValueSDK(b *testing.B) {
	inst := servertest.Start(b)
	c := smClient(inst, "us-east-1")
	create(b, c, "bench/secret", "value")
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String("bench/secret")}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.GetSecretValue(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
