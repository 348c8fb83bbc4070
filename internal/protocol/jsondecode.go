package protocol

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xregion/xregion/internal/awsmodel"
)

// DecodeJSON fills dst, the struct value bound to shape s, from a JSON object. Members
// not in the model are ignored, as AWS ignores them. A value of the wrong JSON type is an
// error whose text names the member.
//
// It parses the body once, straight into the Go values the model describes, instead of
// building a generic map first: every JSON and REST-JSON request goes through here. The
// grammar is JSON's (RFC 8259), as strictly as encoding/json applies it; invalid UTF-8 in
// strings becomes U+FFFD, as there.
func DecodeJSON(s *awsmodel.Shape, data []byte, dst reflect.Value) error {
	d := &jsonDecoder{data: data}
	d.space()
	if d.pos == len(d.data) {
		return nil // an empty body is an empty input
	}
	if d.literal("null") {
		d.space()
		if d.pos != len(d.data) {
			return d.malformed("data after the top-level value")
		}
		return nil
	}
	if d.data[d.pos] != '{' {
		if err := d.skip(); err != nil {
			return err
		}
		if d.space(); d.pos != len(d.data) {
			return d.malformed("data after the top-level value")
		}
		return fmt.Errorf("expected a JSON object at the top level")
	}
	if err := d.object(s, dst); err != nil {
		return err
	}
	d.space()
	if d.pos != len(d.data) {
		return d.malformed("data after the top-level value")
	}
	return d.fail
}

type jsonDecoder struct {
	data []byte
	pos  int
	// fail is the first type mismatch met; the document is still read to its end, so
	// that a malformed document is reported as such whatever its values are.
	fail error
}

// syntaxError is a document that is not JSON.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return "malformed JSON: " + e.msg }

func (d *jsonDecoder) malformed(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (offset %d)", d.pos)}
}

func (d *jsonDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) literal(word string) bool {
	if len(d.data)-d.pos >= len(word) && string(d.data[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return true
	}
	return false
}

// expect consumes c after optional white space.
func (d *jsonDecoder) expect(c byte) error {
	d.space()
	if d.pos >= len(d.data) {
		return d.malformed("unexpected end of input, want %q", c)
	}
	if d.data[d.pos] != c {
		return d.malformed("unexpected %q, want %q", d.data[d.pos], c)
	}
	d.pos++
	return nil
}

// kind names the JSON type of the value that starts at the current position.
func (d *jsonDecoder) kind() string {
	switch c := d.data[d.pos]; {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	}
	return "number"
}

// members reads the members of an object, calling fn with each key; fn must consume the
// value.
func (d *jsonDecoder) members(fn func(key []byte, escaped bool) error) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return nil
	}
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return d.malformed("want an object key")
		}
		key, escaped, err := d.rawString()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		d.space()
		if err := fn(key, escaped); err != nil {
			return err
		}
		if done, err := d.separator('}', "an object", "an object member"); done || err != nil {
			return err
		}
	}
}

// elements reads the elements of an array, calling fn with each index; fn must consume
// the value.
func (d *jsonDecoder) elements(fn func(i int) error) error {
	if err := d.expect('['); err != nil {
		return err
	}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		d.space()
		if err := fn(i); err != nil {
			return err
		}
		if done, err := d.separator(']', "an array", "an array element"); done || err != nil {
			return err
		}
	}
}

// separator reads what follows a member or an element: a comma (more follow) or close
// (the container ends: done). in and after name the container and the item for errors.
func (d *jsonDecoder) separator(close byte, in, after string) (done bool, err error) {
	d.space()
	if d.pos >= len(d.data) {
		return false, d.malformed("unexpected end of input in %s", in)
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		return false, nil
	case close:
		d.pos++
		return true, nil
	}
	return false, d.malformed("unexpected %q after %s", d.data[d.pos], after)
}

func (d *jsonDecoder) object(s *awsmodel.Shape, dst reflect.Value) error {
	return d.members(func(key []byte, escaped bool) error {
		name := string(key) // the compiler does not allocate for a map lookup
		if escaped {
			name = unescape(key)
		}
		m := s.BodyMember(name)
		if m == nil {
			return d.skip()
		}
		if d.literal("null") {
			return nil
		}
		return d.member(m.Shape, m.TimestampFormat(TimestampUnix), dst.Field(m.Field), m.Name)
	})
}

// member decodes a value whose type mismatch is reported under name.
func (d *jsonDecoder) member(s *awsmodel.Shape, tsFormat string, dst reflect.Value, name string) error {
	before := d.fail
	if err := d.value(s, tsFormat, dst); err != nil {
		return err
	}
	if d.fail != nil && d.fail != before {
		d.fail = within(d.fail, name)
	}
	return nil
}

// mismatch records a value of the wrong type and skips it.
func (d *jsonDecoder) mismatch(s *awsmodel.Shape) error {
	if d.fail == nil {
		d.fail = failf("unexpected JSON %s for member "+memberSlot+" of type %s", d.kind(), s.Type)
	}
	return d.skip()
}

