package ec2

import (
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// fields are the values a resource offers to Describe filters, by filter name.
type fields map[string][]string

// add records the values of a filter name; call it for every name a kind accepts, with
// no values where the resource has none, so that the kind's names are those of any
// record.
func (f fields) add(name string, values ...string) {
	f[name] = append(f[name], values...)
}

func (f fields) bool(name string, b bool) {
	if b {
		f.add(name, "true")
	} else {
		f.add(name, "false")
	}
}

// opt adds a value when it is set.
func (f fields) opt(name, value string) {
	f.add(name)
	if value != "" {
		f.add(name, value)
	}
}

// kindOfResource is what the Describe operations, tags and lookups need to know about
// one kind of EC2 resource.
type kindOfResource[R any] struct {
	table     kit.Table[R]
	prefix    string         // the id prefix
	idParam   string         // the parameter that lists ids, as messages name it
	notFound  awserr.Message // "The vpc ID '%s' does not exist"
	malformed awserr.Message // `Invalid id: "%s" (expecting "vpc-...")`
	id        func(*R) string
	fields    func(*R) fields // the values of the kind's filters
}

// get finds the record id names, or answers the kind's malformed or not-found error.
func (k kindOfResource[R]) get(v kit.View, id string) (*R, error) {
	if !wellFormed(id, k.prefix) {
		return nil, k.malformed.New(id)
	}
	r, err := k.table.Get(v, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, k.notFound.New(id)
	}
	return r, nil
}

// describeQuery is what every Describe operation of a kind asks.
type describeQuery struct {
	op         string
	ids        []string
	filters    []ec2api.Filter
	maxResults *int64
	nextToken  *string
}

// page is the answer to a describeQuery.
type page[R any] struct {
	items []*R
	next  *string
}

// describeOut answers a Describe operation of the kind: the records of q's page, each as
// out shows it (an empty list, never nil), after DryRun's check, which EC2 makes once
// the input is known good.
func describeOut[R, O any](s *Service, v kit.View, k kindOfResource[R], q describeQuery, dry *bool, out func(kit.View, *R) O) ([]O, *string, error) {
	p, err := k.describe(s, v, q)
	if err != nil {
		return nil, nil, err
	}
	if err := dryRun(dry); err != nil {
		return nil, nil, err
	}
	items := make([]O, 0, len(p.items))
	for _, r := range p.items {
		items = append(items, out(v, r))
	}
	return items, p.next, nil
}

// describe answers a Describe operation of the kind: the records ids names (all of them
// when none is named; an id that names none is the kind's error), those that pass every
// filter, in id order, a page at a time when MaxResults is given.
func (k kindOfResource[R]) describe(s *Service, v kit.View, q describeQuery) (page[R], error) {
	if len(q.ids) > 0 && q.maxResults != nil {
		return page[R]{}, msgIDsWithMaxResults.New(k.idParam)
	}
	if err := checkFilters(q.filters, k.fields(new(R))); err != nil {
		return page[R]{}, err
	}
	all, err := k.candidates(v, q.ids)
	if err != nil {
		return page[R]{}, err
	}
	var kept []*R
	for _, r := range all {
		if len(q.filters) == 0 || matches(q.filters, k.fields(r), tagsOf(v, k.id(r))) {
			kept = append(kept, r)
		}
	}
	return paginate(s, v, q, kept, k.id)
}

// candidates are the records ids names, in id order, or all of them.
func (k kindOfResource[R]) candidates(v kit.View, ids []string) ([]*R, error) {
	if len(ids) == 0 {
		return k.table.List(v)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make([]*R, 0, len(ids))
	for _, id := range ids {
		r, err := k.get(v, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// paginate cuts a page of items sorted by key when MaxResults is given.
func paginate[R any](s *Service, v kit.View, q describeQuery, items []*R, key func(*R) string) (page[R], error) {
	if q.maxResults == nil && q.nextToken == nil {
		return page[R]{items: items}, nil
	}
	limit := 1000
	if q.maxResults != nil {
		limit = int(*q.maxResults)
	}
	l := kit.List{Op: q.op, Account: v.Account(), Region: v.Region()}
	cut, next, err := kit.Page(s.pages, l, items, emptyAsNil(q.nextToken), limit, key)
	return page[R]{items: cut, next: next}, err
}

func emptyAsNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// checkFilters refuses a filter without a name, and names the kind does not know: known
// holds every name the kind accepts. Tag filters are accepted for every kind.
func checkFilters(filters []ec2api.Filter, known fields) error {
	for _, f := range filters {
		if f.Name == nil || *f.Name == "" {
			return msgFilterNoName.New()
		}
		name := *f.Name
		if _, ok := known[name]; ok || name == "tag-key" || name == "tag-value" || strings.HasPrefix(name, "tag:") {
			continue
		}
		return msgBadFilter.New(name)
	}
	return nil
}

// matches reports whether a resource passes every filter: a filter passes when one of
// its values matches one of the resource's values for that name (the values may hold the
// wildcards * and ?), as EC2's filters do.
func matches(filters []ec2api.Filter, f fields, tags []tag) bool {
	for _, flt := range filters {
		if !anyMatch(flt.Values, valuesOf(*flt.Name, f, tags)) {
			return false
		}
	}
	return true
}

func valuesOf(name string, f fields, tags []tag) []string {
	var out []string
	switch {
	case name == "tag-key":
		for _, t := range tags {
			out = append(out, t.Key)
		}
	case name == "tag-value":
		for _, t := range tags {
			out = append(out, t.Value)
		}
	case strings.HasPrefix(name, "tag:"):
		for _, t := range tags {
			if t.Key == name[len("tag:"):] {
				out = append(out, t.Value)
			}
		}
	default:
		out = f[name]
	}
	return out
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if glob(p, v) {
				return true
			}
		}
	}
	return false
}

// glob matches s against a filter value: * is any run of characters, ? any one, and a
// backslash makes the next character literal. It backtracks only to the last star, so
// it takes time linear in its inputs' product at worst, whatever the pattern.
func glob(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			c := p[px]
			switch {
			case c == '*':
				starP, starS = px, sx+1
				px++
				continue
			case c == '?' && sx < len(s):
				px, sx = px+1, sx+1
				continue
			case c == '\\' && px+1 < len(p):
				if sx < len(s) && s[sx] == p[px+1] {
					px, sx = px+2, sx+1
					continue
				}
			case c != '?' && sx < len(s) && s[sx] == c:
				px, sx = px+1, sx+1
				continue
			}
		}
		if starP < 0 || starS > len(s) {
			return false
		}
		px, sx = starP+1, starS
		starS++
	}
	return true
}
