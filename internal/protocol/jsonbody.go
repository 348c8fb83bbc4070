package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xregion/xregion/internal/awsmodel"
)

// DecodeJSON fills dst, the struct value bound to shape s, from a JSON object. Members
// not in the model are ignored, as AWS ignores them. A value of the wrong JSON type is an
// error whose text names the member.
func DecodeJSON(s *awsmodel.Shape, data []byte, dst reflect.Value) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil // an empty body is an empty input
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("malformed JSON: %v", err)
	}
	if dec.More() {
		return fmt.Errorf("malformed JSON: data after the top-level value")
	}
	if doc == nil {
		return nil
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("expected a JSON object at the top level")
	}
	return decodeStruct(s, obj, dst)
}

// memberError is a decoding failure of one value; the names of the members above it are
// added as the error travels up, so that a valid body costs no path building.
type memberError struct {
	path []string // innermost first
	msg  string   // with memberSlot where the member path goes
}

// memberSlot marks where a memberError's message names the member; NUL cannot come from
// the formatted values, which are JSON text.
const memberSlot = "\x00"

func (e *memberError) Error() string {
	parts := make([]string, len(e.path))
	for i, p := range e.path {
		parts[len(parts)-1-i] = p
	}
	return strings.Replace(e.msg, memberSlot, strings.Join(parts, "."), 1)
}

func failf(format string, args ...any) error {
	return &memberError{msg: fmt.Sprintf(format, args...)}
}

// within adds the name of the member err happened in.
func within(err error, name string) error {
	if me, ok := err.(*memberError); ok {
		me.path = append(me.path, name)
	}
	return err
}

// decodeStruct fills the body members of dst from obj; members bound to HTTP locations
// are the REST codec's business.
func decodeStruct(s *awsmodel.Shape, obj map[string]any, dst reflect.Value) error {
	for _, m := range s.Members {
		if m.Location != "" {
			continue // bound to the URI, query string or headers, not the body
		}
		jv, ok := obj[m.WireName()]
		if !ok || jv == nil {
			continue
		}
		if err := decodeJSONValue(m.Shape, m.TimestampFormat(TimestampUnix), jv, dst.Field(m.Field)); err != nil {
			return within(err, m.Name)
		}
	}
	return nil
}

func decodeJSONValue(s *awsmodel.Shape, tsFormat string, jv any, dst reflect.Value) error {
	if jv == nil {
		return nil
	}
	v := Alloc(dst)
	wrong := func() error {
		return failf("unexpected JSON %s for member "+memberSlot+" of type %s", jsonKind(jv), s.Type)
	}
	switch s.Type {
	case awsmodel.TypeStructure:
		obj, ok := jv.(map[string]any)
		if !ok {
			return wrong()
		}
		if s.GoType == nil { // a document type
			v.Set(reflect.ValueOf(jv))
			return nil
		}
		return decodeStruct(s, obj, v)
	case awsmodel.TypeList:
		arr, ok := jv.([]any)
		if !ok {
			return wrong()
		}
		out := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, e := range arr {
			if err := decodeJSONValue(s.Member.Shape, s.Member.TimestampFormat(tsFormat), e, out.Index(i)); err != nil {
				return within(err, strconv.Itoa(i+1))
			}
		}
		v.Set(out)
	case awsmodel.TypeMap:
		obj, ok := jv.(map[string]any)
		if !ok {
			return wrong()
		}
		out := reflect.MakeMapWithSize(v.Type(), len(obj))
		for k, e := range obj {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := decodeJSONValue(s.Value.Shape, s.Value.TimestampFormat(tsFormat), e, ev); err != nil {
				return within(err, k)
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
	case awsmodel.TypeString:
		str, ok := jv.(string)
		if !ok {
			return wrong()
		}
		v.SetString(str)
	case awsmodel.TypeBoolean:
		b, ok := jv.(bool)
		if !ok {
			return wrong()
		}
		v.SetBool(b)
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		n, ok := jv.(json.Number)
		if !ok {
			return wrong()
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return failf("member "+memberSlot+": %q is not an integer", n)
		}
		v.SetInt(i)
	case awsmodel.TypeDouble, awsmodel.TypeFloat:
		switch n := jv.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return wrong()
			}
			v.SetFloat(f)
		case string: // JSON cannot carry these as numbers
			switch n {
			case "NaN":
				v.SetFloat(math.NaN())
			case "Infinity":
				v.SetFloat(math.Inf(1))
			case "-Infinity":
				v.SetFloat(math.Inf(-1))
			default:
				return wrong()
			}
		default:
			return wrong()
		}
	case awsmodel.TypeTimestamp:
		var t time.Time
		switch n := jv.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return wrong()
			}
			t = UnixFloat(f)
		case string:
			var err error
			if t, err = ParseTime(n); err != nil {
				return failf("member "+memberSlot+": %v", err)
			}
		default:
			return wrong()
		}
		v.Set(reflect.ValueOf(t))
	case awsmodel.TypeBlob:
		str, ok := jv.(string)
		if !ok {
			return wrong()
		}
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			return failf("member " + memberSlot + ": invalid base64")
		}
		v.SetBytes(b)
	default:
		return failf("member "+memberSlot+": unsupported shape type %s", s.Type)
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "value"
}

