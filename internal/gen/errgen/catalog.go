package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/token"
	"os"
	"strings"
)

// catalogFile is the data file of a package's catalogue, and generatedFile the Go file
// written from it.
const (
	catalogFile   = "errors.json"
	generatedFile = "errors_gen.go"
)

// catalog is a package's errors.json: the texts of its errors (each with its error kind)
// and the other texts it shows, in groups that keep the order and comments of the file.
type catalog struct {
	// Doc introduces the catalogue at the top of the generated file.
	Doc string `json:"doc,omitempty"`
	// Model names the generated API package (internal/gen/<model>) whose error shapes
	// the kinds without a dot name: "secretsmanagerapi".
	Model string `json:"model,omitempty"`
	// Imports are further packages (full paths) that kinds such as "attr.Validation" name.
	Imports []string `json:"imports,omitempty"`
	Groups  []group  `json:"groups"`
}

// group is one var block of messages or one const block of texts.
type group struct {
	Doc string `json:"doc,omitempty"`
	// Type is the Go type of a text group's constants ("text"); untyped when empty.
	Type     string    `json:"type,omitempty"`
	Messages []message `json:"messages,omitempty"`
	Texts    []text    `json:"texts,omitempty"`
}

// message is one error text: an awserr.Message.
type message struct {
	Name string `json:"name"`
	// Kind is the error kind: an error shape of the model without its Err prefix
	// ("ResourceNotFound" for <model>.ErrResourceNotFound), or, with a dot or a lower-case
	// first letter (or in a catalogue without a model), a Go name the package sees ("awserr.ValidationException",
	// "accessDenied"). Code and Status instead declare a kind no model or package has
	// (the caller is at fault: Sender).
	Kind   string `json:"kind,omitempty"`
	Code   string `json:"code,omitempty"`
	Status int    `json:"status,omitempty"`
	Text   string `json:"text"`
	Doc    string `json:"doc,omitempty"`  // the comment above the entry
	Note   string `json:"note,omitempty"` // the comment at the end of its line
}

// text is a text that is not an error (a StatusMessage, a name a message shows).
type text struct {
	Name string `json:"name"`
	Text string `json:"text"`
	Doc  string `json:"doc,omitempty"`
	Note string `json:"note,omitempty"`
}

// readCatalog reads and checks a catalogue; unknown members are errors, so that a typo
// does not drop a field silently.
func readCatalog(path string) (*catalog, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// encode is the catalogue as errors.json writes it: indented, with <, > and & as they are.
func (c *catalog) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// check refuses what would generate wrong or ambiguous code.
func (c *catalog) check() error {
	seen := map[string]bool{}
	name := func(n string) error {
		switch {
		case !token.IsIdentifier(n):
			return fmt.Errorf("%q is not a Go name", n)
		case seen[n]:
			return fmt.Errorf("%s is declared twice", n)
		}
		seen[n] = true
		return nil
	}
	for i, g := range c.Groups {
		if len(g.Messages) > 0 == (len(g.Texts) > 0) {
			return fmt.Errorf("group %d must hold either messages or texts", i+1)
		}
		if g.Type != "" && len(g.Messages) > 0 {
			return fmt.Errorf("group %d: a type is for texts only", i+1)
		}
		for _, m := range g.Messages {
			if err := name(m.Name); err != nil {
				return err
			}
			if err := c.checkKind(m); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
		}
		for _, t := range g.Texts {
			if err := name(t.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *catalog) checkKind(m message) error {
	// An empty text is AWS's own for some errors (KMS's InvalidCiphertextException).
	switch {
	case (m.Kind == "") == (m.Code == ""):
		return fmt.Errorf("give either a kind or a code")
	case m.Code != "" && (m.Status < 400 || m.Status > 599):
		return fmt.Errorf("code %s needs an HTTP error status, not %d", m.Code, m.Status)
	case m.Kind != "" && m.Status != 0:
		return fmt.Errorf("a status goes with a code, not with kind %s", m.Kind)
	}
	return nil
}

// isModelKind reports whether a kind names an error shape of the catalogue's model (an
// exported name without a package) rather than a Go name the package sees. A catalogue
// without a model names only Go names (dynamodb/attr's Validation).
func (c *catalog) isModelKind(kind string) bool {
	return c.Model != "" && !strings.Contains(kind, ".") && token.IsExported(kind)
}
