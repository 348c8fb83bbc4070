// Package awsmodel holds the runtime form of the official AWS API models: the services,
// operations and shapes that the protocol codecs walk to decode requests, validate them and
// encode answers. The models themselves are generated into internal/gen/<service> (see
// internal/awsmodel/awsgen), each bound to the Go types generated beside it.
package awsmodel

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf16"
)

// Protocols named by the models' metadata.
const (
	ProtocolJSON     = "json"
	ProtocolQuery    = "query"
	ProtocolRESTJSON = "rest-json"
	// ProtocolEC2 is EC2's own query dialect: requests are query strings like the query
	// protocol's, but every list is flattened and named by the member's queryName or
	// capitalised locationName (see Member.EC2QueryName); answers are XML without a
	// Result wrapper, and errors are <Response><Errors><Error>.
	ProtocolEC2 = "ec2"
)

// API is one service's model.
type API struct {
	Metadata   Metadata
	Operations map[string]*Operation
	Shapes     map[string]*Shape
}

// Metadata is the model's metadata block.
type Metadata struct {
	APIVersion      string `json:"apiVersion"`
	EndpointPrefix  string `json:"endpointPrefix"`
	JSONVersion     string `json:"jsonVersion"`
	Protocol        string `json:"protocol"`
	ServiceFullName string `json:"serviceFullName"`
	ServiceID       string `json:"serviceId"`
	SigningName     string `json:"signingName"`
	TargetPrefix    string `json:"targetPrefix"`
	XMLNamespace    string `json:"xmlNamespace"`
	GlobalEndpoint  string `json:"globalEndpoint"`
}

// Signing is the name clients put in the SigV4 credential scope.
func (m Metadata) Signing() string {
	if m.SigningName != "" {
		return m.SigningName
	}
	return m.EndpointPrefix
}

// Operation is one API action.
type Operation struct {
	Name          string
	HTTP          HTTP
	Input         *Shape // nil when the model declares none
	Output        *Shape // nil when the model declares none
	ResultWrapper string // query protocol: the element wrapping the output
	Errors        []*Shape
	AuthType      string // "none" for unsigned operations such as sts:AssumeRoleWithWebIdentity
}

// HTTP is an operation's REST binding.
type HTTP struct {
	Method       string `json:"method"`
	RequestURI   string `json:"requestUri"`
	ResponseCode int    `json:"responseCode"`
}

// Shape types.
const (
	TypeStructure = "structure"
	TypeList      = "list"
	TypeMap       = "map"
	TypeString    = "string"
	TypeInteger   = "integer"
	TypeLong      = "long"
	TypeBoolean   = "boolean"
	TypeDouble    = "double"
	TypeFloat     = "float"
	TypeTimestamp = "timestamp"
	TypeBlob      = "blob"
)

// Shape is a model shape. Structures are bound to a generated Go struct type (GoType);
// other shapes map to fixed Go types (see GoKind).
type Shape struct {
	Name      string
	Type      string
	Members   []*Member          // structure members, in model order
	Member    *Member            // list element
	Key       *Member            // map key
	Value     *Member            // map value
	Flattened bool               // query/XML lists and maps without a wrapper element
	Enum      []string           // allowed string values
	Min, Max  *float64           // length (strings, blobs, lists, maps) or value (numbers)
	Pattern   string             // Java-style regular expression the whole value must match
	Timestamp string             // timestampFormat on the shape
	Exception bool               // an error shape
	Error     *ErrorTrait        // code and status of an error shape, when the model gives them
	Sensitive bool               // never logged
	Payload   string             // rest protocols: the member that is the whole body
	GoType    reflect.Type       // structures only
	byName    map[string]*Member // structure members by model name
	byWire    map[string]*Member // body members (no HTTP location) by wire name
	patternRE *regexp.Regexp
	patternOK bool // pattern compiled in Go's syntax; patterns Go cannot express are not checked

	// LocationName is the XML element name of a list shape's entries where the shape,
	// not the member that refers to it, gives one (two EC2 lists do).
	LocationName string
}

// ErrorTrait is the "error" block of an error shape.
type ErrorTrait struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    bool   `json:"senderFault"`
}

