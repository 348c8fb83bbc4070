package protocol

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/jsonappend"
)

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
		if awsmodel.IsAbsent(f) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonappend.String(b, m.WireName())
		b = append(b, ':')
		b = appendJSONValue(b, m.Shape, m.TimestampFormat(TimestampUnix), f)
	}
	return append(b, '}')
}

// AppendJSONMember appends the JSON encoding of v, the value of member m.
func AppendJSONMember(b []byte, m *awsmodel.Member, v reflect.Value) []byte {
	return appendJSONValue(b, m.Shape, m.TimestampFormat(TimestampUnix), v)
}

func appendJSONValue(b []byte, s *awsmodel.Shape, tsFormat string, f reflect.Value) []byte {
	v, ok := awsmodel.Indirect(f)
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
			b = jsonappend.String(b, k.String())
			b = append(b, ':')
			b = appendJSONValue(b, s.Value.Shape, s.Value.TimestampFormat(tsFormat), v.MapIndex(k))
		}
		return append(b, '}')
	case awsmodel.TypeString:
		return jsonappend.String(b, v.String())
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
		return jsonappend.String(b, FormatTime(t, tsFormat))
	case awsmodel.TypeBlob:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"')
	}
	return append(b, "null"...)
}
