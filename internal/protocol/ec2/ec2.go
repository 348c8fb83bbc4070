// Package ec2 is the codec of EC2's own query dialect (the "ec2" protocol of the models):
// parameters as a form, like the query protocol's, but every list flattened and every
// member named by its EC2 query name ("Filter.1.Name", "Filter.1.Value.1",
// "TagSpecification.1.Tag.1.Key"); answers as XML without a Result wrapper
// (<XxxResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>…), and errors
// as <Response><Errors><Error>. EC2 refuses input that breaks its model here, with its own
// errors (MissingParameter, InvalidParameterValue), before the service sees it.
package ec2

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/protocol"
	"github.com/xregion/xregion/internal/protocol/query"
)

// Codec serves one EC2-protocol API.
type Codec struct {
	api *awsmodel.API
	ns  string
}

var _ protocol.Codec = (*Codec)(nil)

// dialect is how the SDKs spell EC2 parameters (botocore's EC2Serializer): every member
// by its query name, every list flattened ("Name.1", "Name.2").
var dialect = query.Dialect{Name: (*awsmodel.Member).EC2QueryName, Flat: true}

// New returns the codec for api.
func New(api *awsmodel.API) *Codec {
	// The models give the namespace without the trailing slash EC2 writes.
	return &Codec{api: api, ns: api.Metadata.XMLNamespace + "/"}
}

func (c *Codec) Decode(r *http.Request, body []byte) (*awsmodel.Operation, any, error) {
	op, params, err := query.Action(c.api, r, body)
	if err != nil {
		return nil, nil, err
	}
	in, err := dialect.Decode(op, params)
	if err != nil {
		return op, nil, err
	}
	if op.Input != nil {
		if err := check(op.Input, reflect.ValueOf(in).Elem(), ""); err != nil {
			return op, nil, err
		}
	}
	return op, in, nil
}

func (c *Codec) NotImplemented(operation string) *awserr.Error {
	return awserr.InvalidAction.New("xregion does not implement %s:%s", c.api.Metadata.EndpointPrefix, operation)
}

// Encode writes <OpResponse xmlns=...><requestId>...</requestId>members</OpResponse>.
// Operations without an output answer <return>true</return>, as EC2 does.
func (c *Codec) Encode(w http.ResponseWriter, op *awsmodel.Operation, output any, requestID string) {
	var b bytes.Buffer
	b.Grow(1024)
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="%s"><requestId>`, op.Name, c.ns)
	query.Escape(&b, requestID)
	b.WriteString("</requestId>")
	if op.Output != nil && output != nil {
		query.WriteMembers(&b, op.Output, reflect.ValueOf(output).Elem())
	} else {
		b.WriteString("<return>true</return>")
	}
	fmt.Fprintf(&b, "</%sResponse>", op.Name)
	query.WriteXML(w, http.StatusOK, b.Bytes(), requestID)
}

// EncodeError writes EC2's error document, which differs from the query protocol's: a
// <Response> with a list of <Errors> and a <RequestID>.
func (c *Codec) EncodeError(w http.ResponseWriter, _ *awsmodel.Operation, e *awserr.Error, requestID string) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Response><Errors><Error><Code>`)
	query.Escape(&b, e.Code)
	b.WriteString("</Code><Message>")
	query.Escape(&b, e.Message)
	b.WriteString("</Message></Error></Errors><RequestID>")
	query.Escape(&b, requestID)
	b.WriteString("</RequestID></Response>")
	query.WriteXML(w, e.Status, b.Bytes(), requestID)
}
