package awsmodel_test

import (
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/gen/stsapi"
)

var models = map[string]func() *awsmodel.API{
	"backup": backupapi.Model, "iam": iamapi.Model, "kms": kmsapi.Model,
	"rds": rdsapi.Model, "secretsmanager": secretsmanagerapi.Model, "sts": stsapi.Model,
}

// Every generated model loads, and every structure an operation uses is bound to a Go type
// whose fields line up with the members.
func TestGeneratedModelsBind(t *testing.T) {
	for name, model := range models {
		api := model()
		if api.Metadata.Signing() != name {
			t.Errorf("%s: signing name %q", name, api.Metadata.Signing())
		}
		for opName, op := range api.Operations {
			for _, s := range []*awsmodel.Shape{op.Input, op.Output} {
				if s == nil {
					continue
				}
				if s.GoType == nil {
					t.Errorf("%s.%s: %s has no Go type", name, opName, s.Name)
					continue
				}
				for _, m := range s.Members {
					if f := s.GoType.Field(m.Field); f.Name != awsmodel.GoName(m.Name) {
						t.Errorf("%s.%s: member %s bound to field %s", name, s.Name, m.Name, f.Name)
					}
				}
			}
		}
	}
}

// Patterns written with Java's \u escapes are checked, not skipped.
func TestJavaPatterns(t *testing.T) {
	doc := iamapi.Model().Shapes["policyDocumentType"]
	if !strings.Contains(doc.Pattern, `\u0009`) {
		t.Fatalf("policyDocumentType pattern is %q; the test needs the \\u form", doc.Pattern)
	}
	for _, ok := range []string{`{"Version":"2012-10-17"}`, "tab\tand é"} {
		if !doc.MatchPattern(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	if doc.MatchPattern("bell \x07") || doc.MatchPattern("beyond Latin-1: 🙂") {
		t.Error("a control character passed the policy document pattern")
	}
	// Lookahead cannot be expressed in Go; such patterns are not enforced rather than
	// refusing valid input.
	alias := iamapi.Model().Shapes["accountAliasType"]
	if !alias.MatchPattern("--anything--") {
		t.Error("a pattern Go cannot compile refused input")
	}
}
