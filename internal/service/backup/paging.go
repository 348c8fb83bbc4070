package backup

import (
	"encoding/base64"
	"encoding/json"

	"github.com/xregion/xregion/internal/store"
)

// maxPage is the largest page AWS Backup's list operations return (their MaxResults
// allows 1-1000), and the size of a page when a request sets none.
const maxPage = 1000

// scanPage calls fn for each record under prefix after the position token names, until
// fn has accepted limit of them, and returns the token of the next page (nil when there
// is none). A token is the key of the last record returned, so records created or deleted
// meanwhile do not shift the pages.
func scanPage[T any](tx store.Tx, prefix string, token *string, max *int64, fn func(*T) bool) (*string, error) {
	limit := maxPage
	if max != nil {
		limit = int(*max)
	}
	start := ""
	if token != nil && *token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil || len(raw) <= len(prefix) || string(raw[:len(prefix)]) != prefix {
			return nil, invalidParameter("Invalid NextToken: %s", *token)
		}
		start = string(raw) + "\x00"
	}
	var next *string
	taken := 0
	var last string
	var decodeErr error
	err := tx.Scan(prefix, start, func(key string, value []byte) bool {
		if taken == limit {
			t := base64.RawURLEncoding.EncodeToString([]byte(last))
			next = &t
			return false
		}
		var v T
		if decodeErr = json.Unmarshal(value, &v); decodeErr != nil {
			return false
		}
		if fn(&v) {
			taken++
			last = key
		}
		return true
	})
	if err == nil {
		err = decodeErr
	}
	return next, err
}
