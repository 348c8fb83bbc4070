package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsDir installs the AWS SDK for JavaScript that e2e/js/package-lock.json pins into a
// cache directory named after the lock file (once per version, with npm ci), copies the
// scripts beside it, and returns that directory. The SDK counts as absent where node or
// npm is missing or npm cannot reach its registry.
func jsDir(t *testing.T) string {
	t.Helper()
	need(t, "node and npm", haveCommand("node") && haveCommand("npm"))
	lock, err := os.ReadFile(filepath.Join("js", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "xregion", "e2e-js-"+hex.EncodeToString(sum[:8]))
	entries, err := os.ReadDir("js")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("js", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, e.Name()), string(b))
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-backup")); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		stdout, stderr, err := run(ctx, os.Environ(), dir, "npm", "ci", "--no-audit", "--no-fund")
		need(t, "the AWS SDK for JavaScript (npm ci failed: "+strings.TrimSpace(lastLine(stdout+stderr))+")", err == nil)
	}
	return dir
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// TestJavaScriptSDK runs the cross-Region flows with the AWS SDK for JavaScript v3: JSON
// (Secrets Manager, KMS), query (RDS, STS, with a presigned URL) and REST-JSON (AWS
// Backup), on a server that verifies signatures.
func TestJavaScriptSDK(t *testing.T) {
	t.Parallel()
	dir := jsDir(t)
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := append(os.Environ(), "XREGION_ENDPOINT="+srv.URL, "AWS_EC2_METADATA_DISABLED=true")
	stdout, stderr, err := run(ctx, env, dir, "node", "crossregion.mjs")
	if err != nil || strings.TrimSpace(stdout) != "ok" {
		t.Fatalf("node crossregion.mjs: %v\n%s%s", err, stdout, stderr)
	}
}