// Member is a structure member, or the element, key or value of a list or map.
type Member struct {
	Name         string // model member name ("" for list/map parts)
	Shape        *Shape
	LocationName string // wire name override
	QueryName    string // ec2 protocol: the request parameter's name, when it is not derived from LocationName
	Location     string // rest protocols: "uri", "querystring", "header", "headers", "statusCode"
	Flattened    bool
	XMLAttribute bool
	Timestamp    string // timestampFormat on the member, which wins over the shape's
	Required     bool
	// PathName is the member as AWS's validation messages name it: the name with its
	// first letter lower-cased ("secretId").
	PathName         string
	IdempotencyToken bool
	JSONValue        bool
	Field            int // index of the Go struct field for structure members
}

// MemberByName finds a structure member by its model name.
func (s *Shape) MemberByName(name string) *Member { return s.byName[name] }

// BodyMember finds a structure member that travels in a JSON body by its wire name; members
// bound to the URI, query string or headers are not found.
func (s *Shape) BodyMember(wireName string) *Member { return s.byWire[wireName] }

// WireName is the name a member has on the wire: its locationName, else its model name.
func (m *Member) WireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// EC2QueryName is the name a member has in an EC2 request (ec2 protocol): its queryName,
// else its locationName with the first letter upper-cased ("dryRun" -> "DryRun"), else its
// model name. This is the rule the SDKs serialize by (botocore's EC2Serializer).
func (m *Member) EC2QueryName() string {
	switch {
	case m.QueryName != "":
		return m.QueryName
	case m.LocationName != "":
		return GoName(m.LocationName)
	}
	return m.Name
}

// TimestampFormat is the member's timestamp format, falling back to the shape's and then to
// the protocol's default.
func (m *Member) TimestampFormat(protocolDefault string) string {
	switch {
	case m.Timestamp != "":
		return m.Timestamp
	case m.Shape.Timestamp != "":
		return m.Shape.Timestamp
	}
	return protocolDefault
}

// MatchPattern reports whether v satisfies the shape's pattern. Patterns written in Java
// syntax that Go's regexp cannot compile are treated as satisfied: a false refusal of a
// valid request would be worse than a missed refusal of an invalid one.
func (s *Shape) MatchPattern(v string) bool {
	if s.Pattern == "" || !s.patternOK {
		return true
	}
	return s.patternRE.MatchString(v)
}

// Field returns the Go struct field of a structure member in v, which must be the
// addressable struct value bound to the member's parent shape.
func (m *Member) FieldOf(v reflect.Value) reflect.Value { return v.Field(m.Field) }

// GoKind returns the reflect kind a shape type is represented by in generated code.
//
//	string -> *string, integer/long -> *int64, double/float -> *float64, boolean -> *bool,
//	timestamp -> *time.Time, blob -> []byte, list -> []T, map -> map[string]T,
//	structure -> *T in members, T in lists and maps.
func GoKind(shapeType string) reflect.Kind {
	switch shapeType {
	case TypeString:
		return reflect.String
	case TypeInteger, TypeLong:
		return reflect.Int64
	case TypeDouble, TypeFloat:
		return reflect.Float64
	case TypeBoolean:
		return reflect.Bool
	case TypeBlob, TypeList:
		return reflect.Slice
	case TypeMap:
		return reflect.Map
	case TypeTimestamp, TypeStructure:
		return reflect.Struct
	}
	return reflect.Invalid
}

// Empty is the Go type of operations that have no input or no output shape.
type Empty struct{}

