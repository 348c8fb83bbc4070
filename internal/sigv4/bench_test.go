package sigv4

import (
	"net/http"
	"strings"
	"testing"
)

// benchRequest is a KMS Encrypt call as the SDK for Go sends it: a JSON body, the
// x-amz-target and content-type headers, header-signed.
func benchRequest(b *testing.B) (*http.Request, []byte) {
	body := []byte(`{"KeyId":"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","Plaintext":"` +
		strings.Repeat("QUJD", 256) + `","EncryptionContext":{"app":"xregion"}}`)
	req := newRequest(b, "POST", "http://localhost:4566/", body)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.Encrypt")
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.47.7 os/linux lang/go#1.26 api/kms#1.62.4")
	signHeader(b, req, body, "", testSessionCreds, "kms", "eu-west-1", signTime)
	return req, body
}

func BenchmarkParse(b *testing.B) {
	req, _ := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePresigned(b *testing.B) {
	req := presign(b, newRequest(b, "GET", "http://localhost:4566/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=900", nil),
		nil, sha256Hex(nil), testSessionCreds, "sts", "us-east-1", signTime)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the hot path: the signing key is cached after the first request.
func BenchmarkVerify(b *testing.B) {
	req, body := benchRequest(b)
	a, err := Parse(req)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := Verify(req, body, a, testSecret, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyUncachedKey derives the signing key on every call, for comparison.
func BenchmarkVerifyUncachedKey(b *testing.B) {
	req, body := benchRequest(b)
	a, err := Parse(req)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		keyCache.Lock()
		clear(keyCache.m)
		keyCache.Unlock()
		if err := Verify(req, body, a, testSecret, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPresigned(b *testing.B) {
	req := presign(b, newRequest(b, "GET", "http://localhost:4566/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=900", nil),
		nil, sha256Hex(nil), testSessionCreds, "sts", "us-east-1", signTime)
	a, err := Parse(req)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(req, nil, a, testSecret, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallel checks that the key cache does not serialise the gateway.
func BenchmarkVerifyParallel(b *testing.B) {
	req, body := benchRequest(b)
	a, err := Parse(req)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := req.Clone(req.Context())
		r.Body = nil
		for pb.Next() {
			if err := Verify(r, body, a, testSecret, signTime); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
