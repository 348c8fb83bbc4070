package backup

import (
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// maxPage is the largest page AWS Backup's list operations return (their MaxResults
// allows 1-1000), and the size of a page when a request sets none.
const maxPage = 1000

func pageSize(max *int64) int {
	if max == nil {
		return maxPage
	}
	return int(*max)
}

// marker is a request's NextToken for the kit's pager: AWS Backup takes an empty
// NextToken for the first page, as if none were given.
func marker(token *string) *string {
	if token != nil && *token == "" {
		return nil
	}
	return token
}

// listOf names the list a NextToken belongs to: an operation of the caller's account
// and Region, and the resource whose items it lists, if any.
func listOf(c kit.Call, op, within string) kit.List {
	return kit.List{Op: op, Account: c.Account, Region: c.Region, Within: within}
}

// scanPage reads one page of t's records below within, from the position of token:
// take says whether a record belongs on the page (a filter may leave it out). It
// returns the NextToken of the next page.
func scanPage[T any](s *Service, v kit.View, l kit.List, t kit.Table[T], token *string, max *int64, take func(*T) bool, within ...string) (*string, error) {
	return s.pages.Scan(v, l, t, marker(token), pageSize(max), func(e kit.Entry) (bool, error) {
		rec, err := t.Get(v, append(append([]string{}, within...), e.ID()...)...)
		if err != nil || rec == nil {
			return false, err
		}
		return take(rec), nil
	}, within...)
}

// pageByCreation reads one page of t's records that keep accepts, in the order they were
// created (ties broken by id), oldest first or, with newest, newest first, from the
// position of token. A NextToken is a position in that order, so records created
// between two pages neither repeat nor shift the pages after it: newest first, they
// come before every position already read.
func pageByCreation[T any](s *Service, v kit.View, l kit.List, t kit.Table[T], keep func(*T) bool, token *string, max *int64, order creationOrder[T], within ...string) ([]*T, *string, error) {
	var recs []*T
	err := t.Scan(v, func(rec *T) bool {
		if keep(rec) {
			recs = append(recs, rec)
		}
		return true
	}, within...)
	if err != nil {
		return nil, nil, err
	}
	pos := order.position
	slices.SortFunc(recs, func(a, b *T) int { return strings.Compare(pos(a), pos(b)) })
	return kit.Page(s.pages, l, recs, marker(token), pageSize(max), pos)
}

// creationOrder is the order of a list in creation time: Created gives a record's
// creation time and id, and Newest puts the newest first.
type creationOrder[T any] struct {
	Created func(*T) (time.Time, string)
	Newest  bool
}

// position is a record's place in the order, as a string whose byte order is the list's.
func (o creationOrder[T]) position(rec *T) string {
	at, id := o.Created(rec)
	stamp := at.UTC().Format(creationStamp)
	if o.Newest {
		stamp = strings.Map(complementDigit, stamp)
	}
	return stamp + "/" + id
}

// complementDigit turns a digit d into 9-d: a fixed-width decimal read with its digits
// complemented sorts in reverse.
func complementDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return '9' - r + '0'
	}
	return r
}

// creationStamp is a fixed-width time format, so that its byte order is time order.
const creationStamp = "20060102150405.000000000"

// listQuery is what a list operation in creation order asks: its name, the page it wants
// (NextToken and MaxResults), the filters as one test, and each record's creation time
// and id. Within names the resource whose records it lists (a plan's versions), if any;
// Account is a ByAccountId filter: records are the caller's, so another account has none.
type listQuery[T any] struct {
	Op      string
	Within  string
	Account *string
	Token   *string
	Max     *int64
	Keep    func(*T) bool
	Created func(*T) (time.Time, string)
	// Newest lists the newest first, as AWS lists jobs and recovery points.
	Newest bool
}

// listByCreation answers one page of a list operation of the caller's account and Region
// whose items are t's records in creation order (see pageByCreation), each as out shows
// it. The items are never nil: AWS answers an empty list as [].
func listByCreation[T, M any](s *Service, c kit.Call, q listQuery[T], t kit.Table[T], out func(*T) M) ([]M, *string, error) {
	type page struct {
		items []M
		next  *string
	}
	keep := q.Keep
	if keep == nil {
		keep = func(*T) bool { return true }
	}
	if q.Account != nil && *q.Account != c.Account {
		return []M{}, nil, nil
	}
	p, err := kit.Read(s.Kit, func(tx kit.Tx) (*page, error) {
		var within []string
		if q.Within != "" {
			within = []string{q.Within}
		}
		recs, next, err := pageByCreation(s, c.In(tx), listOf(c, q.Op, q.Within), t, keep, q.Token, q.Max, creationOrder[T]{Created: q.Created, Newest: q.Newest}, within...)
		if err != nil {
			return nil, err
		}
		items := make([]M, 0, len(recs))
		for _, r := range recs {
			items = append(items, out(r))
		}
		return &page{items: items, next: next}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return p.items, p.next, nil
}
