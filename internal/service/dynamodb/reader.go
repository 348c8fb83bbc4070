package dynamodb

import (
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
)

// maxPageBytes is how much a Query or Scan reads before it stops with a
// LastEvaluatedKey: 1 MB, as in DynamoDB.
const maxPageBytes = 1 << 20

// reader is what a Query and a Scan share: what to read (the table or an index), which
// items to keep (the filter) and what of them to return.
type reader struct {
	rec    *tableRecord
	index  *indexRecord // nil: the table
	global bool         // index is a global secondary index
	filter expr.Cond
	proj   expr.Projection // the request's projection; nil: everything selected
	count  bool            // Select COUNT
	// projected limits results to the index's projected attributes (a global index
	// read without ALL_ATTRIBUTES).
	projected bool
	limit     int // 0: no limit
}

// page is a page of results being filled.
type page struct {
	items   []attr.Item
	count   int64
	scanned int64
	bytes   int
	last    attr.Item // the key of the last item read, for LastEvaluatedKey
	full    bool
}

// take reads one item onto the page and reports whether the page has room for more.
func (r *reader) take(p *page, item attr.Item) bool {
	p.scanned++
	p.bytes += attr.ItemSize(item)
	p.last = r.startKey(item)
	if holds(r.filter, item) {
		p.count++
		if !r.count {
			p.items = append(p.items, r.shape(item))
		}
	}
	p.full = r.limit > 0 && int(p.scanned) >= r.limit || p.bytes >= maxPageBytes
	return !p.full
}

// shape returns the part of an item a result shows.
func (r *reader) shape(item attr.Item) attr.Item {
	if r.projected {
		item = expr.NewProjection(r.projectedNames(item)...).Apply(item)
	}
	if r.proj != nil {
		item = r.proj.Apply(item)
	}
	return item
}

// projectedNames are the attributes of item an index projects.
func (r *reader) projectedNames(item attr.Item) []string {
	if r.index.Projection == ddb.ProjectionTypeAll {
		names := make([]string, 0, len(item))
		for n := range item {
			names = append(names, n)
		}
		return names
	}
	names := append(r.rec.keyNames(), r.index.Hash.Name)
	if r.index.Range != nil {
		names = append(names, r.index.Range.Name)
	}
	return append(names, r.index.NonKey...)
}

// keyAttrs are the key attributes of what is read: an index's keys and the table's.
func (r *reader) keyAttrs() []keyAttr {
	out := []keyAttr{r.rec.Hash}
	if r.rec.Range != nil {
		out = append(out, *r.rec.Range)
	}
	if r.index != nil {
		for _, k := range indexKeys(r.index) {
			if !r.rec.isKey(k.Name) {
				out = append(out, *k)
			}
		}
	}
	return out
}

// startKey is the LastEvaluatedKey of an item: the key attributes of what is read.
func (r *reader) startKey(item attr.Item) attr.Item {
	key := attr.Item{}
	for _, k := range r.keyAttrs() {
		key[k.Name] = item[k.Name]
	}
	return key
}

// checkStartKey checks an ExclusiveStartKey: exactly the key attributes of what is
// read, of their types.
func (r *reader) checkStartKey(key attr.Item) error {
	if key == nil {
		return nil
	}
	want := r.keyAttrs()
	if len(key) != len(want) {
		return msgStartKeyIndex.New()
	}
	for _, k := range want {
		v, ok := key[k.Name]
		if !ok || attr.Check(v) != nil || attr.TypeOf(v) != k.Type {
			return msgStartKeyIndex.New()
		}
	}
	return nil
}

// selection applies Select and the projection to a reader, with DynamoDB's checks.
func (r *reader) selection(sel *string, hasProjection bool) error {
	s := deref(sel)
	switch s {
	case "":
		if hasProjection {
			s = ddb.SelectSpecificAttributes
		} else if r.index != nil {
			s = ddb.SelectAllProjectedAttributes
		} else {
			s = ddb.SelectAllAttributes
		}
	case ddb.SelectSpecificAttributes:
		if !hasProjection {
			return msgSelectNoProj.New()
		}
	case ddb.SelectCount, ddb.SelectAllAttributes, ddb.SelectAllProjectedAttributes:
		if hasProjection {
			return msgSelectProjection.New(s)
		}
	}
	switch {
	case s == ddb.SelectAllProjectedAttributes && r.index == nil:
		return msgProjectedOnTable.New()
	case s == ddb.SelectAllAttributes && r.global && r.index.Projection != ddb.ProjectionTypeAll:
		return msgSelectAll.New(r.index.Name)
	}
	r.count = s == ddb.SelectCount
	r.projected = r.index != nil && r.global || s == ddb.SelectAllProjectedAttributes
	return nil
}

// useIndex points the reader at the index name (nil: the table).
func (r *reader) useIndex(name *string, consistent *bool) error {
	if name == nil {
		return nil
	}
	idx, global := r.rec.index(*name)
	if idx == nil {
		return msgNoSuchIndex.New(*name)
	}
	if global && consistent != nil && *consistent {
		return msgConsistentGSI.New()
	}
	r.index, r.global = idx, global
	return nil
}

// result fills the common part of an output.
func (p *page) result() (items []attr.Item, count, scanned int64, last attr.Item) {
	items = p.items
	if items == nil {
		items = []attr.Item{}
	}
	if p.full {
		last = p.last
	}
	return items, p.count, p.scanned, last
}
