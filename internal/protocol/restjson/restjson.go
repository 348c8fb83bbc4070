// Package restjson is the codec of the AWS REST-JSON protocol (AWS Backup): the operation
// is found from the method and path, members are bound to URI labels, query parameters,
// headers and a JSON body, and errors carry X-Amzn-Errortype.
package restjson

import (
	"encoding/base64"
	"fmt"
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
	"github.com/xregion/xregion/internal/protocol/awsjson"
)

// Codec serves one REST-JSON API.
type Codec struct {
	api    *awsmodel.API
	routes map[string][]*route // by method, most specific first
}

var _ protocol.Codec = (*Codec)(nil)

// route is an operation's request URI split into segments.
type route struct {
	op       *awsmodel.Operation
	segments []segment
	query    url.Values // fixed query parameters the URI names ("?versions")
	literals int
}

type segment struct {
	literal string
	label   string // member bound to this segment
	greedy  bool   // {label+} takes the rest of the path
}

// New returns the codec for api.
func New(api *awsmodel.API) *Codec {
	c := &Codec{api: api, routes: map[string][]*route{}}
	for _, op := range api.Operations {
		rt := &route{op: op}
		path, rawQuery, _ := strings.Cut(op.HTTP.RequestURI, "?")
		rt.query, _ = url.ParseQuery(rawQuery)
		for _, part := range splitPath(path) {
			if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
				label := part[1 : len(part)-1]
				greedy := strings.HasSuffix(label, "+")
				rt.segments = append(rt.segments, segment{label: strings.TrimSuffix(label, "+"), greedy: greedy})
				continue
			}
			rt.segments = append(rt.segments, segment{literal: part})
			rt.literals++
		}
		c.routes[op.HTTP.Method] = append(c.routes[op.HTTP.Method], rt)
	}
	for _, rs := range c.routes {
		// Literal segments win over labels: POST /backup-vaults/{n}/recovery-points/{arn}/disassociate
		// must not be taken for POST /backup-vaults/{n}/recovery-points/{arn}.
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].literals != rs[j].literals {
				return rs[i].literals > rs[j].literals
			}
			if len(rs[i].query) != len(rs[j].query) {
				return len(rs[i].query) > len(rs[j].query)
			}
			return rs[i].op.Name < rs[j].op.Name
		})
	}
	return c
}

// splitPath splits a path into its segments, ignoring empty ones: AWS treats
// "/backup/plans/" and "/backup/plans" alike.
func splitPath(p string) []string {
	var out []string
	for s := range strings.SplitSeq(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// match returns the labels bound by the route, or false.
func (rt *route) match(segs []string, query url.Values) (map[string]string, bool) {
	for k, want := range rt.query {
		got, ok := query[k]
		if !ok || (len(want) > 0 && want[0] != "" && (len(got) == 0 || got[0] != want[0])) {
			return nil, false
		}
	}
	labels := map[string]string{}
	for i, s := range rt.segments {
		if s.greedy {
			if i >= len(segs) {
				return nil, false
			}
			labels[s.label] = strings.Join(segs[i:], "/")
			return labels, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if s.label != "" {
			labels[s.label] = segs[i]
		} else if s.literal != segs[i] {
			return nil, false
		}
	}
	return labels, len(segs) == len(rt.segments)
}

func (c *Codec) find(r *http.Request) (*route, map[string]string, *awserr.Error) {
	var segs []string
	for _, raw := range splitPath(r.URL.EscapedPath()) {
		s, err := url.PathUnescape(raw)
		if err != nil {
			return nil, nil, awserr.SerializationException.New("malformed path segment %q", raw)
		}
		segs = append(segs, s)
	}
	query := r.URL.Query()
	for _, rt := range c.routes[r.Method] {
		if labels, ok := rt.match(segs, query); ok {
			return rt, labels, nil
		}
	}
	e := awserr.UnknownOperationException.New("No operation matches %s %s", r.Method, r.URL.Path)
	e.Status = http.StatusNotFound
	return nil, nil, e
}

func (c *Codec) Decode(r *http.Request, body []byte) (*awsmodel.Operation, any, error) {
	rt, labels, aerr := c.find(r)
	if aerr != nil {
		return nil, nil, aerr
	}
	op := rt.op
	in := protocol.NewInput(op)
	if op.Input == nil {
		return op, in, nil
	}
	v := reflect.ValueOf(in).Elem()
	query := r.URL.Query()
	for _, m := range op.Input.Members {
		var err error
		switch m.Location {
		case "uri":
			if s, ok := labels[m.WireName()]; ok {
				err = setScalar(m, s, v.Field(m.Field), protocol.TimestampISO8601)
			}
		case "querystring":
			err = decodeQuery(m, query, v.Field(m.Field))
		case "header":
			if s := r.Header.Get(m.WireName()); s != "" {
				err = setScalar(m, s, v.Field(m.Field), protocol.TimestampRFC822)
			}
		case "headers":
			prefix := strings.ToLower(m.WireName())
			out := map[string]string{}
			for k := range r.Header {
				if strings.HasPrefix(strings.ToLower(k), prefix) {
					out[k[len(prefix):]] = r.Header.Get(k)
				}
			}
			if len(out) > 0 {
				v.Field(m.Field).Set(reflect.ValueOf(out))
			}
		}
		if err != nil {
			return op, nil, awserr.SerializationException.New("%s", err.Error())
		}
	}
	if p := op.Input.Payload; p != "" {
		m := op.Input.MemberByName(p)
		if len(body) > 0 {
			var err error
			switch m.Shape.Type {
			case awsmodel.TypeStructure:
				err = protocol.DecodeJSON(m.Shape, body, protocol.Alloc(v.Field(m.Field)))
			case awsmodel.TypeBlob:
				v.Field(m.Field).SetBytes(body)
			default:
				err = setScalar(m, string(body), v.Field(m.Field), protocol.TimestampISO8601)
			}
			if err != nil {
				return op, nil, awserr.SerializationException.New("%s", err.Error())
			}
		}
		return op, in, nil
	}
	if err := protocol.DecodeJSON(op.Input, body, v); err != nil {
		return op, nil, awserr.SerializationException.New("%s", err.Error())
	}
	return op, in, nil
}

func decodeQuery(m *awsmodel.Member, query url.Values, dst reflect.Value) error {
	switch m.Shape.Type {
	case awsmodel.TypeList:
		vals, ok := query[m.WireName()]
		if !ok {
			return nil
		}
		out := reflect.MakeSlice(dst.Type(), len(vals), len(vals))
		for i, s := range vals {
			if err := setScalar(m.Shape.Member, s, out.Index(i), protocol.TimestampISO8601); err != nil {
				return err
			}
		}
		dst.Set(out)
	case awsmodel.TypeMap:
		// A map bound to the query string takes every parameter no other member names.
		out := reflect.MakeMap(dst.Type())
		for k, vals := range query {
			if len(vals) > 0 {
				out.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(vals[0]))
			}
		}
		dst.Set(out)
	default:
		if vals, ok := query[m.WireName()]; ok && len(vals) > 0 {
			return setScalar(m, vals[0], dst, protocol.TimestampISO8601)
		}
	}
	return nil
}

func setScalar(m *awsmodel.Member, s string, dst reflect.Value, tsDefault string) error {
	v := protocol.Alloc(dst)
	name := m.WireName()
	switch m.Shape.Type {
	case awsmodel.TypeString:
		v.SetString(s)
	case awsmodel.TypeBoolean:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%s: %q is not a boolean", name, s)
		}
		v.SetBool(b)
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not an integer", name, s)
		}
		v.SetInt(i)
	case awsmodel.TypeDouble, awsmodel.TypeFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", name, s)
		}
		v.SetFloat(f)
	case awsmodel.TypeTimestamp:
		t, err := protocol.ParseTime(s)
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		v.Set(reflect.ValueOf(t))
	case awsmodel.TypeBlob:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return fmt.Errorf("%s: invalid base64", name)
		}
		v.SetBytes(b)
	default:
		return fmt.Errorf("%s: cannot bind a %s to the request line", name, m.Shape.Type)
	}
	return nil
}

