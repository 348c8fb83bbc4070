// Package query is the codec of the AWS query protocol (RDS, IAM, STS): parameters as a
// form (POST body or GET query string) with Action and Version, answers as XML wrapped in
// <OperationResponse><OperationResult>, errors as <ErrorResponse>.
package query

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/protocol"
)

// Codec serves one query-protocol API.
type Codec struct {
	api *awsmodel.API
}

var _ protocol.Codec = (*Codec)(nil)

// New returns the codec for api.
func New(api *awsmodel.API) *Codec { return &Codec{api: api} }

// Params returns the request's parameters: the query string merged with a form body.
func Params(r *http.Request, body []byte) (url.Values, error) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if r.Method == http.MethodPost && len(body) > 0 {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "" && ct != "application/x-www-form-urlencoded" {
			return nil, fmt.Errorf("unsupported content type %q", ct)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	return params, nil
}

func (c *Codec) Decode(r *http.Request, body []byte) (*awsmodel.Operation, any, error) {
	op, params, err := Action(c.api, r, body)
	if err != nil {
		return nil, nil, err
	}
	in, err := Query.Decode(op, params)
	if err != nil {
		return op, nil, err
	}
	return op, in, nil
}

// Action reads a request of the query family: its parameters and the operation of api
// its Action names, refused as AWS refuses a malformed, missing or unknown action.
func Action(api *awsmodel.API, r *http.Request, body []byte) (*awsmodel.Operation, url.Values, error) {
	params, err := Params(r, body)
	if err != nil {
		return nil, nil, awserr.MalformedQueryString.New("%s", err.Error())
	}
	action := params.Get("Action")
	if action == "" {
		return nil, nil, awserr.MissingAction.New("Missing Action")
	}
	op, ok := api.Operations[action]
	if !ok {
		return nil, nil, awserr.InvalidAction.New("The action %s is not valid for this web service.", action)
	}
	return op, params, nil
}

// Dialect is how a protocol of the query family spells an input's members as parameters:
// the query protocol by their wire names, with lists and maps wrapped unless the model
// flattens them; EC2 by its query names, with every list flattened.
type Dialect struct {
	// Name is the parameter name of a structure member.
	Name func(m *awsmodel.Member) string
	// Flat makes every list and map flattened, whatever the model says.
	Flat bool
}

// Query is the query protocol's dialect.
var Query = Dialect{Name: queryName}

// queryName names a member by its wire name, or for a flattened list by the name of its
// elements when the model gives one.
func queryName(m *awsmodel.Member) string {
	if m.Shape.Type == awsmodel.TypeList && (m.Flattened || m.Shape.Flattened) && m.Shape.Member.LocationName != "" {
		return m.Shape.Member.LocationName
	}
	return m.WireName()
}

// Decode decodes params into a new value of op's input type.
func (d Dialect) Decode(op *awsmodel.Operation, params url.Values) (any, error) {
	in := protocol.NewInput(op)
	if op.Input != nil {
		if err := d.decodeStruct(op.Input, parse(params), reflect.ValueOf(in).Elem(), ""); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func (d Dialect) flat(s *awsmodel.Shape, m *awsmodel.Member) bool {
	return d.Flat || s.Flattened || (m != nil && m.Flattened)
}

func (c *Codec) NotImplemented(operation string) *awserr.Error {
	return awserr.InvalidAction.New("xregion does not implement %s:%s", c.api.Metadata.EndpointPrefix, operation)
}

// node is one level of the dotted parameter names: "Filters.Filter.1.Name" is the path
// Filters -> Filter -> 1 -> Name.
type node struct {
	value string
	set   bool
	kids  map[string]*node
}

func parse(params url.Values) *node {
	root := &node{}
	for key, values := range params {
		n := root
		for part := range strings.SplitSeq(key, ".") {
			if n.kids == nil {
				n.kids = map[string]*node{}
			}
			k := n.kids[part]
			if k == nil {
				k = &node{}
				n.kids[part] = k
			}
			n = k
		}
		n.value, n.set = values[0], true
	}
	return root
}

// indexed returns the children of n named by positive integers, in numeric order.
func (n *node) indexed() []*node {
	type item struct {
		i int
		n *node
	}
	var items []item
	for k, kid := range n.kids {
		if i, err := strconv.Atoi(k); err == nil && i > 0 {
			items = append(items, item{i, kid})
		}
	}
	sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	out := make([]*node, len(items))
	for i, it := range items {
		out[i] = it.n
	}
	return out
}

func invalid(path, value string, why string) error {
	return awserr.InvalidParameterValue.New("Value (%s) for parameter %s is invalid. %s", value, path, why)
}

func (d Dialect) decodeStruct(s *awsmodel.Shape, n *node, dst reflect.Value, path string) error {
	for _, m := range s.Members {
		name := d.Name(m)
		kid := n.kids[name]
		if kid == nil {
			continue
		}
		p := name
		if path != "" {
			p = path + "." + name
		}
		if err := d.decodeValue(m.Shape, m, kid, dst.Field(m.Field), p); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue decodes the parameters under n into dst, a value of shape s.
func (d Dialect) decodeValue(s *awsmodel.Shape, m *awsmodel.Member, n *node, dst reflect.Value, path string) error {
	switch s.Type {
	case awsmodel.TypeStructure:
		if n.kids == nil && n.set && n.value == "" {
			return nil
		}
		return d.decodeStruct(s, n, protocol.Alloc(dst), path)
	case awsmodel.TypeList:
		return d.decodeList(s, m, n, dst, path)
	case awsmodel.TypeMap:
		return d.decodeMap(s, m, n, dst, path)
	}
	if !n.set {
		return nil
	}
	return decodeScalar(s, n.value, protocol.Alloc(dst), path)
}

// decodeList reads Name.member.1, Name.member.2, … (or Name.1, … for flattened lists).
func (d Dialect) decodeList(s *awsmodel.Shape, m *awsmodel.Member, n *node, dst reflect.Value, path string) error {
	items := n
	if !d.flat(s, m) {
		name := s.Member.LocationName
		if name == "" {
			name = "member"
		}
		items = n.kids[name]
	}
	v := protocol.Alloc(dst)
	var elems []*node
	if items != nil {
		elems = items.indexed()
	}
	// "Name=" with no elements is how clients send an empty list.
	out := reflect.MakeSlice(v.Type(), len(elems), len(elems))
	for i, e := range elems {
		if err := d.decodeValue(s.Member.Shape, s.Member, e, out.Index(i), fmt.Sprintf("%s.%d", path, i+1)); err != nil {
			return err
		}
	}
	v.Set(out)
	return nil
}

// decodeMap reads Name.entry.N.key and Name.entry.N.value (or the model's location names);
// an entry without a key is skipped.
func (d Dialect) decodeMap(s *awsmodel.Shape, m *awsmodel.Member, n *node, dst reflect.Value, path string) error {
	entries := n
	if !d.flat(s, m) {
		entries = n.kids["entry"]
	}
	v := protocol.Alloc(dst)
	out := reflect.MakeMap(v.Type())
	keyName, valueName := "key", "value"
	if s.Key.LocationName != "" {
		keyName = s.Key.LocationName
	}
	if s.Value.LocationName != "" {
		valueName = s.Value.LocationName
	}
	if entries != nil {
		for _, e := range entries.indexed() {
			k, val := e.kids[keyName], e.kids[valueName]
			if k == nil {
				continue
			}
			ev := reflect.New(v.Type().Elem()).Elem()
			if val != nil {
				if err := d.decodeValue(s.Value.Shape, s.Value, val, ev, path+"."+k.value); err != nil {
					return err
				}
			}
			out.SetMapIndex(reflect.ValueOf(k.value), ev)
		}
	}
	v.Set(out)
	return nil
}

// decodeScalar parses one parameter's text into v, answering AWS's InvalidParameterValue
// for text that is not of the shape's type.
func decodeScalar(s *awsmodel.Shape, text string, v reflect.Value, path string) error {
	switch s.Type {
	case awsmodel.TypeString:
		v.SetString(text)
	case awsmodel.TypeBoolean:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return invalid(path, text, "It must be true or false.")
		}
		v.SetBool(b)
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		i, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return invalid(path, text, "It must be an integer.")
		}
		v.SetInt(i)
	case awsmodel.TypeDouble, awsmodel.TypeFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return invalid(path, text, "It must be a number.")
		}
		v.SetFloat(f)
	case awsmodel.TypeTimestamp:
		t, err := protocol.ParseTime(text)
		if err != nil {
			return invalid(path, text, "It must be an ISO 8601 timestamp.")
		}
		v.Set(reflect.ValueOf(t))
	case awsmodel.TypeBlob:
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return invalid(path, text, "It must be base64-encoded.")
		}
		v.SetBytes(b)
	}
	return nil
}

// Encode writes <OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata>.
func (c *Codec) Encode(w http.ResponseWriter, op *awsmodel.Operation, output any, requestID string) {
	var b bytes.Buffer
	b.Grow(1024)
	ns := c.api.Metadata.XMLNamespace
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, op.Name, ns)
	if op.Output != nil && output != nil {
		wrapper := op.ResultWrapper
		if wrapper == "" {
			wrapper = op.Name + "Result"
		}
		b.WriteString("<" + wrapper + ">")
		WriteMembers(&b, op.Output, reflect.ValueOf(output).Elem())
		b.WriteString("</" + wrapper + ">")
	}
	fmt.Fprintf(&b, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, requestID, op.Name)
	WriteXML(w, http.StatusOK, b.Bytes(), requestID)
}

