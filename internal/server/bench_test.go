package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/xregion/xregion/internal/server"
	"github.com/xregion/xregion/internal/xtest"
)

// BenchmarkGatewayUnknownOperation measures the gateway's own cost per request — parse,
// route, authenticate, decode, answer — with no service work, through the handler without
// a network in between.
func BenchmarkGatewayUnknownOperation(b *testing.B) {
	srv, err := server.New(server.Config{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	body := []byte(`{"KeyId":"alias/none"}`)
	req := httptest.NewRequest(http.MethodPost, "http://localhost/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "TrentService.DescribeKey")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "x"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kms", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 400 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkGetSecretValue is the hot path of the benchmark targets (≤ 60 µs of server CPU
// per request): gateway, codec, store read, KMS decrypt, answer, on each store. It calls
// the handler directly, so the figure leaves out only the HTTP server's own socket work.
func BenchmarkGetSecretValue(b *testing.B) {
	b.Run("store=memory", func(b *testing.B) { benchGetSecretValue(b, server.Config{InMemory: true}) })
	b.Run("store=durable", func(b *testing.B) { benchGetSecretValue(b, server.Config{DataDir: b.TempDir()}) })
}

func benchGetSecretValue(b *testing.B, cfg server.Config) {
	srv, err := server.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	h := srv.Handler()
	call := func(target string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "http://localhost/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "x"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := call("secretsmanager.CreateSecret", []byte(`{"Name":"bench","SecretString":"value-0000000000000000","ClientRequestToken":"00000000-0000-4000-8000-000000000000"}`)); w.Code != 200 {
		b.Fatalf("CreateSecret: %d %s", w.Code, w.Body)
	}
	body := []byte(`{"SecretId":"bench"}`)
	req := httptest.NewRequest(http.MethodPost, "http://localhost/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "x"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	// The CPU time per read, all goroutines together (the CloudTrail writer's and the
	// collector's work too), is what the server pays; on a busy machine the wall clock
	// per operation mostly counts waiting for a core.
	cpu := xtest.CPUTime()
	for b.Loop() {
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(xtest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
}
