package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawRequest is a request signed once before the clock starts, so that the load measures
// the server and not the client's signing. xregion's default (permissive) mode does not
// check how old a signature is.
type rawRequest struct {
	url    string
	header http.Header
	body   []byte
}

var credentials = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

// signedJSON builds a signed JSON-protocol request (Secrets Manager, KMS).
func signedJSON(endpoint, region, service, target string, body []byte) (rawRequest, error) {
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return rawRequest{}, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), credentials, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		return rawRequest{}, err
	}
	return rawRequest{url: req.URL.String(), header: req.Header, body: body}, nil
}

func (r rawRequest) send(client *http.Client) error {
	req, err := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header = r.header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	return nil
}

// newHTTPClient keeps one connection per worker alive, as SDK clients do.
func newHTTPClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = concurrency * 2
	tr.MaxIdleConnsPerHost = concurrency * 2
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// closedLoop runs fn on concurrency workers until duration passes or maxRequests calls
// were made, whichever comes first, and returns the latencies and the elapsed time.
func closedLoop(concurrency, maxRequests int, duration time.Duration, fn func(i int) error) (*latencies, time.Duration) {
	var next atomic.Int64
	all := &latencies{}
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := &latencies{}
			for time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= maxRequests {
					break
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					mine.fail(err)
					continue
				}
				mine.add(time.Since(t0))
			}
			all.merge(mine)
		}()
	}
	wg.Wait()
	return all, time.Since(start)
}