// EncodeError writes AWS's query error document.
func (c *Codec) EncodeError(w http.ResponseWriter, _ *awsmodel.Operation, e *awserr.Error, requestID string) {
	var b bytes.Buffer
	fault := "Sender"
	if !e.Sender {
		fault = "Receiver"
	}
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>`, c.api.Metadata.XMLNamespace, fault)
	Escape(&b, e.Code)
	b.WriteString("</Code><Message>")
	Escape(&b, e.Message)
	fmt.Fprintf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", requestID)
	WriteXML(w, e.Status, b.Bytes(), requestID)
}

// WriteXML writes an XML answer with its status and request id.
func WriteXML(w http.ResponseWriter, status int, body []byte, requestID string) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Escape writes s as XML character data.
func Escape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

// WriteMembers writes the members of v, a value of the structure s, as XML elements named
// by their wire names: the body of a query answer, and of an EC2 one.
func WriteMembers(b *bytes.Buffer, s *awsmodel.Shape, v reflect.Value) {
	for _, m := range s.Members {
		f := v.Field(m.Field)
		if absent(f) {
			continue
		}
		writeValue(b, m.WireName(), m.Shape, m, f)
	}
}

func absent(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return f.IsNil()
	}
	return false
}

func writeValue(b *bytes.Buffer, name string, s *awsmodel.Shape, m *awsmodel.Member, f reflect.Value) {
	v, ok := awsmodel.Indirect(f)
	if !ok {
		return
	}
	switch s.Type {
	case awsmodel.TypeStructure:
		b.WriteString("<" + name + ">")
		WriteMembers(b, s, v)
		b.WriteString("</" + name + ">")
		return
	case awsmodel.TypeList:
		flat := s.Flattened || (m != nil && m.Flattened)
		elem := s.Member.LocationName
		if flat {
			if elem == "" {
				elem = name
			}
		} else {
			if elem == "" {
				elem = "member"
			}
			b.WriteString("<" + name + ">")
		}
		for i := 0; i < v.Len(); i++ {
			writeValue(b, elem, s.Member.Shape, s.Member, v.Index(i))
		}
		if !flat {
			b.WriteString("</" + name + ">")
		}
		return
	case awsmodel.TypeMap:
		flat := s.Flattened || (m != nil && m.Flattened)
		keyName, valueName := "key", "value"
		if s.Key.LocationName != "" {
			keyName = s.Key.LocationName
		}
		if s.Value.LocationName != "" {
			valueName = s.Value.LocationName
		}
		if !flat {
			b.WriteString("<" + name + ">")
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			entry := "entry"
			if flat {
				entry = name
			}
			b.WriteString("<" + entry + "><" + keyName + ">")
			Escape(b, k.String())
			b.WriteString("</" + keyName + ">")
			writeValue(b, valueName, s.Value.Shape, s.Value, v.MapIndex(k))
			b.WriteString("</" + entry + ">")
		}
		if !flat {
			b.WriteString("</" + name + ">")
		}
		return
	}
	b.WriteString("<" + name + ">")
	switch s.Type {
	case awsmodel.TypeString:
		Escape(b, v.String())
	case awsmodel.TypeBoolean:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case awsmodel.TypeDouble, awsmodel.TypeFloat:
		b.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, 64))
	case awsmodel.TypeTimestamp:
		format := protocol.TimestampISO8601
		if m != nil {
			format = m.TimestampFormat(format)
		}
		b.WriteString(protocol.FormatTime(v.Interface().(time.Time), format))
	case awsmodel.TypeBlob:
		b.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
	}
	b.WriteString("</" + name + ">")
}