// Load builds an API from a model document (the trimmed api-2.json written by awsgen) and
// binds every structure shape to its generated Go type, looked up by shape name in types.
func Load(doc []byte, types map[string]reflect.Type) (*API, error) {
	var raw rawAPI
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("awsmodel: parsing model: %w", err)
	}
	api := &API{Metadata: raw.Metadata, Operations: map[string]*Operation{}, Shapes: map[string]*Shape{}}
	for name, rs := range raw.Shapes {
		api.Shapes[name] = &Shape{
			Name: name, Type: rs.Type, Flattened: rs.Flattened, LocationName: rs.LocationName, Enum: rs.Enum,
			Min: rs.Min, Max: rs.Max, Pattern: rs.Pattern, Timestamp: rs.TimestampFormat,
			Exception: rs.Exception || rs.Error != nil, Error: rs.Error, Sensitive: rs.Sensitive, Payload: rs.Payload,
		}
	}
	ref := func(r *rawRef) (*Member, error) {
		if r == nil {
			return nil, nil
		}
		s, ok := api.Shapes[r.Shape]
		if !ok {
			return nil, fmt.Errorf("awsmodel: unknown shape %q", r.Shape)
		}
		return &Member{Shape: s, LocationName: r.LocationName, QueryName: r.QueryName, Location: r.Location,
			Flattened: r.Flattened, XMLAttribute: r.XMLAttribute, Timestamp: r.TimestampFormat,
			IdempotencyToken: r.IdempotencyToken, JSONValue: r.JSONValue}, nil
	}
	for name, rs := range raw.Shapes {
		s := api.Shapes[name]
		var err error
		if s.Member, err = ref(rs.Member); err != nil {
			return nil, err
		}
		if s.Key, err = ref(rs.Key); err != nil {
			return nil, err
		}
		if s.Value, err = ref(rs.Value); err != nil {
			return nil, err
		}
		if s.Type != TypeStructure {
			continue
		}
		required := map[string]bool{}
		for _, r := range rs.Required {
			required[r] = true
		}
		s.byName, s.byWire = map[string]*Member{}, map[string]*Member{}
		for _, rm := range rs.Members {
			m, err := ref(&rm)
			if err != nil {
				return nil, err
			}
			m.Name, m.Required = rm.Name, required[rm.Name]
			m.PathName = strings.ToLower(rm.Name[:1]) + rm.Name[1:]
			s.Members = append(s.Members, m)
			s.byName[rm.Name] = m
			if m.Location == "" {
				s.byWire[m.WireName()] = m
			}
		}
		if s.Exception {
			continue // errors are answered with awserr.Error, not decoded into Go values
		}
		t, ok := types[name]
		if !ok {
			return nil, fmt.Errorf("awsmodel: no Go type for structure %q", name)
		}
		s.GoType = t
		for _, m := range s.Members {
			f, ok := t.FieldByName(GoName(m.Name))
			if !ok {
				return nil, fmt.Errorf("awsmodel: %s has no field for member %q", t, m.Name)
			}
			m.Field = f.Index[0]
		}
	}
	for _, s := range api.Shapes {
		if s.Pattern == "" {
			continue
		}
		re, err := regexp.Compile(`^(?:` + goPattern(s.Pattern) + `)$`)
		s.patternRE, s.patternOK = re, err == nil
	}
	for name, ro := range raw.Operations {
		op := &Operation{Name: name, HTTP: ro.HTTP, AuthType: ro.AuthType}
		if ro.Input != nil {
			op.Input = api.Shapes[ro.Input.Shape]
		}
		if ro.Output != nil {
			op.Output = api.Shapes[ro.Output.Shape]
			op.ResultWrapper = ro.Output.ResultWrapper
		}
		for _, e := range ro.Errors {
			op.Errors = append(op.Errors, api.Shapes[e.Shape])
		}
		if op.HTTP.ResponseCode == 0 {
			op.HTTP.ResponseCode = 200
		}
		api.Operations[name] = op
	}
	return api, nil
}

// goPattern rewrites the Java regular-expression syntax of the models that Go's regexp
// spells differently: \uXXXX escapes, including the five- and six-digit ones the models
// use for supplementary planes (\u10000-\u10FFFF) and UTF-16 surrogate pairs
// (\uD800\uDC00 is U+10000), become \x{...}; Java's POSIX class \p{Print} becomes the
// printable ASCII range it stands for.
func goPattern(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); {
		switch {
		case strings.HasPrefix(p[i:], `\u`):
			r, n := javaUnicodeEscape(p[i:])
			if n == 0 {
				b.WriteByte(p[i])
				i++
				continue
			}
			fmt.Fprintf(&b, `\x{%X}`, r)
			i += n
		case strings.HasPrefix(p[i:], javaPrint):
			if inClass {
				b.WriteString(`\x20-\x7E`)
			} else {
				b.WriteString(`[\x20-\x7E]`)
			}
			i += len(javaPrint)
		case p[i] == '\\' && i+1 < len(p): // any other escape, \\ and \[ included, as it is
			b.WriteString(p[i : i+2])
			i += 2
		default:
			switch p[i] {
			case '[':
				inClass = true
			case ']':
				inClass = false
			}
			b.WriteByte(p[i])
			i++
		}
	}
	return b.String()
}

const javaPrint = `\p{Print}`

