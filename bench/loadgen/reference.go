package main

import (
	"io"
	"net/http"
	"strconv"
)

// referenceBody is what a GetSecretValue answer of the get scenario looks like, so the
// reference server writes as many bytes as xregion does.
const referenceBody = `{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:loadgen-0-AbCdEf","Name":"loadgen-0",` +
	`"VersionId":"00000000-0000-4000-8000-000000000000","SecretString":"value-0000000000000000","VersionStages":["AWSCURRENT"],` +
	`"CreatedDate":1700000000.123}`

// serveReference is the reference server: the least an HTTP server on this machine can do
// for a request — read it and answer a fixed body.
func serveReference(addr string) error {
	body := []byte(referenceBody)
	length := strconv.Itoa(len(body))
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", "application/x-amz-json-1.1")
		h.Set("Content-Length", length)
		_, _ = w.Write(body)
	}))
}
