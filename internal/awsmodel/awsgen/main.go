// Command awsgen generates internal/gen/<service>api from the official AWS API models in the
// github.com/aws/aws-sdk-go module: a trimmed copy of the model (model.json, without
// documentation or examples) and Go types for its shapes, operations and errors.
//
// It is run by `go generate ./internal/gen`; the module version is pinned there. The
// module is fetched through the Go module proxy, so its checksum is verified by the
// checksum database like any other dependency.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

const modulePath = "github.com/aws/aws-sdk-go"

func main() {
	version := flag.String("version", "", "version of "+modulePath+" whose models are used")
	out := flag.String("out", ".", "directory under which <service>api packages are written")
	flag.Parse()
	if *version == "" || flag.NArg() == 0 {
		log.Fatal("usage: awsgen -version vX.Y.Z [-out dir] service...")
	}
	dir, err := moduleDir(*version)
	if err != nil {
		log.Fatal(err)
	}
	for _, svc := range flag.Args() {
		if err := generate(dir, *version, svc, *out); err != nil {
			log.Fatalf("%s: %v", svc, err)
		}
	}
}

func moduleDir(version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", modulePath+"@"+version)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("downloading %s@%s: %w", modulePath, version, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(b, &info); err != nil {
		return "", err
	}
	return info.Dir, nil
}

func generate(moduleDir, version, svc, out string) error {
	matches, err := filepath.Glob(filepath.Join(moduleDir, "models", "apis", svc, "*", "api-2.json"))
	if err != nil || len(matches) == 0 {
		return fmt.Errorf("no model found for %q", svc)
	}
	sort.Strings(matches)
	src := matches[len(matches)-1] // the newest API version
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	m, err := parseModel(raw)
	if err != nil {
		return err
	}
	pkg := svc + "api"
	dir := filepath.Join(out, pkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	trimmed, err := json.Marshal(m.trim())
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "model.json"), append(trimmed, '\n'), 0o644); err != nil {
		return err
	}
	rel, _ := filepath.Rel(moduleDir, src)
	code, err := m.goSource(pkg, fmt.Sprintf("%s@%s %s", modulePath, version, filepath.ToSlash(rel)))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "api.go"), code, 0o644)
}

// model is the part of api-2.json that xregion uses, with members kept in model order.
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
}

type shape struct {
	Type            string   `json:"type"`
	Members         []*ref   `json:"members,omitempty"`
	Required        []string `json:"required,omitempty"`
	Member          *ref     `json:"member,omitempty"`
	Key             *ref     `json:"key,omitempty"`
	Value           *ref     `json:"value,omitempty"`
	Flattened       bool     `json:"flattened,omitempty"`
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
	Location         string `json:"location,omitempty"`
	Flattened        bool   `json:"flattened,omitempty"`
	XMLAttribute     bool   `json:"xmlAttribute,omitempty"`
	TimestampFormat  string `json:"timestampFormat,omitempty"`
	IdempotencyToken bool   `json:"idempotencyToken,omitempty"`
	JSONValue        bool   `json:"jsonvalue,omitempty"`
	ResultWrapper    string `json:"resultWrapper,omitempty"`
}

// unsigned lists STS operations that are called without credentials. The v1 models leave
// this to a customization in the SDK's code (service/sts/api.go sets anonymous
// credentials for them); botocore's models say it with "authtype": "none".
var unsigned = map[string]bool{"AssumeRoleWithSAML": true, "AssumeRoleWithWebIdentity": true}

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
	for _, k := range []string{"apiVersion", "endpointPrefix", "jsonVersion", "protocol", "serviceFullName",
		"serviceId", "signingName", "targetPrefix", "xmlNamespace", "globalEndpoint"} {
		if v, ok := top.Metadata[k]; ok {
			m.Metadata[k] = v
		}
	}
	for name, body := range top.Operations {
		op := &operation{Name: name}
		if err := json.Unmarshal(body, op); err != nil {
			return nil, fmt.Errorf("operation %s: %w", name, err)
		}
		if unsigned[name] && m.Metadata["endpointPrefix"] == "sts" {
			op.AuthType = "none"
		}
		m.Operations = append(m.Operations, op)
	}
	sort.Slice(m.Operations, func(i, j int) bool { return m.Operations[i].Name < m.Operations[j].Name })
	for name, body := range top.Shapes {
		var s shape
		var withMembers struct {
			Members json.RawMessage `json:"members"`
		}
		if err := json.Unmarshal(body, &withMembers); err != nil {
			return nil, err
		}
		// Members are decoded by hand below to keep their order.
		var rest map[string]json.RawMessage
		if err := json.Unmarshal(body, &rest); err != nil {
			return nil, err
		}
		delete(rest, "members")
		restJSON, _ := json.Marshal(rest)
		if err := json.Unmarshal(restJSON, &s); err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
		if len(withMembers.Members) > 0 {
			members, err := orderedMembers(withMembers.Members)
			if err != nil {
				return nil, fmt.Errorf("shape %s: %w", name, err)
			}
			s.Members = members
		}
		m.Shapes[name] = &s
	}
	return m, nil
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

// trim returns the model document written to model.json.
func (m *model) trim() any {
	ops := map[string]*operation{}
	for _, op := range m.Operations {
		ops[op.Name] = op
	}
	return map[string]any{"metadata": m.Metadata, "operations": ops, "shapes": m.Shapes}
}

func (m *model) protocol() string { s, _ := m.Metadata["protocol"].(string); return s }

