package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

func testGetPutDelete(t *testing.T, s store.Store) {
	wantMissing(t, "Get on an empty store", get(t, s, "a"))
	put(t, s, kv{"a", "1"}, kv{"b", "2"})
	wantValue(t, "Get a", get(t, s, "a"), "1")
	wantValue(t, "Get b", get(t, s, "b"), "2")
	update(t, s, func(tx store.Tx) error { return tx.Delete("a") })
	wantMissing(t, "Get a after Delete", get(t, s, "a"))
	wantValue(t, "Get b after deleting a", get(t, s, "b"), "2")
	update(t, s, func(tx store.Tx) error {
		if err := tx.Delete("a"); err != nil {
			return fmt.Errorf("deleting a missing key: %w", err)
		}
		return tx.Delete("never-there")
	})
	wantPairs(t, "contents", contents(t, s), []kv{{"b", "2"}})
}

func testOverwrite(t *testing.T, s store.Store) {
	put(t, s, kv{"k", "first"})
	put(t, s, kv{"k", "second, and longer than the first"})
	wantValue(t, "after overwrite", get(t, s, "k"), "second, and longer than the first")
	put(t, s, kv{"k", "3"})
	wantValue(t, "after shorter overwrite", get(t, s, "k"), "3")
	update(t, s, func(tx store.Tx) error {
		for _, v := range []string{"x", "y", "z"} {
			if err := tx.Put("k", []byte(v)); err != nil {
				return err
			}
		}
		return nil
	})
	wantPairs(t, "contents", contents(t, s), []kv{{"k", "z"}})
}

// An empty value must stay distinguishable from a missing key, in and after the Update.
func testEmptyValue(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.Put("nil", nil); err != nil {
			return err
		}
		if err := tx.Put("empty", []byte{}); err != nil {
			return err
		}
		for _, k := range []string{"nil", "empty"} {
			if v := tx.Get(k); v == nil || len(v) != 0 {
				return fmt.Errorf("Get(%q) inside the Update = %q (nil=%t), want empty non-nil", k, v, v == nil)
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for _, k := range []string{"nil", "empty"} {
			if v := tx.Get(k); v == nil || len(v) != 0 {
				return fmt.Errorf("Get(%q) = %q (nil=%t), want empty non-nil", k, v, v == nil)
			}
		}
		n := 0
		err := tx.Scan("", "", func(k string, v []byte) bool {
			n++
			if v == nil || len(v) != 0 {
				t.Errorf("Scan gave %q=%q (nil=%t), want empty non-nil", k, v, v == nil)
			}
			return true
		})
		if n != 2 {
			return fmt.Errorf("Scan saw %d keys, want 2", n)
		}
		return err
	})
}

func testInvalidKey(t *testing.T, s store.Store) {
	longest := strings.Repeat("k", store.MaxKeySize)
	update(t, s, func(tx store.Tx) error {
		for _, k := range []string{"", longest + "k"} {
			if err := tx.Put(k, []byte("v")); !errors.Is(err, store.ErrInvalidKey) {
				return fmt.Errorf("Put with a %d-byte key: err = %v, want ErrInvalidKey", len(k), err)
			}
		}
		if tx.Get("") != nil {
			return errors.New(`Get("") is not nil`)
		}
		// Deleting a key that cannot exist is deleting a missing key.
		if err := tx.Delete(""); err != nil {
			return fmt.Errorf(`Delete(""): %w`, err)
		}
		return tx.Put(longest, []byte("v"))
	})
	wantValue(t, "key of MaxKeySize bytes", get(t, s, longest), "v")
	if n := len(contents(t, s)); n != 1 {
		t.Fatalf("store holds %d keys, want only the valid one", n)
	}
}

