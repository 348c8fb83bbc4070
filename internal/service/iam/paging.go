package iam

import "github.com/xregion/xregion/internal/service/kit"

// defaultMaxItems is the page size when a client names none.
const defaultMaxItems = 100

// page is one page of a sorted list.
type page[T any] struct {
	items     []T
	truncated bool
	marker    *string
}

// paginate cuts the page that follows marker out of items, which are sorted by key. The
// marker a client gets back is sealed by the kit's pager (a marker of another list,
// account or operation is refused) and holds the sort key of the last item the client
// received, not the first of the next page, so that the next page starts right after
// that item however many items were added or removed in between: an item added after
// the last one seen is listed.
func paginate[T any](c call, items []T, key func(T) string, marker *string, maxItems *int64) (page[T], error) {
	limit := defaultMaxItems
	if maxItems != nil {
		limit = int(*maxItems)
	}
	list := kit.List{Op: c.Operation, Account: c.Account, Region: c.home}
	from, err := c.pages.Open(list, marker)
	if err != nil {
		return page[T]{}, err
	}
	out, next := kit.Cut(c.pages, list, items, from, limit, key)
	if next == nil {
		return page[T]{items: out}, nil
	}
	// Every key that sorts after the last one seen sorts at or after it followed by
	// sortSep, the least character.
	return page[T]{items: out, truncated: true, marker: c.pages.Seal(list, key(out[len(out)-1])+sortSep)}, nil
}

// sortSep separates the parts of a sort key: it sorts below every character of a name, so
// "a" and its ARN sort before "ab".
const sortSep = "\x00"
