package auth

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

// countingStore counts read transactions, to prove which keys need the store at all.
type countingStore struct {
	store.Store
	views int
}

func (c *countingStore) View(fn func(store.Tx) error) error {
	c.views++
	return c.Store.View(fn)
}

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newResolver(t *testing.T, mode string, static ...Identity) (*Resolver, *countingStore) {
	t.Helper()
	st := &countingStore{Store: memory.New()}
	r, err := NewResolver(Config{Mode: mode, DefaultAccount: "123456789012", Static: static, Sealer: seal.Ephemeral(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return r, st
}

func putTemporary(t *testing.T, r *Resolver, st store.Store, id Identity) {
	t.Helper()
	if err := st.Update(func(tx store.Tx) error { return r.PutTemporary(tx, id) }); err != nil {
		t.Fatal(err)
	}
}

func TestNewResolverRefusesBadConfiguration(t *testing.T) {
	st := memory.New()
	if _, err := NewResolver(Config{Mode: "lenient", DefaultAccount: "123456789012", Sealer: seal.Ephemeral(), Store: st}); err == nil {
		t.Error("unknown mode accepted")
	}
	if _, err := NewResolver(Config{Mode: Strict, DefaultAccount: "123456789012", Sealer: seal.Ephemeral(), Store: st}); err == nil {
		t.Error("strict mode without keys accepted")
	}
	if _, err := NewResolver(Config{Mode: Permissive, DefaultAccount: "123456789012", Sealer: seal.Ephemeral()}); err == nil {
		t.Error("resolver without a store accepted")
	}
}

func TestPermissiveUnknownKeys(t *testing.T) {
	r, st := newResolver(t, Permissive)
	id, err := r.Resolve("AKIAEXAMPLE", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "123456789012" || id.ARN != "arn:aws:iam::123456789012:root" || id.UserID != "123456789012" {
		t.Errorf("unknown key = %+v, want the default account's root", id)
	}
	id, err = r.Resolve("111122223333", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "111122223333" || id.ARN != "arn:aws:iam::111122223333:root" {
		t.Errorf("12-digit key = %+v, want account 111122223333", id)
	}
	if st.views != 0 {
		t.Errorf("long-term keys opened %d transactions, want none", st.views)
	}
}

func TestStaticKeysFillDefaults(t *testing.T) {
	r, st := newResolver(t, Strict, Identity{AccessKeyID: "AKIASTATIC", SecretKey: "s3cr3t"})
	id, err := r.Resolve("AKIASTATIC", "", now)
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{AccessKeyID: "AKIASTATIC", SecretKey: "s3cr3t", Account: "123456789012", ARN: "arn:aws:iam::123456789012:root", UserID: "123456789012"}
	if !reflect.DeepEqual(id, want) {
		t.Errorf("static key = %+v, want %+v", id, want)
	}
	if _, err := r.Resolve("AKIAOTHER", "", now); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key in strict mode: %v, want ErrUnknownKey", err)
	}
	if _, err := r.Resolve("ASIAUNKNOWN", "", now); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown temporary key in strict mode: %v, want ErrUnknownKey", err)
	}
	if st.views != 1 {
		t.Errorf("%d transactions, want 1 (for the ASIA key only)", st.views)
	}
}

func TestTemporaryCredentials(t *testing.T) {
	for _, mode := range []string{Permissive, Strict} {
		t.Run(mode, func(t *testing.T) {
			r, st := newResolver(t, mode, Identity{AccessKeyID: "AKIASTATIC", SecretKey: "x"})
			session := Identity{
				AccessKeyID: "ASIASESSION", SecretKey: "session-secret", SessionToken: "token",
				Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/r/s", UserID: "AROAX:s",
				Expiration: now.Add(time.Hour), SessionPolicy: `{"Statement":[]}`, SessionPolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
			}
			putTemporary(t, r, st, session)

			id, err := r.Resolve("ASIASESSION", "token", now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(id, session) {
				t.Errorf("Resolve = %+v, want %+v (secret key unsealed)", id, session)
			}
			_, badToken := r.Resolve("ASIASESSION", "other", now)
			_, expired := r.Resolve("ASIASESSION", "token", now.Add(2*time.Hour))
			if mode == Strict {
				if !errors.Is(badToken, ErrBadToken) || !errors.Is(expired, ErrExpiredToken) {
					t.Errorf("strict: wrong token %v, expired %v", badToken, expired)
				}
			} else if badToken != nil || expired != nil {
				t.Errorf("permissive mode checked the token: %v, %v", badToken, expired)
			}

			if err := st.Update(func(tx store.Tx) error { return r.ForgetTemporary(tx, "ASIASESSION") }); err != nil {
				t.Fatal(err)
			}
			err = st.View(func(tx store.Tx) error {
				_, ok, err := r.Lookup(tx, "ASIASESSION")
				if ok {
					t.Error("forgotten credentials still found")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTemporarySecretIsSealed(t *testing.T) {
	r, st := newResolver(t, Permissive)
	putTemporary(t, r, st, Identity{AccessKeyID: "ASIASEALED", SecretKey: "plain-secret-key", SessionToken: "t", Account: "123456789012"})
	err := st.View(func(tx store.Tx) error {
		return tx.Scan("", "", func(key string, value []byte) bool {
			if bytes.Contains(value, []byte("plain-secret-key")) {
				t.Errorf("%s holds the secret key in plain text", key)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{"123456789012": true, "12345678901": false, "1234567890123": false, "12345678901a": false, "": false} {
		if got := IsAccountID(s); got != want {
			t.Errorf("IsAccountID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestEmptyAccessKeyIsUnknownInBothModes(t *testing.T) {
	for _, mode := range []string{Permissive, Strict} {
		r, _ := newResolver(t, mode, Identity{AccessKeyID: "AKIASTATIC", SecretKey: "x"})
		if _, err := r.Resolve("", "", now); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("%s: empty access key id gave %v, want ErrUnknownKey", mode, err)
		}
	}
}
