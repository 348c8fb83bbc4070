package store_test

import (
	"testing"

	"github.com/xregion/xregion/internal/store"
)

func TestScopeKeys(t *testing.T) {
	sc := store.Scope{Account: "123456789012", Region: "eu-west-3", Service: "secretsmanager"}
	if got, want := sc.Key("secret", "a/b"), store.Key("123456789012", "eu-west-3", "secretsmanager", "secret", "a/b"); got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	if got, want := sc.Prefix("version", "n"), store.Prefix("123456789012", "eu-west-3", "secretsmanager", "version", "n"); got != want {
		t.Errorf("Prefix = %q, want %q", got, want)
	}
	if got, want := sc.Prefix("secret"), store.Prefix("123456789012", "eu-west-3", "secretsmanager", "secret"); got != want {
		t.Errorf("Prefix = %q, want %q", got, want)
	}
}
