package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

type record struct {
	Name string   `json:"name"`
	N    int      `json:"n"`
	Tags []string `json:"tags,omitempty"`
}

func testJSON(t *testing.T, s store.Store) {
	want := record{Name: "db-1", N: 7, Tags: []string{"a", "b"}}
	update(t, s, func(tx store.Tx) error {
		if err := store.PutJSON(tx, "rec", want); err != nil {
			return err
		}
		if err := store.PutJSON(tx, "unencodable", make(chan int)); err == nil {
			return errors.New("PutJSON of a channel succeeded")
		}
		return tx.Put("garbage", []byte("{not json"))
	})
	view(t, s, func(tx store.Tx) error {
		var got record
		ok, err := store.GetJSON(tx, "rec", &got)
		if err != nil || !ok {
			return fmt.Errorf("GetJSON = %t, %v", ok, err)
		}
		if got.Name != want.Name || got.N != want.N || !slices.Equal(got.Tags, want.Tags) {
			return fmt.Errorf("GetJSON decoded %+v, want %+v", got, want)
		}
		if ok, err := store.GetJSON(tx, "missing", &got); ok || err != nil {
			return fmt.Errorf("GetJSON of a missing key = %t, %v; want false, nil", ok, err)
		}
		ok, err = store.GetJSON(tx, "garbage", &got)
		if !ok || err == nil || !strings.Contains(err.Error(), "garbage") {
			return fmt.Errorf("GetJSON of bad JSON = %t, %v; want true and an error naming the key", ok, err)
		}
		if tx.Get("unencodable") != nil {
			return errors.New("a failed PutJSON stored something")
		}
		return nil
	})
}

func testScanJSON(t *testing.T, s store.Store) {
	scope := store.Scope{Account: "123456789012", Region: "eu-west-1", Service: "rds"}
	update(t, s, func(tx store.Tx) error {
		for i, name := range []string{"c", "a", "b"} {
			if err := store.PutJSON(tx, scope.Key("db", name), record{Name: name, N: i}); err != nil {
				return err
			}
		}
		return store.PutJSON(tx, scope.Key("dbx", "z"), record{Name: "other family"})
	})
	view(t, s, func(tx store.Tx) error {
		var names []string
		err := store.ScanJSON(tx, scope.Prefix("db"), func(key string, r *record) bool {
			if key != scope.Key("db", r.Name) {
				t.Errorf("ScanJSON gave key %q for record %q", store.Printable(key), r.Name)
			}
			names = append(names, r.Name)
			return true
		})
		if err != nil {
			return err
		}
		if !slices.Equal(names, []string{"a", "b", "c"}) {
			return fmt.Errorf("ScanJSON visited %q, want a, b, c", names)
		}
		names = nil
		err = store.ScanJSON(tx, scope.Prefix("db"), func(_ string, r *record) bool {
			names = append(names, r.Name)
			return false
		})
		if err != nil || !slices.Equal(names, []string{"a"}) {
			return fmt.Errorf("ScanJSON stopping at once visited %q, err %v", names, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.Put(scope.Key("db", "b"), []byte("[broken")) })
	view(t, s, func(tx store.Tx) error {
		var names []string
		err := store.ScanJSON(tx, scope.Prefix("db"), func(_ string, r *record) bool {
			names = append(names, r.Name)
			return true
		})
		if err == nil || !slices.Equal(names, []string{"a"}) {
			return fmt.Errorf("ScanJSON over a corrupt record visited %q, err %v; want it to stop with an error", names, err)
		}
		return nil
	})
}