func (d *jsonDecoder) note(err error) {
	if d.fail == nil {
		d.fail = err
	}
}

// value decodes the JSON value at the cursor into dst, a value of shape s. A value of the
// wrong JSON type is recorded as the request's failure and skipped, so that decoding goes
// on to find syntax errors, which take precedence.
func (d *jsonDecoder) value(s *awsmodel.Shape, tsFormat string, dst reflect.Value) error {
	if d.pos >= len(d.data) {
		return d.malformed("unexpected end of input")
	}
	if d.literal("null") {
		return nil
	}
	switch s.Type {
	case awsmodel.TypeStructure:
		return d.structure(s, dst)
	case awsmodel.TypeList:
		return d.list(s, tsFormat, dst)
	case awsmodel.TypeMap:
		return d.mapValue(s, tsFormat, dst)
	case awsmodel.TypeString:
		return d.stringValue(s, dst)
	case awsmodel.TypeBoolean:
		return d.boolean(s, dst)
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		return d.integer(s, dst)
	case awsmodel.TypeDouble, awsmodel.TypeFloat:
		return d.float(s, dst)
	case awsmodel.TypeTimestamp:
		return d.timestamp(s, dst)
	case awsmodel.TypeBlob:
		return d.blob(s, dst)
	}
	d.note(failf("member "+memberSlot+": unsupported shape type %s", s.Type))
	return d.skip()
}

// next is the byte at the cursor; value has checked there is one.
func (d *jsonDecoder) next() byte { return d.data[d.pos] }

func (d *jsonDecoder) atNumber() bool {
	c := d.next()
	return c == '-' || (c >= '0' && c <= '9')
}

func (d *jsonDecoder) structure(s *awsmodel.Shape, dst reflect.Value) error {
	if d.next() != '{' {
		return d.mismatch(s)
	}
	if s.GoType == nil { // a document: any JSON value, decoded generically
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		var doc any
		_ = json.Unmarshal(d.data[start:d.pos], &doc)
		Alloc(dst).Set(reflect.ValueOf(doc))
		return nil
	}
	return d.object(s, Alloc(dst))
}

func (d *jsonDecoder) list(s *awsmodel.Shape, tsFormat string, dst reflect.Value) error {
	if d.next() != '[' {
		return d.mismatch(s)
	}
	v := Alloc(dst)
	out := reflect.MakeSlice(v.Type(), 0, 4)
	elem := v.Type().Elem()
	err := d.elements(func(i int) error {
		e := reflect.New(elem).Elem()
		if err := d.member(s.Member.Shape, s.Member.TimestampFormat(tsFormat), e, strconv.Itoa(i+1)); err != nil {
			return err
		}
		out = reflect.Append(out, e)
		return nil
	})
	if err != nil {
		return err
	}
	v.Set(out)
	return nil
}

func (d *jsonDecoder) mapValue(s *awsmodel.Shape, tsFormat string, dst reflect.Value) error {
	if d.next() != '{' {
		return d.mismatch(s)
	}
	v := Alloc(dst)
	out := reflect.MakeMap(v.Type())
	elem := v.Type().Elem()
	err := d.members(func(key []byte, escaped bool) error {
		k := string(key)
		if escaped {
			k = unescape(key)
		}
		e := reflect.New(elem).Elem()
		if err := d.member(s.Value.Shape, s.Value.TimestampFormat(tsFormat), e, k); err != nil {
			return err
		}
		out.SetMapIndex(reflect.ValueOf(k), e)
		return nil
	})
	if err != nil {
		return err
	}
	v.Set(out)
	return nil
}

func (d *jsonDecoder) stringValue(s *awsmodel.Shape, dst reflect.Value) error {
	if d.next() != '"' {
		return d.mismatch(s)
	}
	str, err := d.string()
	if err != nil {
		return err
	}
	Alloc(dst).SetString(str)
	return nil
}

func (d *jsonDecoder) boolean(s *awsmodel.Shape, dst reflect.Value) error {
	switch {
	case d.literal("true"):
		Alloc(dst).SetBool(true)
	case d.literal("false"):
		Alloc(dst).SetBool(false)
	default:
		return d.mismatch(s)
	}
	return nil
}

func (d *jsonDecoder) integer(s *awsmodel.Shape, dst reflect.Value) error {
	if !d.atNumber() {
		return d.mismatch(s)
	}
	num, err := d.number()
	if err != nil {
		return err
	}
	i, perr := strconv.ParseInt(num, 10, 64)
	if perr != nil {
		d.note(failf("member "+memberSlot+": %q is not an integer", num))
		return nil
	}
	Alloc(dst).SetInt(i)
	return nil
}

// specialFloats are the values JSON cannot carry as numbers, which AWS sends as strings.
var specialFloats = map[string]float64{"NaN": math.NaN(), "Infinity": math.Inf(1), "-Infinity": math.Inf(-1)}

