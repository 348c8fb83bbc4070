package awsmodel

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xregion/xregion/internal/awserr"
)

// Validation says how a service answers input that breaks its model's constraints. AWS's
// services differ: the JSON services answer ValidationException with the "N validation
// errors detected" text, IAM and STS the same text as ValidationError, and RDS
// MissingParameter / InvalidParameterValue.
type Validation struct {
	Invalid awserr.Kind // a value breaks a constraint
	Missing awserr.Kind // a required member is absent
	// MissingText writes the message for an absent member named by its wire path; nil
	// means the "N validation errors detected" form.
	MissingText func(wirePath string) string
	// SkipEnums leaves enum values to the service (some services accept values their
	// model does not list, or report them with their own text).
	SkipEnums bool
	// OwnPatterns names string shapes whose patterns the service checks itself, because
	// AWS reports them with a text of its own (IAM's paths).
	OwnPatterns map[string]bool
}

// CoralValidation is the validation style of most AWS services.
func CoralValidation(kind awserr.Kind) Validation { return Validation{Invalid: kind, Missing: kind} }

// Validate checks input, a pointer to op's input value, against the model's constraints:
// required members, lengths, ranges, patterns and enum values. The gateway calls it
// before a handler, with the decoded input; so does the in-process harness of a
// service's tests.
func (v Validation) Validate(op *Operation, input any) *awserr.Error {
	if op.Input == nil {
		return nil
	}
	c := checker{v: v}
	c.structure(op.Input, reflect.ValueOf(input).Elem())
	if c.missing != "" && v.MissingText != nil {
		return v.Missing.New("%s", v.MissingText(c.missing))
	}
	if len(c.errs) == 0 {
		return nil
	}
	kind := v.Invalid
	if c.onlyMissing {
		kind = v.Missing
	}
	noun := "errors"
	if len(c.errs) == 1 {
		noun = "error"
	}
	return kind.New("%d validation %s detected: %s", len(c.errs), noun, strings.Join(c.errs, "; "))
}

type checker struct {
	v           Validation
	errs        []string
	missing     string // wire path of the first absent required member
	onlyMissing bool
	// path and wire are the member names from the input down to the value being
	// checked, as messages name them ("addReplicaRegions", "1", "member", "region") and as
	// the wire does ("AddReplicaRegions", "1", "Region"). They are joined only when
	// something fails, so that valid input costs no string building.
	path, wire []string
}

// maxReported bounds the list in one message, as AWS does, so a huge bad request does not
// make a huge answer.
const maxReported = 10

func (c *checker) fail(value, constraint string) {
	if len(c.errs) == 0 {
		c.onlyMissing = value == "null"
	} else if value != "null" {
		c.onlyMissing = false
	}
	if len(c.errs) >= maxReported {
		return
	}
	subject := "Value " + value
	if value == "" {
		subject = "Value" // a sensitive member: AWS names it without its value
	}
	c.errs = append(c.errs, fmt.Sprintf("%s at '%s' failed to satisfy constraint: %s", subject, strings.Join(c.path, "."), constraint))
}

func (c *checker) push(path, wire string) {
	c.path, c.wire = append(c.path, path), append(c.wire, wire)
}
func (c *checker) pop() { c.path, c.wire = c.path[:len(c.path)-1], c.wire[:len(c.wire)-1] }

func (c *checker) structure(s *Shape, v reflect.Value) {
	for _, m := range s.Members {
		f := v.Field(m.Field)
		absent := IsAbsent(f)
		if absent && !m.Required {
			continue
		}
		c.push(m.PathName, m.WireName())
		if absent {
			if c.missing == "" {
				c.missing = strings.Join(c.wire, ".")
			}
			c.fail("null", "Member must not be null")
		} else {
			c.value(m.Shape, f)
		}
		c.pop()
	}
}

// IsAbsent reports whether a member's field holds no value: a nil pointer, slice or map
// (an empty list that was sent is present).
func IsAbsent(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return f.IsNil()
	}
	return false
}

func (c *checker) value(s *Shape, f reflect.Value) {
	v, ok := Indirect(f)
	if !ok {
		return
	}
	show := func() string {
		if s.Sensitive {
			// AWS leaves a sensitive value out of the message altogether: "Value at
			// 'plaintext' failed to satisfy constraint: ...".
			return ""
		}
		return "'" + display(v) + "'"
	}
	switch s.Type {
	case TypeStructure:
		if s.GoType != nil {
			c.structure(s, v)
		}
	case TypeList:
		c.length(s, v.Len(), show)
		for i := 0; i < v.Len(); i++ {
			n := strconv.Itoa(i + 1)
			c.push(n+".member", n)
			c.value(s.Member.Shape, v.Index(i))
			c.pop()
		}
	case TypeMap:
		c.length(s, v.Len(), show)
		iter := v.MapRange()
		for iter.Next() {
			c.push("key", "")
			c.value(s.Key.Shape, iter.Key())
			c.pop()
			c.push("value", "")
			c.value(s.Value.Shape, iter.Value())
			c.pop()
		}
	case TypeString:
		str := v.String()
		c.length(s, utf8.RuneCountInString(str), show)
		if len(s.Enum) > 0 && !c.v.SkipEnums && !slices.Contains(s.Enum, str) {
			c.fail(show(), "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		}
		if !c.v.OwnPatterns[s.Name] && !s.MatchPattern(str) {
			c.fail(show(), "Member must satisfy regular expression pattern: "+s.Pattern)
		}
	case TypeBlob:
		c.length(s, v.Len(), show)
	case TypeInteger, TypeLong:
		n := float64(v.Int())
		if s.Min != nil && n < *s.Min {
			c.fail(show(), "Member must have value greater than or equal to "+num(*s.Min))
		}
		if s.Max != nil && n > *s.Max {
			c.fail(show(), "Member must have value less than or equal to "+num(*s.Max))
		}
	case TypeDouble, TypeFloat:
		n := v.Float()
		if s.Min != nil && n < *s.Min {
			c.fail(show(), "Member must have value greater than or equal to "+num(*s.Min))
		}
		if s.Max != nil && n > *s.Max {
			c.fail(show(), "Member must have value less than or equal to "+num(*s.Max))
		}
	}
}

func (c *checker) length(s *Shape, n int, show func() string) {
	if s.Min != nil && float64(n) < *s.Min {
		c.fail(show(), "Member must have length greater than or equal to "+num(*s.Min))
	}
	if s.Max != nil && float64(n) > *s.Max {
		c.fail(show(), "Member must have length less than or equal to "+num(*s.Max))
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// display renders a value in a validation message, as AWS does: strings bare, lists in
// brackets.
func display(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.RFC3339)
		}
		return v.Type().Name()
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "java.nio.HeapByteBuffer"
		}
		parts := make([]string, v.Len())
		for i := range parts {
			e, _ := Indirect(v.Index(i))
			parts[i] = display(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v.Interface())
}

// Indirect follows pointers; it reports false for a nil pointer or invalid value.
func Indirect(v reflect.Value) (reflect.Value, bool) {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return v, false
		}
		v = v.Elem()
	}
	return v, v.IsValid()
}
