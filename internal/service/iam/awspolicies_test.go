package iam

import (
	"strings"
	"testing"
)

// Every embedded AWS managed policy loads, is a valid permissions policy, and has the
// fields its answers need.
func TestAWSManagedPoliciesAreValid(t *testing.T) {
	if len(awsPolicies()) < 16 {
		t.Fatalf("only %d AWS managed policies loaded", len(awsPolicies()))
	}
	for _, p := range awsPolicies() {
		if !strings.HasPrefix(p.Path, "/") || !strings.HasSuffix(p.Path, "/") {
			t.Errorf("%s: path %q", p.Name, p.Path)
		}
		if p.Description == "" || p.Created.IsZero() || p.Created.Year() < 2014 {
			t.Errorf("%s: description %q, created %v", p.Name, p.Description, p.Created)
		}
		if err := validatePermissionsPolicy(p.Document); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if !strings.HasPrefix(p.Document, "{\n    \"Version\": \"2012-10-17\"") {
			t.Errorf("%s: document not as AWS shows it:\n%s", p.Name, p.Document)
		}
		if _, ok := awsPolicyByPathName(p.Path + p.Name); !ok {
			t.Errorf("%s is not found by its path and name", p.Name)
		}
	}
}