func (d *jsonDecoder) float(s *awsmodel.Shape, dst reflect.Value) error {
	if d.next() == '"' {
		str, err := d.string()
		if err != nil {
			return err
		}
		f, ok := specialFloats[str]
		if !ok {
			d.note(failf("unexpected JSON string for member "+memberSlot+" of type %s", s.Type))
			return nil
		}
		Alloc(dst).SetFloat(f)
		return nil
	}
	if !d.atNumber() {
		return d.mismatch(s)
	}
	f, ok, err := d.floatNumber(s)
	if err != nil || !ok {
		return err
	}
	Alloc(dst).SetFloat(f)
	return nil
}

// floatNumber reads a JSON number as a float64; ok is false when the number was recorded
// as the request's failure.
func (d *jsonDecoder) floatNumber(s *awsmodel.Shape) (f float64, ok bool, err error) {
	num, err := d.number()
	if err != nil {
		return 0, false, err
	}
	f, perr := strconv.ParseFloat(num, 64)
	if perr != nil {
		d.note(failf("unexpected JSON number for member "+memberSlot+" of type %s", s.Type))
		return 0, false, nil
	}
	return f, true, nil
}

// timestamp reads an ISO 8601 string or epoch seconds, whichever the client sent: AWS's
// JSON services accept both whatever the member's declared format.
func (d *jsonDecoder) timestamp(s *awsmodel.Shape, dst reflect.Value) error {
	var t time.Time
	switch {
	case d.next() == '"':
		str, err := d.string()
		if err != nil {
			return err
		}
		var perr error
		if t, perr = ParseTime(str); perr != nil {
			d.note(failf("member "+memberSlot+": %v", perr))
			return nil
		}
	case d.atNumber():
		f, ok, err := d.floatNumber(s)
		if err != nil || !ok {
			return err
		}
		t = UnixFloat(f)
	default:
		return d.mismatch(s)
	}
	Alloc(dst).Set(reflect.ValueOf(t))
	return nil
}

func (d *jsonDecoder) blob(s *awsmodel.Shape, dst reflect.Value) error {
	if d.next() != '"' {
		return d.mismatch(s)
	}
	str, err := d.string()
	if err != nil {
		return err
	}
	b, perr := base64.StdEncoding.DecodeString(str)
	if perr != nil {
		d.note(failf("member " + memberSlot + ": invalid base64"))
		return nil
	}
	Alloc(dst).SetBytes(b)
	return nil
}

// skip consumes one value of any type, checking its syntax.
func (d *jsonDecoder) skip() error {
	d.space()
	if d.pos >= len(d.data) {
		return d.malformed("unexpected end of input")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.members(func([]byte, bool) error { return d.skip() })
	case c == '[':
		return d.elements(func(int) error { return d.skip() })
	case c == '"':
		_, _, err := d.rawString()
		return err
	case d.literal("true"), d.literal("false"), d.literal("null"):
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.number()
		return err
	default:
		return d.malformed("unexpected %q", c)
	}
}

// number consumes a number as JSON's grammar spells it and returns its text.
func (d *jsonDecoder) number() (string, error) {
	start := d.pos
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case digits() == 0:
		return "", d.malformed("invalid number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return "", d.malformed("invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return "", d.malformed("invalid number")
		}
	}
	return string(d.data[start:d.pos]), nil
}

// rawString consumes a string and returns its bytes between the quotes, unescaped only
// if escaped is false, checking its syntax.
func (d *jsonDecoder) rawString() (raw []byte, escaped bool, err error) {
	d.pos++ // the opening quote
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			raw = d.data[start:d.pos]
			d.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			d.pos++
			if d.pos >= len(d.data) {
				return nil, false, d.malformed("unterminated string")
			}
			switch d.data[d.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.pos++
			case 'u':
				if len(d.data)-d.pos < 5 || !isHex4(d.data[d.pos+1:d.pos+5]) {
					return nil, false, d.malformed("invalid \\u escape")
				}
				d.pos += 5
			default:
				return nil, false, d.malformed("invalid escape")
			}
		case c < 0x20:
			return nil, false, d.malformed("control character in a string")
		case c >= utf8.RuneSelf:
			escaped = true // invalid UTF-8 is replaced, which unescape does
			d.pos++
		default:
			d.pos++
		}
	}
	return nil, false, d.malformed("unterminated string")
}

func (d *jsonDecoder) string() (string, error) {
	raw, escaped, err := d.rawString()
	if err != nil {
		return "", err
	}
	if !escaped {
		return string(raw), nil
	}
	return unescape(raw), nil
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func hex4(b []byte) rune {
	v, _ := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(v)
}

// unescape decodes the body of a JSON string already checked by rawString: escapes,
// surrogate pairs, and invalid UTF-8 replaced by U+FFFD.
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			i++
			switch raw[i] {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := hex4(raw[i+1:])
				i += 5
				if utf16.IsSurrogate(r) {
					if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						if r2 := utf16.DecodeRune(r, hex4(raw[i+2:])); r2 != utf8.RuneError {
							out = utf8.AppendRune(out, r2)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
				continue
			default: // '"', '\\', '/'
				out = append(out, raw[i])
			}
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes, as encoding/json
			i += size
		}
	}
	return string(out)
}
