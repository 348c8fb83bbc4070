package kit

import (
	"encoding/base64"
	"slices"
)

// Pager makes and opens the pagination markers (NextToken, Marker) of one service. A
// marker is the position where the next page starts, sealed with the server's root key
// and bound to the list it belongs to, so that:
//
//   - a marker the service did not issue (made up, edited, or taken from another list,
//     account or Region) is refused with the service's own error, as AWS refuses one;
//   - a marker it did issue stays valid when the list changes between pages: the next
//     page starts at the first item that sorts at or after the position;
//   - nothing is kept per listing, and a marker survives a restart.
type Pager struct {
	service string
	sealer  sealer
	invalid func(marker string) error
}

// sealer is what the pager needs of seal.Sealer.
type sealer interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
}

// Pager returns the service's pager. invalid makes the error the service answers for a
// marker it did not issue (KMS: InvalidMarkerException; AWS Backup: its "Invalid
// NextToken" text), given the marker as the client sent it.
func (k *Kit) Pager(invalid func(marker string) error) Pager {
	return Pager{service: k.Name, sealer: k.Sealer, invalid: invalid}
}

// List names one list a marker can belong to. Within names the resource for lists of
// one resource's items (a key's tags), or a variant of a list (a sort order); it is
// empty for lists of a whole account and Region.
type List struct{ Op, Account, Region, Within string }

func (p Pager) aad(l List) []byte {
	return []byte("xregion/" + p.service + "/marker\x00" + l.Op + "\x00" + l.Account + "\x00" + l.Region + "\x00" + l.Within)
}

// Seal returns the marker of the page of list l that starts at position pos.
func (p Pager) Seal(l List, pos string) *string {
	return new(base64.RawURLEncoding.EncodeToString(p.sealer.Seal([]byte(pos), p.aad(l))))
}

// Open returns the position a marker of list l names: "" (the start) when there is no
// marker, the service's error when l did not issue it. An empty marker is not one the
// service issued.
func (p Pager) Open(l List, marker *string) (string, error) {
	if marker == nil {
		return "", nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(*marker)
	if err != nil {
		return "", p.invalid(*marker)
	}
	pos, err := p.sealer.Open(sealed, p.aad(l))
	if err != nil {
		return "", p.invalid(*marker)
	}
	return string(pos), nil
}

// Page returns the page of items, which are sorted by key, that starts at the position of
// marker: at most limit items, and the marker of the next page (nil on the last page).
func Page[T any](p Pager, l List, items []T, marker *string, limit int, key func(T) string) ([]T, *string, error) {
	from, err := p.Open(l, marker)
	if err != nil {
		return nil, nil, err
	}
	page, next := Cut(p, l, items, from, limit, key)
	return page, next, nil
}

// Cut is Page from a position already opened: for operations that must refuse a bad
// marker before they look for what the list is of.
func Cut[T any](p Pager, l List, items []T, from string, limit int, key func(T) string) ([]T, *string) {
	start := slices.IndexFunc(items, func(t T) bool { return key(t) >= from })
	if start < 0 {
		start = len(items)
	}
	items = items[start:]
	if len(items) <= limit {
		return items, nil
	}
	return items[:limit], p.Seal(l, key(items[limit]))
}

// Keyed is a kind of record whose keys a page can walk: an Index or a Table.
type Keyed interface {
	Keys(v View, from string, fn func(Entry) bool, within ...string) error
}

// Scan reads one page of src's entries below within, in key order, from the position of
// marker. take says whether an entry belongs on the page (a filter may leave it out);
// once limit entries are taken, the position of the next entry becomes the marker of
// the next page (nil when there is none). take must not write to the transaction: it
// runs inside the store's scan.
func (p Pager) Scan(v View, l List, src Keyed, marker *string, limit int, take func(Entry) (bool, error), within ...string) (*string, error) {
	from, err := p.Open(l, marker)
	if err != nil {
		return nil, err
	}
	var next *string
	var takeErr error
	taken := 0
	err = src.Keys(v, from, func(e Entry) bool {
		if taken == limit {
			next = p.Seal(l, e.Pos)
			return false
		}
		ok, err := take(e)
		if err != nil {
			takeErr = err
			return false
		}
		if ok {
			taken++
		}
		return true
	}, within...)
	if err == nil {
		err = takeErr
	}
	if err != nil {
		return nil, err
	}
	return next, nil
}
