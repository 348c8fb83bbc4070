package store_test

import (
	"testing"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

type rec struct {
	Name string
	N    int
}

func TestDecodedNeverStale(t *testing.T) {
	st := memory.New()
	cache := store.NewDecoded[rec](2)
	put := func(r rec) {
		if err := st.Update(func(tx store.Tx) error { return store.PutJSON(tx, "k", r) }); err != nil {
			t.Fatal(err)
		}
	}
	get := func() *rec {
		var out *rec
		if err := st.View(func(tx store.Tx) error {
			v, ok, err := cache.Get(tx, "k")
			if err != nil || !ok {
				t.Fatalf("Get = %v, %v, %v", v, ok, err)
			}
			out = v
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	put(rec{"a", 1})
	first := get()
	if second := get(); second != first {
		t.Error("an unchanged record was decoded again")
	}
	put(rec{"a", 2})
	if got := get(); got.N != 2 {
		t.Errorf("after a write: %+v", got)
	}
	// A rolled-back write never reaches readers, cached or not.
	_ = st.Update(func(tx store.Tx) error {
		_ = store.PutJSON(tx, "k", rec{"a", 3})
		return store.ErrReadOnly
	})
	if got := get(); got.N != 2 {
		t.Errorf("after a rollback: %+v", got)
	}
	// Writable transactions get their own copy to change.
	_ = st.Update(func(tx store.Tx) error {
		v, _, _ := cache.Get(tx, "k")
		if v == get() {
			t.Error("a writable transaction got the shared value")
		}
		return nil
	})
	// The cache stays bounded.
	for _, k := range []string{"x", "y", "z"} {
		_ = st.Update(func(tx store.Tx) error { return store.PutJSON(tx, k, rec{Name: k}) })
		_ = st.View(func(tx store.Tx) error { _, _, err := cache.Get(tx, k); return err })
	}
	cache.Reset()
	if got := get(); got.N != 2 {
		t.Errorf("after Reset: %+v", got)
	}
	_ = st.View(func(tx store.Tx) error {
		if v, ok, err := cache.Get(tx, "missing"); v != nil || ok || err != nil {
			t.Errorf("missing key: %v %v %v", v, ok, err)
		}
		return nil
	})
}

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
