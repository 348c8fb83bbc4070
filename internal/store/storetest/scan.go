package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

func testScanOrder(t *testing.T, s store.Store) {
	keys := []string{"b", "a", "ab", "B", "a\x00", "ba", "Z", "aa", "a\x00b", "0", "~", "\x7f", "a b"}
	var pairs []kv
	for i, k := range keys {
		pairs = append(pairs, kv{k, fmt.Sprint(i)})
	}
	rand.New(rand.NewPCG(7, 8)).Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	for _, p := range pairs {
		put(t, s, p) // one Update each, so the order of arrival varies the layout
	}
	slices.SortFunc(pairs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	wantPairs(t, "full scan", contents(t, s), pairs)
}

func testScanPrefix(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "0"}, kv{"app", "1"}, kv{"apple", "2"}, kv{"apply", "3"}, kv{"apq", "4"}, kv{"b", "5"})
	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			prefix string
			want   []kv
		}{
			{"app", []kv{{"app", "1"}, {"apple", "2"}, {"apply", "3"}}},
			{"appl", []kv{{"apple", "2"}, {"apply", "3"}}},
			{"apple", []kv{{"apple", "2"}}},
			{"apples", nil},
			{"ap", []kv{{"app", "1"}, {"apple", "2"}, {"apply", "3"}, {"apq", "4"}}},
			{"c", nil},
			{"0", nil},
		} {
			got, err := scan(tx, c.prefix, "")
			if err != nil {
				return err
			}
			wantPairs(t, fmt.Sprintf("Scan(%q)", c.prefix), got, c.want)
		}
		return nil
	})
}

func testScanStart(t *testing.T, s store.Store) {
	put(t, s, kv{"a/1", "1"}, kv{"a/3", "3"}, kv{"a/5", "5"}, kv{"b/1", "b"}, kv{"0", "0"})
	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			start string
			want  []kv
		}{
			{"", []kv{{"a/1", "1"}, {"a/3", "3"}, {"a/5", "5"}}},
			{"a/3", []kv{{"a/3", "3"}, {"a/5", "5"}}}, // start is inclusive
			{"a/2", []kv{{"a/3", "3"}, {"a/5", "5"}}}, // absent start: the next key
			{"a/5\x00", nil}, // past the last key of the prefix
			{"0", []kv{{"a/1", "1"}, {"a/3", "3"}, {"a/5", "5"}}}, // before the prefix
			{"a", []kv{{"a/1", "1"}, {"a/3", "3"}, {"a/5", "5"}}},
			{"b", nil}, // after the prefix, though keys follow
		} {
			got, err := scan(tx, "a/", c.start)
			if err != nil {
				return err
			}
			wantPairs(t, fmt.Sprintf("Scan(%q, %q)", "a/", c.start), got, c.want)
		}
		return nil
	})
}

func testScanEarlyStop(t *testing.T, s store.Store) {
	var pairs []kv
	for i := range 10 {
		pairs = append(pairs, kv{fmt.Sprintf("k%d", i), fmt.Sprint(i)})
	}
	put(t, s, pairs...)
	view(t, s, func(tx store.Tx) error {
		var got []string
		err := tx.Scan("k", "", func(k string, _ []byte) bool {
			got = append(got, k)
			return len(got) < 3
		})
		if err != nil {
			return err
		}
		if !slices.Equal(got, []string{"k0", "k1", "k2"}) {
			return fmt.Errorf("Scan stopping after 3 visited %q", got)
		}
		return nil
	})
}

