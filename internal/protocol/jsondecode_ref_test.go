package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
)

// referenceDecodeJSON is the decoder DecodeJSON replaced: encoding/json into a generic
// value, then a walk of the model. The fuzz test checks that both agree. It fills dst, the struct value bound to shape s, from a JSON object. Members
// not in the model are ignored, as AWS ignores them. A value of the wrong JSON type is an
// error whose text names the member.
func referenceDecodeJSON(s *awsmodel.Shape, data []byte, dst reflect.Value) error {
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
	return refDecodeStruct(s, obj, dst)
}

// decodeStruct fills the body members of dst from obj; members bound to HTTP locations
// are the REST codec's business.
func refDecodeStruct(s *awsmodel.Shape, obj map[string]any, dst reflect.Value) error {
	for _, m := range s.Members {
		if m.Location != "" {
			continue // bound to the URI, query string or headers, not the body
		}
		jv, ok := obj[m.WireName()]
		if !ok || jv == nil {
			continue
		}
		if err := refDecodeValue(m.Shape, m.TimestampFormat(TimestampUnix), jv, dst.Field(m.Field)); err != nil {
			return within(err, m.Name)
		}
	}
	return nil
}

func refDecodeValue(s *awsmodel.Shape, tsFormat string, jv any, dst reflect.Value) error {
	if jv == nil {
		return nil
	}
	v := Alloc(dst)
	wrong := func() error {
		return failf("unexpected JSON %s for member "+memberSlot+" of type %s", refJSONKind(jv), s.Type)
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
		return refDecodeStruct(s, obj, v)
	case awsmodel.TypeList:
		arr, ok := jv.([]any)
		if !ok {
			return wrong()
		}
		out := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, e := range arr {
			if err := refDecodeValue(s.Member.Shape, s.Member.TimestampFormat(tsFormat), e, out.Index(i)); err != nil {
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
			if err := refDecodeValue(s.Value.Shape, s.Value.TimestampFormat(tsFormat), e, ev); err != nil {
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

func refJSONKind(v any) string {
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