// goType is the Go type of a reference to the named shape; elem is true inside lists and
// maps, where scalars and structures are held by value.
func (m *model) goType(name string, elem bool) (string, error) {
	s, ok := m.Shapes[name]
	if !ok {
		return "", fmt.Errorf("unknown shape %q", name)
	}
	ptr := "*"
	if elem {
		ptr = ""
	}
	switch s.Type {
	case "structure":
		if s.Document {
			return "any", nil
		}
		return ptr + name, nil
	case "list":
		t, err := m.goType(s.Member.Shape, true)
		return "[]" + t, err
	case "map":
		t, err := m.goType(s.Value.Shape, true)
		return "map[string]" + t, err
	case "string":
		return ptr + "string", nil
	case "integer", "long":
		return ptr + "int64", nil
	case "double", "float":
		return ptr + "float64", nil
	case "boolean":
		return ptr + "bool", nil
	case "timestamp":
		return ptr + "time.Time", nil
	case "blob":
		return "[]byte", nil
	}
	return "", fmt.Errorf("shape %q has unsupported type %q", name, s.Type)
}

var reserved = map[string]bool{"Model": true}

func (m *model) goSource(pkg, source string) ([]byte, error) {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("// Code generated by awsgen from %s. DO NOT EDIT.\n\n", source)
	p("// Package %s holds the model of %s: its shapes as Go types, its operations and its errors.\n", pkg, m.Metadata["serviceFullName"])
	p("package %s\n\n", pkg)
	p("import (\n\t_ \"embed\"\n\t\"reflect\"\n\t\"time\"\n\n\t\"github.com/xregion/xregion/internal/awserr\"\n\t\"github.com/xregion/xregion/internal/awsmodel\"\n)\n\n")
	p("//go:embed model.json\nvar modelJSON []byte\n\n")
	p("// Model is the service model, loaded on first use.\nvar Model = awsmodel.Lazy(modelJSON, types)\n\n")

	names := make([]string, 0, len(m.Shapes))
	for n := range m.Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	used := map[string]bool{}
	for n, s := range m.Shapes {
		if reserved[n] {
			return nil, fmt.Errorf("shape name %q clashes with a generated identifier", n)
		}
		if s.Type == "structure" && !s.Exception && !s.Document {
			used[n] = true
		}
	}

	// Structures.
	for _, n := range names {
		s := m.Shapes[n]
		if !used[n] {
			continue
		}
		p("type %s struct {\n", n)
		for _, mem := range s.Members {
			t, err := m.goType(mem.Shape, false)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", n, mem.Name, err)
			}
			p("\t%s %s\n", goName(mem.Name), t)
		}
		p("}\n\n")
	}
	p("var types = map[string]reflect.Type{\n")
	for _, n := range names {
		if used[n] {
			p("\t%q: reflect.TypeFor[%s](),\n", n, n)
		}
	}
	p("}\n\n")

	// Operations.
	p("// Operations.\nvar (\n")
	for _, op := range m.Operations {
		in, out := "awsmodel.Empty", "awsmodel.Empty"
		if op.Input != nil {
			in = op.Input.Shape
		}
		if op.Output != nil {
			out = op.Output.Shape
		}
		p("\tOp%s = awsmodel.Op[%s, %s]{Name: %q}\n", op.Name, in, out, op.Name)
	}
	p(")\n\n")

	// Enum values.
	taken := map[string]bool{}
	for n := range used {
		taken[n] = true
	}
	p("// Enum values.\nconst (\n")
	for _, n := range names {
		s := m.Shapes[n]
		if len(s.Enum) == 0 {
			continue
		}
		for _, v := range s.Enum {
			id := n + enumIdent(v)
			for taken[id] {
				id += "_"
			}
			taken[id] = true
			p("\t%s = %q\n", id, v)
		}
	}
	p(")\n\n")

	// Errors.
	p("// Errors, one per error shape of the model.\nvar (\n")
	for _, n := range names {
		s := m.Shapes[n]
		if !s.Exception && s.Error == nil {
			continue
		}
		code, status, sender := n, 400, !s.Fault
		if s.Fault {
			status = 500
		}
		if s.Error != nil {
			if s.Error.Code != "" {
				code = s.Error.Code
			}
			if s.Error.HTTPStatusCode != 0 {
				status = s.Error.HTTPStatusCode
			}
			sender = s.Error.SenderFault || !s.Fault
		}
		field := "Message"
		for _, mem := range s.Members {
			if strings.EqualFold(mem.Name, "message") {
				field = mem.Name
			}
		}
		id := "Err" + strings.TrimSuffix(n, "Exception")
		if taken[id] {
			id = "Err" + n
		}
		taken[id] = true
		p("\t%s = awserr.Kind{Code: %q, Status: %d, Sender: %t, MessageField: %q}\n", id, code, status, sender, field)
	}
	p(")\n")

	src := b.Bytes()
	if !bytes.Contains(src, []byte("time.Time")) {
		src = bytes.Replace(src, []byte("\t\"time\"\n"), nil, 1)
	}
	return format.Source(src)
}

func goName(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// enumIdent turns an enum value into the tail of a Go identifier: "SYMMETRIC_DEFAULT" ->
// "SymmetricDefault", "InSync" -> "InSync", "db.t3.micro" -> "DbT3Micro".
func enumIdent(v string) string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	for _, part := range parts {
		if strings.ToUpper(part) == part {
			part = strings.ToLower(part)
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	if b.Len() == 0 || unicode.IsDigit(rune(b.String()[0])) {
		return "Value" + b.String()
	}
	return b.String()
}