// Paging the way a List API does it: resume from the smallest key after the last one seen.
func testScanPaging(t *testing.T, s store.Store) {
	scope := store.Scope{Account: "123456789012", Region: "us-east-1", Service: "secretsmanager"}
	var want []string
	update(t, s, func(tx store.Tx) error {
		for i := range 95 {
			k := scope.Key("secret", fmt.Sprintf("s%03d", i))
			want = append(want, k)
			if err := tx.Put(k, []byte("v")); err != nil {
				return err
			}
		}
		return tx.Put(scope.Key("secretz"), []byte("other family"))
	})
	var got []string
	start := ""
	for page := 0; ; page++ {
		var n int
		view(t, s, func(tx store.Tx) error {
			return tx.Scan(scope.Prefix("secret"), start, func(k string, _ []byte) bool {
				got = append(got, k)
				start = k + "\x00"
				n++
				return n < 10
			})
		})
		if n < 10 || page > 20 {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paging visited %d keys, want %d in order", len(got), len(want))
	}
}

// A prefix built with store.Prefix must not catch a sibling family whose name merely
// starts with the same letters, or another Region or account whose name does.
func testScanKeyFamilies(t *testing.T, s store.Store) {
	east1 := store.Scope{Account: "111", Region: "us-east-1", Service: "secretsmanager"}
	east10 := store.Scope{Account: "111", Region: "us-east-10", Service: "secretsmanager"}
	acct := store.Scope{Account: "1111", Region: "us-east-1", Service: "secretsmanager"}
	put(t, s,
		kv{east1.Key("secret", "a"), "secret a"},
		kv{east1.Key("secret", "a", "v1"), "version 1 of a"},
		kv{east1.Key("secret", "a", "v2"), "version 2 of a"},
		kv{east1.Key("secret", "ab"), "secret ab"},
		kv{east1.Key("secret", "b"), "secret b"},
		kv{east1.Key("secret-version", "a"), "other family"},
		kv{east1.Key("secretx", "a"), "other family"},
		kv{east1.Key("secre"), "shorter family"},
		kv{east10.Key("secret", "a"), "other Region"},
		kv{acct.Key("secret", "a"), "other account"},
	)
	view(t, s, func(tx store.Tx) error {
		got, err := scan(tx, east1.Prefix("secret"), "")
		if err != nil {
			return err
		}
		wantPairs(t, "secrets in us-east-1", got, []kv{
			{east1.Key("secret", "a"), "secret a"},
			{east1.Key("secret", "a", "v1"), "version 1 of a"},
			{east1.Key("secret", "a", "v2"), "version 2 of a"},
			{east1.Key("secret", "ab"), "secret ab"},
			{east1.Key("secret", "b"), "secret b"},
		})
		got, err = scan(tx, east1.Prefix("secret", "a"), "")
		if err != nil {
			return err
		}
		wantPairs(t, "versions of secret a", got, []kv{
			{east1.Key("secret", "a", "v1"), "version 1 of a"},
			{east1.Key("secret", "a", "v2"), "version 2 of a"},
		})
		got, err = scan(tx, store.Prefix("111", "us-east-1"), "")
		if err != nil {
			return err
		}
		if len(got) != 8 {
			return fmt.Errorf("Region us-east-1 of account 111 holds %d records, want 8: %v", len(got), got)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeletePrefix(east1.Prefix("secret")) })
	got := contents(t, s)
	if len(got) != 5 {
		t.Fatalf("after deleting the secret family %d records remain, want 5: %v", len(got), got)
	}
	for _, p := range got {
		if strings.HasPrefix(p.k, east1.Prefix("secret")) {
			t.Fatalf("DeletePrefix left %q", store.Printable(p.k))
		}
	}
}

// Reads from inside a Scan callback, including a second Scan, are allowed.
func testScanNested(t *testing.T, s store.Store) {
	put(t, s, kv{"a/1", "x"}, kv{"a/2", "y"}, kv{"b/x", "1"}, kv{"b/y", "2"})
	view(t, s, func(tx store.Tx) error {
		var got []string
		err := tx.Scan("a/", "", func(k string, v []byte) bool {
			got = append(got, k+"->"+string(tx.Get("b/"+string(v))))
			inner, err := scan(tx, "b/", "")
			if err != nil || len(inner) != 2 {
				t.Errorf("nested Scan = %v, %v", inner, err)
			}
			return true
		})
		if err != nil {
			return err
		}
		if !slices.Equal(got, []string{"a/1->1", "a/2->2"}) {
			return fmt.Errorf("nested reads gave %q", got)
		}
		return nil
	})
}

func testDeletePrefix(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "0"}, kv{"x/1", "1"}, kv{"x/2", "2"}, kv{"x/2/z", "3"}, kv{"x0", "4"}, kv{"y", "5"})
	update(t, s, func(tx store.Tx) error { return tx.DeletePrefix("nothing-here/") })
	if n := len(contents(t, s)); n != 6 {
		t.Fatalf("deleting an absent prefix changed the store: %d keys", n)
	}
	update(t, s, func(tx store.Tx) error {
		// Keys written earlier in the same transaction go too, and later ones stay.
		if err := tx.Put("x/9", []byte("new")); err != nil {
			return err
		}
		if err := tx.DeletePrefix("x/"); err != nil {
			return err
		}
		if tx.Get("x/9") != nil || tx.Get("x/1") != nil {
			return errors.New("deleted keys still visible inside the Update")
		}
		return tx.Put("x/3", []byte("after"))
	})
	wantPairs(t, "after DeletePrefix", contents(t, s), []kv{{"a", "0"}, {"x/3", "after"}, {"x0", "4"}, {"y", "5"}})
}

