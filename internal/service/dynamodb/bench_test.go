package dynamodb_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// benchTable makes a table of 1,000 items of about 200 bytes and returns the server.
func benchTable(b *testing.B, opts ...servertest.Option) *env {
	e := start(b, opts...)
	createTable(b, e.East, "bench", false)
	for i := range 40 {
		var writes []types.WriteRequest
		for j := range 25 {
			writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: benchItem(fmt.Sprintf("user-%04d", i*25+j))}})
		}
		xtest.Must[*dynamodb.BatchWriteItemOutput](b)(e.East.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"bench": writes}}))
	}
	return e
}

func benchItem(pk string) map[string]types.AttributeValue {
	return item("pk", s(pk), "name", s("Ann Example"), "email", s("ann@example.com"), "visits", n("12345"),
		"score", n("98.6"), "tags", ss("a", "b", "c"), "bio", s("a platform engineer who restores tables for a living, twice a week"))
}

// serveSigned replays one signed request into the server's handler b.N times: the
// server's share of an operation (gateway, codec, table lookup, decryption or
// encryption, store), without the client or the network.
func serveSigned(b *testing.B, e *env, target string, body []byte) {
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
	creds, _ := e.Config("us-east-1").Credentials.Retrieve(ctx)
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	h := e.Server.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := xtest.CPUTime()
	defer func() { b.ReportMetric(float64(xtest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op") }()
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

const (
	getBody = `{"TableName":"bench","Key":{"pk":{"S":"user-0500"}},"ConsistentRead":true}`
	putBody = `{"TableName":"bench","Item":{"pk":{"S":"user-0500"},"name":{"S":"Ann Example"},"email":{"S":"ann@example.com"},` +
		`"visits":{"N":"12346"},"score":{"N":"98.6"},"tags":{"SS":["a","b","c"]},"bio":{"S":"a platform engineer who restores tables for a living, twice a week"}}}`
)

func BenchmarkGetItemServer(b *testing.B) {
	serveSigned(b, benchTable(b), "GetItem", []byte(getBody))
}

func BenchmarkPutItemServer(b *testing.B) {
	serveSigned(b, benchTable(b), "PutItem", []byte(putBody))
}

// BenchmarkPutItemServerDurable is PutItem on the bbolt store: each answer waits for its
// commit's fsync.
func BenchmarkPutItemServerDurable(b *testing.B) {
	serveSigned(b, benchTable(b, servertest.WithDataDir(b.TempDir())), "PutItem", []byte(putBody))
}

func BenchmarkGetItemServerDurable(b *testing.B) {
	serveSigned(b, benchTable(b, servertest.WithDataDir(b.TempDir())), "GetItem", []byte(getBody))
}

// BenchmarkGetItemSDK is GetItem through aws-sdk-go-v2 over loopback HTTP, client included.
func BenchmarkGetItemSDK(b *testing.B) {
	e := benchTable(b)
	in := &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: item("pk", s("user-0500"))}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.East.GetItem(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
