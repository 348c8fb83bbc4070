package cloudtrail

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/xregion/xregion/internal/jsonappend"
)

// appendParams appends an event's requestParameters or responseElements as encoding/json
// would (members sorted by name; strings escaped alike, but for encoding/json's HTML
// escaping of <, > and &, which decodes to the same strings). The gateway's redaction
// builds these maps from nested maps, lists, strings, booleans and integers: those are
// written here, since encoding/json's reflection and key sorting over them were a large
// share of recording a call; any other value (a float, an enum's named string type)
// goes through encoding/json.
func appendParams(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	return appendValue(b, m)
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsonappend.String(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendObject(b, v)
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendArray(b, v)
	}
	enc, err := json.Marshal(v)
	return append(b, enc...), err
}

func appendObject(b []byte, m map[string]any) ([]byte, error) {
	var small [8]string // most parameters have a handful of members
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(jsonappend.String(b, k), ':')
		var err error
		if b, err = appendValue(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendArray(b []byte, list []any) ([]byte, error) {
	b = append(b, '[')
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, v); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}