func testDeletePrefixAll(t *testing.T, s store.Store) {
	var pairs []kv
	for i := range 3000 {
		pairs = append(pairs, kv{fmt.Sprintf("k%05d", i), strings.Repeat("v", i%50)})
	}
	put(t, s, pairs...)
	errRollback := errors.New("roll back")
	err := s.Update(func(tx store.Tx) error {
		if err := tx.DeletePrefix(""); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Update = %v, want %v", err, errRollback)
	}
	if n := len(contents(t, s)); n != len(pairs) {
		t.Fatalf("rolled-back DeletePrefix(\"\") left %d keys, want %d", n, len(pairs))
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeletePrefix(""); err != nil {
			return err
		}
		if got, _ := scan(tx, "", ""); len(got) != 0 {
			return fmt.Errorf("%d keys visible after DeletePrefix(\"\") inside the Update", len(got))
		}
		return tx.Put("fresh", []byte("start"))
	})
	wantPairs(t, "after DeletePrefix(\"\")", contents(t, s), []kv{{"fresh", "start"}})
	if st := s.Stats(); st.Keys != 1 {
		t.Fatalf("Stats().Keys = %d, want 1", st.Keys)
	}
}

// Prefixes ending in 0xff bytes have no simple upper bound, which range-based deletes
// must handle.
func testDeletePrefixHighBytes(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "1"}, kv{"a\xff", "2"}, kv{"a\xff\xff", "3"}, kv{"a\xff\xff\x00", "4"}, kv{"b", "5"},
		kv{"\xff", "6"}, kv{"\xff\xff", "7"}, kv{"\xfe", "8"})
	update(t, s, func(tx store.Tx) error { return tx.DeletePrefix("a\xff\xff") })
	update(t, s, func(tx store.Tx) error { return tx.DeletePrefix("\xff") })
	wantPairs(t, "after deleting 0xff prefixes", contents(t, s),
		[]kv{{"a", "1"}, {"a\xff", "2"}, {"b", "5"}, {"\xfe", "8"}})
}

// Enough keys that an implementation deleting in batches needs several, with neighbours
// on both sides that must survive.
func testDeletePrefixMany(t *testing.T, s store.Store) {
	const n = 10_000
	update(t, s, func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put(store.Key("fam", fmt.Sprintf("%05d", i)), []byte("x")); err != nil {
				return err
			}
		}
		if err := tx.Put("fam", []byte("just before")); err != nil {
			return err
		}
		return tx.Put("fam\x01", []byte("just after"))
	})
	update(t, s, func(tx store.Tx) error { return tx.DeletePrefix(store.Prefix("fam")) })
	wantPairs(t, "after deleting the family", contents(t, s), []kv{{"fam", "just before"}, {"fam\x01", "just after"}})
	if st := s.Stats(); st.Keys != 2 {
		t.Fatalf("Stats().Keys = %d, want 2", st.Keys)
	}
}