// Keys are compared bytewise, including NUL (store.Sep) and bytes above 0x7f, and
// values are opaque bytes.
func testBinary(t *testing.T, s store.Store) {
	rng := rand.New(rand.NewPCG(1, 2))
	var want []kv
	for b := range 256 {
		want = append(want, kv{string([]byte{byte(b)}), string(randomBytes(rng, 64))})
	}
	for _, k := range []string{"\x00\x00", "\xff\xff", "a\x00b", "a\xffb", "\xc3\x28", "é"} {
		want = append(want, kv{k, string(randomBytes(rng, 200))})
	}
	rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
	put(t, s, want...)
	slices.SortFunc(want, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	wantPairs(t, "bytewise order", contents(t, s), want)
	for _, p := range want {
		wantValue(t, fmt.Sprintf("Get(%q)", p.k), get(t, s, p.k), p.v)
	}
	view(t, s, func(tx store.Tx) error {
		got, err := scan(tx, "\xff", "")
		wantPairs(t, `Scan("\xff")`, got, []kv{want[len(want)-2], want[len(want)-1]})
		return err
	})
}

func testLargeValues(t *testing.T, s store.Store) {
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := []int{1, 4095, 4096, 4097, 64 << 10, 1 << 20, 8<<20 + 3}
	values := map[string][]byte{}
	for _, n := range sizes {
		values[fmt.Sprintf("v%09d", n)] = randomBytes(rng, n)
	}
	update(t, s, func(tx store.Tx) error {
		for k, v := range values {
			if err := tx.Put(k, bytes.Clone(v)); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for k, v := range values {
			if !bytes.Equal(tx.Get(k), v) {
				return fmt.Errorf("value of %d bytes under %q came back different", len(v), k)
			}
		}
		return nil
	})
	// Overwrite the largest with a small value and back, to exercise page reuse.
	big := fmt.Sprintf("v%09d", sizes[len(sizes)-1])
	put(t, s, kv{big, "small now"})
	wantValue(t, "shrunk value", get(t, s, big), "small now")
}

func testManyKeysOneTx(t *testing.T, s store.Store) {
	const n = 20000
	order := rand.New(rand.NewPCG(5, 6)).Perm(n)
	update(t, s, func(tx store.Tx) error {
		for _, i := range order {
			if err := tx.Put(fmt.Sprintf("key/%06d", i), []byte(fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	})
	got := contents(t, s)
	if len(got) != n {
		t.Fatalf("store holds %d keys, want %d", len(got), n)
	}
	for i, p := range got {
		if want := (kv{fmt.Sprintf("key/%06d", i), fmt.Sprint(i)}); p != want {
			t.Fatalf("record %d is %v, want %v", i, p, want)
		}
	}
	if st := s.Stats(); st.Keys != n {
		t.Fatalf("Stats().Keys = %d, want %d", st.Keys, n)
	}
	// Delete every other key in one transaction, then check the survivors.
	update(t, s, func(tx store.Tx) error {
		for _, i := range order {
			if i%2 == 0 {
				if err := tx.Delete(fmt.Sprintf("key/%06d", i)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	got = contents(t, s)
	if len(got) != n/2 {
		t.Fatalf("store holds %d keys after deleting half, want %d", len(got), n/2)
	}
	for i, p := range got {
		if want := fmt.Sprintf("key/%06d", 2*i+1); p.k != want {
			t.Fatalf("record %d is %q, want %q", i, p.k, want)
		}
	}
}

func testStats(t *testing.T, s store.Store) {
	st := s.Stats()
	if st.Kind == "" || st.Keys != 0 {
		t.Fatalf("Stats of an empty store = %+v, want a Kind and no keys", st)
	}
	put(t, s, kv{"a", "1"}, kv{"b", "2"}, kv{"c", strings.Repeat("x", 10000)})
	st = s.Stats()
	if st.Keys != 3 || st.Size <= 0 {
		t.Fatalf("Stats after three puts = %+v, want 3 keys and a size", st)
	}
	update(t, s, func(tx store.Tx) error { return tx.Delete("a") })
	if st := s.Stats(); st.Keys != 2 {
		t.Fatalf("Stats().Keys after a delete = %d, want 2", st.Keys)
	}
}

func testClose(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "1"})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ran := false
	if err := s.View(func(store.Tx) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close: err = %v, want ErrClosed", err)
	}
	if err := s.Update(func(store.Tx) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close: err = %v, want ErrClosed", err)
	}
	if ran {
		t.Error("a transaction function ran after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
