package rds

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/store"
)

// pageSize checks MaxRecords against the operation's bounds.
func pageSize(max *int64, lo, hi, def int64) (int, error) {
	if max == nil {
		return int(def), nil
	}
	if *max < lo || *max > hi {
		return 0, invalidValue("Invalid value %d for MaxRecords. Must be between %d and %d", *max, lo, hi)
	}
	return int(*max), nil
}

// pageArgs checks the MaxRecords (20-100, default 100, as most describe operations take)
// and Marker of a describe request, and returns the page size and the position to resume
// from.
func pageArgs(max *int64, marker *string) (int, string, error) {
	size, err := pageSize(max, 20, 100, 100)
	if err != nil {
		return 0, "", err
	}
	from, err := decodeMarker(marker)
	if err != nil {
		return 0, "", err
	}
	return size, from, nil
}

// Markers are opaque to clients: the position to resume from, encoded.
func encodeMarker(pos string) string { return base64.RawURLEncoding.EncodeToString([]byte(pos)) }

func decodeMarker(m *string) (string, error) {
	if m == nil || *m == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*m)
	if err != nil || len(b) == 0 {
		return "", invalidValue("The parameter Marker is not valid: %s", *m)
	}
	return string(b), nil
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
			return nil, invalidValue("Unrecognized filter name: %s", deref(flt.Name))
		}
		if len(flt.Values) == 0 {
			return nil, invalidValue("The filter %s requires at least one value.", name)
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

// scanPage walks the records under prefix from the marker's position, decodes each into
// a T, keeps those keep accepts, and stops after size of them, returning the marker of
// the next page ("" when there is none).
func scanPage[T any](tx store.Tx, prefix, from string, size int, keep func(*T) bool) ([]*T, string, error) {
	var out []*T
	next := ""
	start := ""
	if from != "" {
		start = prefix + from
	}
	var decodeErr error
	err := tx.Scan(prefix, start, func(key string, value []byte) bool {
		v := new(T)
		if decodeErr = json.Unmarshal(value, v); decodeErr != nil {
			return false
		}
		if !keep(v) {
			return true
		}
		if len(out) == size {
			next = encodeMarker(key[len(prefix):])
			return false
		}
		out = append(out, v)
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
