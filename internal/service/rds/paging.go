package rds

import (
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// page is one page a describe request asks for: its list, its size and where it starts.
type page struct {
	s      *Service
	l      kit.List
	size   int
	from   string  // the position the marker names
	marker *string // the marker itself, nil for the first page
}

// openPage checks a describe request's MaxRecords (from lo to hi, def when absent) and
// Marker, in that order, before anything is looked up, as RDS does. An empty Marker is
// the first page, as RDS has always taken it.
func (s *Service) openPage(l kit.List, max *int64, marker *string, lo, hi, def int64) (page, error) {
	size := int(def)
	if max != nil {
		if *max < lo || *max > hi {
			return page{}, msgMaxRecords.New(*max, lo, hi)
		}
		size = int(*max)
	}
	if marker != nil && *marker == "" {
		marker = nil
	}
	from, err := s.pages.Open(l, marker)
	if err != nil {
		return page{}, err
	}
	return page{s: s, l: l, size: size, from: from, marker: marker}, nil
}

// describePage is openPage with the bounds most describe operations take: 20 to 100,
// 100 by default.
func (s *Service) describePage(c kit.Call, op string, max *int64, marker *string) (page, error) {
	return s.openPage(kit.List{Op: op, Account: c.Account, Region: c.Region}, max, marker, 20, 100, 100)
}

// cut returns the page of items, which are sorted by key, and the marker of the next.
func cut[T any](p page, items []T, key func(T) string) ([]T, *string) {
	return kit.Cut(p.s.pages, p.l, items, p.from, p.size, key)
}

// sortedCut sorts items by key, then cuts the page.
func sortedCut[T any](p page, items []T, key func(T) string) ([]T, *string) {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return cut(p, items, key)
}

// scan reads the page of a table or index of v below within: get decodes an entry's
// record, and keep says whether it belongs on the page.
func scan[T any](p page, v kit.View, src kit.Keyed, get func(kit.Entry) (*T, error), keep func(*T) bool, within ...string) ([]*T, *string, error) {
	var out []*T
	next, err := p.s.pages.Scan(v, p.l, src, p.marker, p.size, func(e kit.Entry) (bool, error) {
		rec, err := get(e)
		if err != nil || rec == nil || !keep(rec) {
			return false, err
		}
		out = append(out, rec)
		return true, nil
	}, within...)
	return out, next, err
}

// entryOf reads the record of table an entry names by its last part: the entries of a
// table itself, or of an index whose last part is the table's id.
func entryOf[T any](v kit.View, table kit.Table[T]) func(kit.Entry) (*T, error) {
	return func(e kit.Entry) (*T, error) { return table.Get(v, e.Last()) }
}

// filters are a describe request's Filters by name, names lower-cased as RDS accepts
// them.
type filters map[string][]string

// parseFilters checks Filters against the names an operation knows.
func parseFilters(in []rdsapi.Filter, known ...string) (filters, error) {
	f := filters{}
	for _, flt := range in {
		name := strings.ToLower(deref(flt.Name))
		if !slices.Contains(known, name) {
			return nil, msgUnknownFilter.New(deref(flt.Name))
		}
		if len(flt.Values) == 0 {
			return nil, msgFilterNoValue.New(name)
		}
		f[name] = append(f[name], flt.Values...)
	}
	return f, nil
}

// match reports whether any of values passes the filter named name; an absent filter
// passes everything.
func (f filters) match(name string, values ...string) bool {
	want, ok := f[name]
	if !ok {
		return true
	}
	for _, v := range values {
		if v != "" && slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(w, v) }) {
			return true
		}
	}
	return false
}
