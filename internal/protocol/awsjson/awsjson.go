// Package awsjson is the codec of the AWS JSON 1.0/1.1 protocol (Secrets Manager, KMS):
// POST / with the operation in X-Amz-Target, a JSON body in, a JSON body out, and errors
// as {"__type": code, "Message": text}.
package awsjson

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/jsonappend"
	"github.com/xregion/xregion/internal/protocol"
)

// Codec serves one JSON-protocol API.
type Codec struct {
	api         *awsmodel.API
	contentType string
}

var _ protocol.Codec = (*Codec)(nil)

// New returns the codec for api.
func New(api *awsmodel.API) *Codec {
	v := api.Metadata.JSONVersion
	if v == "" {
		v = "1.0"
	}
	return &Codec{api: api, contentType: "application/x-amz-json-" + v}
}

// Target splits an X-Amz-Target header into its prefix and operation.
func Target(r *http.Request) (prefix, operation string, ok bool) {
	// The operation follows the last dot: some prefixes have dots of their own
	// (CloudTrail's "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101").
	target := r.Header.Get("X-Amz-Target")
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return target, "", false
	}
	return target[:i], target[i+1:], true
}

func (c *Codec) Decode(r *http.Request, body []byte) (*awsmodel.Operation, any, error) {
	prefix, name, ok := Target(r)
	if !ok || prefix != c.api.Metadata.TargetPrefix {
		return nil, nil, awserr.UnknownOperationException.New("")
	}
	op, ok := c.api.Operations[name]
	if !ok {
		return nil, nil, awserr.UnknownOperationException.New("")
	}
	if r.Method != http.MethodPost {
		return op, nil, awserr.UnknownOperationException.New("")
	}
	in := protocol.NewInput(op)
	if op.Input != nil {
		if err := protocol.DecodeJSON(op.Input, body, reflect.ValueOf(in).Elem()); err != nil {
			return op, nil, awserr.SerializationException.New("%s", err.Error())
		}
	}
	return op, in, nil
}

func (c *Codec) NotImplemented(operation string) *awserr.Error {
	return awserr.UnknownOperationException.New("xregion does not implement %s:%s", c.api.Metadata.EndpointPrefix, operation)
}

func (c *Codec) Encode(w http.ResponseWriter, op *awsmodel.Operation, output any, requestID string) {
	body := []byte("{}")
	if op.Output != nil && output != nil {
		body = protocol.AppendJSON(make([]byte, 0, 512), op.Output, reflect.ValueOf(output).Elem())
	}
	c.write(w, http.StatusOK, body, requestID)
}

func (c *Codec) EncodeError(w http.ResponseWriter, _ *awsmodel.Operation, e *awserr.Error, requestID string) {
	w.Header().Set("X-Amzn-Errortype", e.Code)
	b := errorBody(e, c.errorType(e.Code))
	c.write(w, e.Status, c.appendMembers(b, e), requestID)
}

// errorNamespaces are the services whose __type names the error with its Smithy
// namespace, as they answer on the wire: DynamoDB says
// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" where KMS says
// "NotFoundException". Clients keep what follows the '#'.
var errorNamespaces = map[string]string{"DynamoDB": "com.amazonaws.dynamodb.v20120810#"}

// errorType is the __type of an error: the code, with the service's namespace for its
// own errors and Coral's for the common ones, where the service spells them so.
func (c *Codec) errorType(code string) string {
	ns, ok := errorNamespaces[c.api.Metadata.ServiceID]
	if !ok {
		return code
	}
	if s := c.api.Shapes[code]; s != nil && s.Exception {
		return ns + code
	}
	if code == awserr.ValidationException.Code {
		return "com.amazon.coral.validate#" + code
	}
	return "com.amazon.coral.service#" + code
}

// appendMembers closes an error body with the structured members of its shape.
func (c *Codec) appendMembers(b []byte, e *awserr.Error) []byte {
	s := c.api.Shapes[e.Code]
	if len(e.Members) == 0 || s == nil {
		return b
	}
	b = b[:len(b)-1] // reopen the object
	for _, m := range s.Members {
		val, ok := e.Members[m.Name]
		if !ok {
			continue
		}
		b = append(b, ',')
		b = jsonappend.String(b, m.WireName())
		b = append(b, ':')
		b = protocol.AppendJSONMember(b, m, reflect.ValueOf(val))
	}
	return append(b, '}')
}

// ErrorBody is the JSON body of an error answer, shared with the REST-JSON codec.
func ErrorBody(e *awserr.Error) []byte { return errorBody(e, e.Code) }

func errorBody(e *awserr.Error, errorType string) []byte {
	b := append(make([]byte, 0, 128), `{"__type":`...)
	b = jsonappend.String(b, errorType)
	field := e.MessageField
	if field == "" {
		field = "Message"
	}
	b = append(b, ',')
	b = jsonappend.String(b, field)
	b = append(b, ':')
	b = jsonappend.String(b, e.Message)
	for k, v := range e.Fields {
		b = append(b, ',')
		b = jsonappend.String(b, k)
		b = append(b, ':')
		b = jsonappend.String(b, v)
	}
	return append(b, '}')
}

func (c *Codec) write(w http.ResponseWriter, status int, body []byte, requestID string) {
	h := w.Header()
	h.Set("Content-Type", c.contentType)
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
