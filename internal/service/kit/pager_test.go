package kit_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/xregion/xregion/internal/service/kit"
)

var errBadMarker = errors.New("bad marker")

func pagerOf(t *testing.T, svc string) (kit.Pager, *fixture) {
	f := newKit(t, svc)
	p := f.kit.Pager(func(marker string) error { return fmt.Errorf("%w %q", errBadMarker, marker) })
	return p, f
}

// TestMarkersAreBoundToTheirList: a marker opens only for the list that issued it; any
// other marker is the service's error, which gets the marker as the client sent it.
func TestMarkersAreBoundToTheirList(t *testing.T) {
	p, _ := pagerOf(t, "svc")
	l := kit.List{Op: "ListThings", Account: "111122223333", Region: "us-east-1"}
	m := p.Seal(l, "pos/1")
	if pos, err := p.Open(l, m); err != nil || pos != "pos/1" {
		t.Fatalf("Open = %q, %v", pos, err)
	}
	if pos, err := p.Open(l, nil); err != nil || pos != "" {
		t.Errorf("no marker = %q, %v", pos, err)
	}
	other, _ := pagerOf(t, "other")
	tampered := []byte(*m)
	tampered[len(tampered)/2] ^= 1
	for name, c := range map[string]struct {
		p kit.Pager
		l kit.List
		m string
	}{
		"another op":      {p, kit.List{Op: "ListOthers", Account: l.Account, Region: l.Region}, *m},
		"another account": {p, kit.List{Op: l.Op, Account: "444455556666", Region: l.Region}, *m},
		"another Region":  {p, kit.List{Op: l.Op, Account: l.Account, Region: "us-west-2"}, *m},
		"another item":    {p, kit.List{Op: l.Op, Account: l.Account, Region: l.Region, Within: "k"}, *m},
		"another service": {other, l, *m},
		"tampered":        {p, l, string(tampered)},
		"not base64":      {p, l, "!!!"},
		"empty":           {p, l, ""},
	} {
		_, err := c.p.Open(c.l, &c.m)
		if !errors.Is(err, errBadMarker) || err.Error() != fmt.Sprintf("bad marker %q", c.m) {
			t.Errorf("%s: Open = %v", name, err)
		}
	}
}

// TestPageFollowsPositions: pages continue at the first item at or after the marker's
// position, however the list changed in between.
func TestPageFollowsPositions(t *testing.T) {
	p, _ := pagerOf(t, "svc")
	l := kit.List{Op: "ListThings"}
	id := func(s string) string { return s }
	items := []string{"a", "b", "c", "d", "e"}
	page, next, err := kit.Page(p, l, items, nil, 2, id)
	if err != nil || !slices.Equal(page, []string{"a", "b"}) || next == nil {
		t.Fatalf("first page = %v, %v, %v", page, next, err)
	}
	// "c" is deleted and "bb" added between the pages.
	items = []string{"a", "b", "bb", "d", "e"}
	page, next, err = kit.Page(p, l, items, next, 2, id)
	if err != nil || !slices.Equal(page, []string{"d", "e"}) || next != nil {
		t.Errorf("second page = %v, %v, %v", page, next, err)
	}
	if _, _, err := kit.Page(p, l, items, new("forged"), 2, id); !errors.Is(err, errBadMarker) {
		t.Errorf("forged marker: %v", err)
	}
}

// TestScanPages: a page of a stored index skips what take leaves out and ends where the
// limit falls.
func TestScanPages(t *testing.T) {
	p, f := pagerOf(t, "svc")
	idx := kit.Index{Kind: "byname"}
	l := kit.List{Op: "ListThings", Account: "1", Region: "r"}
	must(t, f.kit.Update(func(tx kit.Tx) error {
		for _, n := range []string{"a1", "a2", "b1", "a3", "a4"} {
			if err := idx.Add(tx.In("1", "r"), n); err != nil {
				return err
			}
		}
		return nil
	}))
	var pages [][]string
	var marker *string
	for {
		var page []string
		next, err := kit.Read(f.kit, func(tx kit.Tx) (*string, error) {
			return p.Scan(tx.In("1", "r"), l, idx, marker, 2, func(e kit.Entry) (bool, error) {
				if e.Last()[0] != 'a' {
					return false, nil
				}
				page = append(page, e.Last())
				return true, nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
		if next == nil {
			break
		}
		marker = next
	}
	// The page after a full one may be empty: the scan stops at the first entry past the
	// limit without knowing whether take would keep it.
	if fmt.Sprint(pages) != "[[a1 a2] [a3 a4] []]" {
		t.Errorf("pages = %v", pages)
	}
	failed := errors.New("take failed")
	_, err := kit.Read(f.kit, func(tx kit.Tx) (*string, error) {
		return p.Scan(tx.In("1", "r"), l, idx, nil, 2, func(kit.Entry) (bool, error) { return false, failed })
	})
	if !errors.Is(err, failed) {
		t.Errorf("a failing take: %v", err)
	}
}