// AppendJSON appends the JSON encoding of v, the struct value bound to shape s. Absent
// members (nil pointers, nil slices and maps) are left out; members bound to HTTP
// locations are left out too, since the REST codec writes them elsewhere.
func AppendJSON(b []byte, s *awsmodel.Shape, v reflect.Value) []byte {
	return appendJSONStruct(b, s, v)
}

func appendJSONStruct(b []byte, s *awsmodel.Shape, v reflect.Value) []byte {
	b = append(b, '{')
	first := true
	for _, m := range s.Members {
		if m.Location != "" {
			continue
		}
		f := v.Field(m.Field)
		if isAbsent(f) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendJSONString(b, m.WireName())
		b = append(b, ':')
		b = appendJSONValue(b, m.Shape, m.TimestampFormat(TimestampUnix), f)
	}
	return append(b, '}')
}

func appendJSONValue(b []byte, s *awsmodel.Shape, tsFormat string, f reflect.Value) []byte {
	v, ok := Indirect(f)
	if !ok {
		return append(b, "null"...)
	}
	switch s.Type {
	case awsmodel.TypeStructure:
		if s.GoType == nil {
			doc, _ := json.Marshal(v.Interface())
			return append(b, doc...)
		}
		return appendJSONStruct(b, s, v)
	case awsmodel.TypeList:
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONValue(b, s.Member.Shape, s.Member.TimestampFormat(tsFormat), v.Index(i))
		}
		return append(b, ']')
	case awsmodel.TypeMap:
		b = append(b, '{')
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, k.String())
			b = append(b, ':')
			b = appendJSONValue(b, s.Value.Shape, s.Value.TimestampFormat(tsFormat), v.MapIndex(k))
		}
		return append(b, '}')
	case awsmodel.TypeString:
		return AppendJSONString(b, v.String())
	case awsmodel.TypeBoolean:
		return strconv.AppendBool(b, v.Bool())
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		return strconv.AppendInt(b, v.Int(), 10)
	case awsmodel.TypeDouble, awsmodel.TypeFloat:
		x := v.Float()
		switch {
		case math.IsNaN(x):
			return append(b, `"NaN"`...)
		case math.IsInf(x, 1):
			return append(b, `"Infinity"`...)
		case math.IsInf(x, -1):
			return append(b, `"-Infinity"`...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case awsmodel.TypeTimestamp:
		t := v.Interface().(time.Time)
		if tsFormat == TimestampUnix {
			return append(b, formatUnix(t)...)
		}
		return AppendJSONString(b, FormatTime(t, tsFormat))
	case awsmodel.TypeBlob:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"')
	}
	return append(b, "null"...)
}

const hex = "0123456789abcdef"

// AppendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as in
// encoding/json.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but break JavaScript parsers
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
