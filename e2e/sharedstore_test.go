package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/store/postgres/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

// startPostgres returns a URL of a schema of t's own on a PostgreSQL server that lives as
// long as t, and skips t, loudly, where PostgreSQL is not installed.
func startPostgres(t *testing.T) string {
	t.Helper()
	pg, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNotInstalled) {
		need(t, "PostgreSQL", false)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Error(err)
		}
	})
	return pg.Schema(t)
}

// nodeDir is a node's data directory holding the shared root key, as an operator would
// install it on each node.
func nodeDir(t *testing.T, rootKey string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "root.key"), []byte(rootKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Two xregion processes on one PostgreSQL serve one state: what one writes the other
// reads at once, a key made through one decrypts through the other, everything survives
// kill -9, secrets are not in the database in plain text, and a node without the root key
// refuses to start.
func TestSharedPostgresStore(t *testing.T) {
	t.Parallel()
	url := startPostgres(t)
	raw := make([]byte, 32)
	rand.Read(raw)
	rootKey := base64.StdEncoding.EncodeToString(raw)
	node1 := startDurableServer(t, nodeDir(t, rootKey), "--store", url)
	node2 := startDurableServer(t, nodeDir(t, rootKey), "--store", url)
	ctx := context.Background()
	sm := func(s *server) *secretsmanager.Client {
		return secretsmanager.NewFromConfig(xtest.DefaultConfig(s.URL, "us-east-1"))
	}
	km := func(s *server) *kms.Client { return kms.NewFromConfig(xtest.DefaultConfig(s.URL, "us-east-1")) }
	must := xtest.Must[*secretsmanager.GetSecretValueOutput](t)

	const secret = "correct horse battery staple"
	if _, err := sm(node1).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("app/db"), SecretString: aws.String(secret)}); err != nil {
		t.Fatal(err)
	}
	if got := must(sm(node2).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})); *got.SecretString != secret {
		t.Fatalf("node 2 read %q", *got.SecretString)
	}
	if _, err := sm(node2).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("app/db"), SecretString: aws.String(secret + " 2")}); err != nil {
		t.Fatal(err)
	}
	if got := must(sm(node1).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})); *got.SecretString != secret+" 2" {
		t.Fatalf("node 1 read %q after node 2's PutSecretValue", *got.SecretString)
	}

	key, err := km(node1).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := km(node1).Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("sealed by node 1")})
	if err != nil {
		t.Fatal(err)
	}
	decryptOn := func(s *server) string {
		t.Helper()
		dec, err := km(s).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
		if err != nil {
			t.Fatal(err)
		}
		return string(dec.Plaintext)
	}
	if got := decryptOn(node2); got != "sealed by node 1" {
		t.Fatalf("node 2 decrypted %q", got)
	}

	node1.kill(t)
	node1.start(t)
	if got := must(sm(node1).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})); *got.SecretString != secret+" 2" {
		t.Fatalf("after kill -9 node 1 read %q", *got.SecretString)
	}
	if got := decryptOn(node1); got != "sealed by node 1" {
		t.Fatalf("after kill -9 node 1 decrypted %q", got)
	}

	var health struct{ Store struct{ Kind, Path string } }
	node2.admin(t, "GET", "health", "", &health)
	if health.Store.Kind != "postgres" || !strings.HasPrefix(health.Store.Path, "postgres://127.0.0.1:") {
		t.Errorf("health reports the store as %+v", health.Store)
	}
	if n := rowsContaining(t, url, secret); n != 0 {
		t.Errorf("%d records hold the secret in plain text", n)
	}

	out, err := runBinary(t, "--listen", freePort(t), "--data-dir", t.TempDir(), "--store", url)
	if err == nil || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "root key every node shares") {
		t.Errorf("a node without the root key: %v\n%s", err, out)
	}
}

// rowsContaining counts the records whose key or value holds s.
func rowsContaining(t *testing.T, url, s string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM xregion_kv WHERE position($1::bytea IN v) > 0 OR position($1::bytea IN k) > 0", []byte(s)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
