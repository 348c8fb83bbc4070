package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

// Bench runs the shared benchmarks. Each case opens its own store with open, which must
// return a new, empty store and arrange for it to be closed.
//
// Get and Put run at 100 and 100,000 keys: an ordered structure with logarithmic
// operations should show nearly the same cost at both sizes.
func Bench(b *testing.B, open func(b *testing.B) store.Store) {
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("Get/keys=%d", n), func(b *testing.B) {
			s, keys := filled(b, open, n)
			order := rand.New(rand.NewPCG(1, 1)).Perm(n)
			i := 0
			for b.Loop() {
				k := keys[order[i%n]]
				i++
				err := s.View(func(tx store.Tx) error {
					if tx.Get(k) == nil {
						return fmt.Errorf("%q missing", store.Printable(k))
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// A GetSecretValue's worth: four reads in one View, of 100 records read again and
	// again (the hot set a read load has), out of a small and a large store.
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("HotViewOf4/keys=%d", n), func(b *testing.B) {
			s, keys := filled(b, open, n)
			hot := keys[:100]
			i := 0
			for b.Loop() {
				err := s.View(func(tx store.Tx) error {
					for j := range 4 {
						if tx.Get(hot[(i+j*25)%len(hot)]) == nil {
							return fmt.Errorf("a hot key is missing")
						}
					}
					return nil
				})
				i++
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("Put/keys=%d", n), func(b *testing.B) {
			s, _ := filled(b, open, n)
			value := benchValue()
			i := 0
			for b.Loop() {
				k := benchScope.Key("secret", fmt.Sprintf("new-%09d", i))
				i++
				if err := s.Update(func(tx store.Tx) error { return tx.Put(k, value) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// A List call's worth: 100 records of one family, out of a small and a large store.
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("Scan100/keys=%d", n), func(b *testing.B) {
			s, keys := filled(b, open, n)
			start := keys[(n-100)/2] // 100 records follow it at either size
			for b.Loop() {
				seen := 0
				err := s.View(func(tx store.Tx) error {
					return tx.Scan(benchScope.Prefix("secret"), start, func(string, []byte) bool {
						seen++
						return seen < 100
					})
				})
				if err != nil || seen != 100 {
					b.Fatalf("Scan saw %d records, err %v", seen, err)
				}
			}
		})
	}
}

var benchScope = store.Scope{Account: "123456789012", Region: "us-east-1", Service: "secretsmanager"}

// benchValue is about the size of a secret version record.
func benchValue() []byte {
	v := make([]byte, 256)
	for i := range v {
		v[i] = byte('a' + i%26)
	}
	return v
}

// filled returns a store holding n records, and their keys in order.
func filled(b *testing.B, open func(b *testing.B) store.Store, n int) (store.Store, []string) {
	b.Helper()
	s := open(b)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = benchScope.Key("secret", fmt.Sprintf("secret-%09d", i))
	}
	refill(b, s, keys)
	return s, keys
}

// refill puts keys in batches of transactions of a realistic size.
func refill(b *testing.B, s store.Store, keys []string) {
	b.Helper()
	const batch = 10_000
	for lo := 0; lo < len(keys); lo += batch {
		err := s.Update(func(tx store.Tx) error {
			for _, k := range keys[lo:min(lo+batch, len(keys))] {
				if err := tx.Put(k, benchValue()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
