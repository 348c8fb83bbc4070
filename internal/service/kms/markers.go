package kms

import (
	"encoding/base64"
	"slices"

	"github.com/xregion/xregion/internal/gen/kmsapi"
)

// A pagination marker is the sort key of the first item of the next page, sealed with the
// server's root key and bound to the list it came from: the operation, the account, the
// Region and, for lists of one key, that key. AWS refuses a marker it did not issue with
// InvalidMarkerException, and sealing is what lets us tell ours from anything else (a
// marker made up, edited, or taken from another list, account or Region) without keeping
// state per listing. Because the marker holds a position rather than an offset, it stays
// valid when items are added or removed between pages: the next page starts at the first
// item that sorts at or after it.

// errMarkerMessage is AWS's documented description of InvalidMarkerException.
const errMarkerMessage = "The request was rejected because the marker that specifies where pagination should next begin is not valid."

func invalidMarker() error { return kmsapi.ErrInvalidMarker.New(errMarkerMessage) }

// listOf names one list a marker can belong to. within is the key id for lists of one
// key's items, empty for lists of the whole account and Region.
type listOf struct {
	op, account, region, within string
}

func (l listOf) aad() []byte {
	return []byte("xregion/kms/marker\x00" + l.op + "\x00" + l.account + "\x00" + l.region + "\x00" + l.within)
}

// marker seals position into a marker of list l.
func (s *Service) marker(l listOf, position string) *string {
	return str(base64.RawURLEncoding.EncodeToString(s.sealer.Seal([]byte(position), l.aad())))
}

// openMarker returns the position in a marker of list l, "" (the start) when there is no
// marker, and InvalidMarkerException for a marker list l did not issue.
func (s *Service) openMarker(l listOf, marker *string) (string, error) {
	if marker == nil {
		return "", nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(*marker)
	if err != nil {
		return "", invalidMarker()
	}
	pos, err := s.sealer.Open(sealed, l.aad())
	if err != nil {
		return "", invalidMarker()
	}
	return string(pos), nil
}

// page returns the items of a list sorted by key that start at the position of marker, at
// most limit of them, and the marker of the next page (nil on the last page).
func page[T any](s *Service, l listOf, items []T, marker *string, limit int, key func(T) string) ([]T, *string, error) {
	from, err := s.openMarker(l, marker)
	if err != nil {
		return nil, nil, err
	}
	start := slices.IndexFunc(items, func(t T) bool { return key(t) >= from })
	if start < 0 {
		start = len(items)
	}
	items = items[start:]
	if len(items) <= limit {
		return items, nil, nil
	}
	return items[:limit], s.marker(l, key(items[limit])), nil
}
