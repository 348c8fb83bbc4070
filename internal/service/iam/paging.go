package iam

import (
	"encoding/base64"
	"strings"
)

// defaultMaxItems is the page size when a client names none.
const defaultMaxItems = 100

// page is one page of a sorted list. The marker a client gets back encodes the sort key
// of the last item it received, not a position, so that the next page starts right after
// that item however many items were added or removed in between.
type page[T any] struct {
	items     []T
	truncated bool
	marker    *string
}

// paginate cuts the page that follows marker out of items, which are sorted by key.
func paginate[T any](items []T, key func(T) string, marker *string, maxItems *int64) (page[T], error) {
	limit := defaultMaxItems
	if maxItems != nil {
		limit = int(*maxItems)
	}
	start := 0
	if marker != nil {
		after, err := decodeMarker(*marker)
		if err != nil {
			return page[T]{}, err
		}
		for start < len(items) && key(items[start]) <= after {
			start++
		}
	}
	rest := items[start:]
	if len(rest) <= limit {
		return page[T]{items: rest}, nil
	}
	out := rest[:limit]
	return page[T]{items: out, truncated: true, marker: ptr(encodeMarker(key(out[len(out)-1])))}, nil
}

func encodeMarker(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(lastKey))
}

func decodeMarker(m string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(m))
	if err != nil || len(b) == 0 {
		return "", msgInvalidMarker.New(m)
	}
	return string(b), nil
}