// javaUnicodeEscape reads the \u escape s starts with and returns its code point and length,
// or a length of 0 when s holds no valid escape. A high surrogate followed by a low one is
// one code point, as in Java's UTF-16 strings.
func javaUnicodeEscape(s string) (rune, int) {
	r, n := hexEscape(s)
	if n == 0 || !utf16.IsSurrogate(r) || r >= 0xDC00 {
		return r, n
	}
	if low, m := hexEscape(s[n:]); m == 6 && low >= 0xDC00 && low <= 0xDFFF {
		return utf16.DecodeRune(r, low), n + m
	}
	return r, n
}

// hexEscape reads \u and four to six hex digits; more than four only when they still name
// a code point.
func hexEscape(s string) (rune, int) {
	if !strings.HasPrefix(s, `\u`) {
		return 0, 0
	}
	j := 2
	for j < len(s) && j < 8 && isHex(s[j]) {
		j++
	}
	digits := s[2:j]
	if len(digits) > 4 {
		if v, err := strconv.ParseUint(digits, 16, 32); err != nil || v > unicode.MaxRune {
			digits = digits[:4]
		}
	}
	if len(digits) < 4 {
		return 0, 0
	}
	v, _ := strconv.ParseUint(digits, 16, 32)
	return rune(v), 2 + len(digits)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// GoName is the Go identifier of a model name: the name with its first letter upper-cased.
func GoName(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

type rawAPI struct {
	Metadata   Metadata                `json:"metadata"`
	Operations map[string]rawOperation `json:"operations"`
	Shapes     map[string]rawShape     `json:"shapes"`
}

type rawOperation struct {
	HTTP     HTTP     `json:"http"`
	Input    *rawRef  `json:"input"`
	Output   *rawRef  `json:"output"`
	Errors   []rawRef `json:"errors"`
	AuthType string   `json:"authtype"`
}

type rawShape struct {
	Type            string      `json:"type"`
	Members         []rawRef    `json:"members"` // in model order, each with its name
	Required        []string    `json:"required"`
	Member          *rawRef     `json:"member"`
	Key             *rawRef     `json:"key"`
	Value           *rawRef     `json:"value"`
	Flattened       bool        `json:"flattened"`
	LocationName    string      `json:"locationName"`
	Enum            []string    `json:"enum"`
	Min             *float64    `json:"min"`
	Max             *float64    `json:"max"`
	Pattern         string      `json:"pattern"`
	TimestampFormat string      `json:"timestampFormat"`
	Exception       bool        `json:"exception"`
	Error           *ErrorTrait `json:"error"`
	Sensitive       bool        `json:"sensitive"`
	Payload         string      `json:"payload"`
}

type rawRef struct {
	Name             string `json:"name"` // structure members only
	Shape            string `json:"shape"`
	LocationName     string `json:"locationName"`
	QueryName        string `json:"queryName"`
	Location         string `json:"location"`
	Flattened        bool   `json:"flattened"`
	XMLAttribute     bool   `json:"xmlAttribute"`
	TimestampFormat  string `json:"timestampFormat"`
	IdempotencyToken bool   `json:"idempotencyToken"`
	JSONValue        bool   `json:"jsonvalue"`
	ResultWrapper    string `json:"resultWrapper"`
}

// Lazy loads an API once, on first use. types is a function so that not even the table of
// Go types is built before then: a binary that links a model it never uses pays nothing
// for it at start-up. The gateway loads a service's model on its first request, so
// start-up loads none (LoadedModels counts them for the test that holds it to that).
func Lazy(doc []byte, types func() map[string]reflect.Type) func() *API {
	lazyModels.Lock()
	lazyModels.sources = append(lazyModels.sources, Source{Doc: doc, Types: types})
	lazyModels.Unlock()
	return sync.OnceValue(func() *API {
		api, err := Load(doc, types())
		if err != nil {
			panic(err) // generated models are checked by tests; this cannot happen at run time
		}
		loadedModels.Add(1)
		return api
	})
}

// Source is a model as Lazy was given it.
type Source struct {
	Doc   []byte
	Types func() map[string]reflect.Type
}

var (
	lazyModels struct {
		sync.Mutex
		sources []Source
	}
	loadedModels atomic.Int64
)

// Sources lists the models of the binary (those made with Lazy), for the benchmark that
// times loading each one.
func Sources() []Source {
	lazyModels.Lock()
	defer lazyModels.Unlock()
	return slices.Clone(lazyModels.sources)
}

// LoadedModels counts the models Lazy has loaded so far in this process.
func LoadedModels() int64 { return loadedModels.Load() }
