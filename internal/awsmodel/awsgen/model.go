package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// model is the part of a service-2.json that xregion uses, with members kept in model order.
type model struct {
	Metadata   map[string]any
	Operations []*operation
	Shapes     map[string]*shape
}

type operation struct {
	Name     string `json:"-"`
	HTTP     any    `json:"http"`
	Input    *ref   `json:"input,omitempty"`
	Output   *ref   `json:"output,omitempty"`
	Errors   []ref  `json:"errors,omitempty"`
	AuthType string `json:"authtype,omitempty"`
	// Auth lists the operation's Smithy auth schemes; it is read only to fill AuthType
	// when a model says "smithy.api#noAuth" without the older authtype.
	Auth []string `json:"auth,omitempty"`
}

type shape struct {
	Type            string   `json:"type"`
	Members         []*ref   `json:"members,omitempty"`
	Required        []string `json:"required,omitempty"`
	Member          *ref     `json:"member,omitempty"`
	Key             *ref     `json:"key,omitempty"`
	Value           *ref     `json:"value,omitempty"`
	Flattened       bool     `json:"flattened,omitempty"`
	LocationName    string   `json:"locationName,omitempty"`
	Enum            []string `json:"enum,omitempty"`
	Min             *float64 `json:"min,omitempty"`
	Max             *float64 `json:"max,omitempty"`
	Pattern         string   `json:"pattern,omitempty"`
	TimestampFormat string   `json:"timestampFormat,omitempty"`
	Exception       bool     `json:"exception,omitempty"`
	Fault           bool     `json:"fault,omitempty"`
	Error           *struct {
		Code           string `json:"code,omitempty"`
		HTTPStatusCode int    `json:"httpStatusCode,omitempty"`
		SenderFault    bool   `json:"senderFault,omitempty"`
	} `json:"error,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	Payload   string `json:"payload,omitempty"`
	Document  bool   `json:"document,omitempty"`
}

type ref struct {
	Name             string `json:"name,omitempty"`
	Shape            string `json:"shape"`
	LocationName     string `json:"locationName,omitempty"`
	QueryName        string `json:"queryName,omitempty"` // ec2 protocol: the request parameter's name
	Location         string `json:"location,omitempty"`
	Flattened        bool   `json:"flattened,omitempty"`
	XMLAttribute     bool   `json:"xmlAttribute,omitempty"`
	TimestampFormat  string `json:"timestampFormat,omitempty"`
	IdempotencyToken bool   `json:"idempotencyToken,omitempty"`
	JSONValue        bool   `json:"jsonvalue,omitempty"`
	ResultWrapper    string `json:"resultWrapper,omitempty"`
}

// metadataKeys are the metadata entries kept in model.json.
var metadataKeys = []string{"apiVersion", "endpointPrefix", "jsonVersion", "protocol", "serviceFullName",
	"serviceId", "signingName", "targetPrefix", "xmlNamespace", "globalEndpoint"}

func parseModel(raw []byte) (*model, error) {
	var top struct {
		Metadata   map[string]any             `json:"metadata"`
		Operations map[string]json.RawMessage `json:"operations"`
		Shapes     map[string]json.RawMessage `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	m := &model{Metadata: map[string]any{}, Shapes: map[string]*shape{}}
	for _, k := range metadataKeys {
		if v, ok := top.Metadata[k]; ok {
			m.Metadata[k] = v
		}
	}
	for name, body := range top.Operations {
		op, err := parseOperation(name, body)
		if err != nil {
			return nil, err
		}
		m.Operations = append(m.Operations, op)
	}
	m.sortOperations()
	for name, body := range top.Shapes {
		s, err := parseShape(body)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
		m.Shapes[name] = s
	}
	return m, nil
}

func parseOperation(name string, body json.RawMessage) (*operation, error) {
	op := &operation{Name: name}
	if err := json.Unmarshal(body, op); err != nil {
		return nil, fmt.Errorf("operation %s: %w", name, err)
	}
	if op.AuthType == "" && slices.Contains(op.Auth, "smithy.api#noAuth") {
		op.AuthType = "none"
	}
	op.Auth = nil
	return op, nil
}

func parseShape(body json.RawMessage) (*shape, error) {
	// Members are decoded by hand to keep their order; the rest by encoding/json.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	members := fields["members"]
	delete(fields, "members")
	rest, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	s := &shape{}
	if err := json.Unmarshal(rest, s); err != nil {
		return nil, err
	}
	if len(members) > 0 {
		if s.Members, err = orderedMembers(members); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// orderedMembers decodes a JSON object of member refs, keeping the order of its keys.
func orderedMembers(obj json.RawMessage) ([]*ref, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var refs []*ref
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		r := &ref{}
		if err := dec.Decode(r); err != nil {
			return nil, err
		}
		r.Name = tok.(string)
		refs = append(refs, r)
	}
	return refs, nil
}

func (m *model) sortOperations() {
	sort.Slice(m.Operations, func(i, j int) bool { return m.Operations[i].Name < m.Operations[j].Name })
}

func (m *model) apiVersion() string { s, _ := m.Metadata["apiVersion"].(string); return s }

// document is model.json: the trimmed model, led by the source it was generated from (JSON
// has no comments, so the source is a field; awsmodel.Load ignores it).
func (m *model) document(source string) ([]byte, error) {
	ops := map[string]*operation{}
	for _, op := range m.Operations {
		ops[op.Name] = op
	}
	doc := struct {
		Source     string                `json:"generatedFrom"`
		Metadata   map[string]any        `json:"metadata"`
		Operations map[string]*operation `json:"operations"`
		Shapes     map[string]*shape     `json:"shapes"`
	}{source, m.Metadata, ops, m.Shapes}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