func (c *Codec) NotImplemented(operation string) *awserr.Error {
	return awserr.UnknownOperationException.New("xregion does not implement %s:%s", c.api.Metadata.EndpointPrefix, operation)
}

func (c *Codec) Encode(w http.ResponseWriter, op *awsmodel.Operation, output any, requestID string) {
	h := w.Header()
	h.Set("X-Amzn-Requestid", requestID)
	status := op.HTTP.ResponseCode
	var body []byte
	if op.Output != nil && output != nil {
		v := reflect.ValueOf(output).Elem()
		for _, m := range op.Output.Members {
			f := v.Field(m.Field)
			fv, ok := awsmodel.Indirect(f)
			if !ok {
				continue
			}
			switch m.Location {
			case "header":
				h.Set(m.WireName(), headerValue(m, fv))
			case "headers":
				iter := fv.MapRange()
				for iter.Next() {
					h.Set(m.WireName()+iter.Key().String(), iter.Value().String())
				}
			case "statusCode":
				status = int(fv.Int())
			}
		}
		if p := op.Output.Payload; p != "" {
			m := op.Output.MemberByName(p)
			if fv, ok := awsmodel.Indirect(v.Field(m.Field)); ok {
				switch m.Shape.Type {
				case awsmodel.TypeStructure:
					body = protocol.AppendJSON(nil, m.Shape, fv)
				case awsmodel.TypeBlob:
					body = fv.Bytes()
				default:
					body = []byte(fv.String())
				}
			}
		} else {
			body = protocol.AppendJSON(make([]byte, 0, 512), op.Output, v)
		}
	}
	if body == nil && status != http.StatusNoContent {
		body = []byte("{}")
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func headerValue(m *awsmodel.Member, v reflect.Value) string {
	switch m.Shape.Type {
	case awsmodel.TypeTimestamp:
		return protocol.FormatTime(v.Interface().(time.Time), m.TimestampFormat(protocol.TimestampRFC822))
	case awsmodel.TypeBoolean:
		return strconv.FormatBool(v.Bool())
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		return strconv.FormatInt(v.Int(), 10)
	}
	return v.String()
}

// EncodeError writes the error with its code in X-Amzn-Errortype and a JSON body that
// carries the code again in "Code", as AWS Backup's error shapes declare it.
func (c *Codec) EncodeError(w http.ResponseWriter, _ *awsmodel.Operation, e *awserr.Error, requestID string) {
	fields := map[string]string{"Code": e.Code}
	for k, v := range e.Fields {
		fields[k] = v
	}
	withCode := *e
	withCode.Fields = fields
	body := awsjson.ErrorBody(&withCode)
	h := w.Header()
	h.Set("X-Amzn-Errortype", e.Code)
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
