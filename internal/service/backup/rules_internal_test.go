package backup

import (
	"strings"
	"testing"
)

// TestRegionRules: the seed's four Regions refuse copies either way; China Regions copy
// only between each other; other Regions of a partition copy freely.
func TestRegionRules(t *testing.T) {
	cases := []struct {
		from, to string
		refused  string // a part of the reason, or "" when allowed
	}{
		{"us-east-1", "us-west-2", ""},
		{"eu-south-1", "eu-south-1", ""},
		{"us-east-1", "ap-east-1", "Asia Pacific (Hong Kong) (ap-east-1)"},
		{"me-south-1", "eu-west-1", "Middle East (Bahrain) (me-south-1)"},
		{"eu-west-1", "eu-south-1", "Europe (Milan) (eu-south-1)"},
		{"af-south-1", "us-east-1", "Africa (Cape Town) (af-south-1)"},
		{"cn-north-1", "cn-northwest-1", ""},
		{"cn-north-1", "us-east-1", "cannot be copied from cn-north-1 to us-east-1"},
		{"us-east-1", "cn-northwest-1", "cannot be copied from us-east-1 to cn-northwest-1"},
		{"us-gov-west-1", "us-east-1", "cannot be copied"},
	}
	for _, c := range cases {
		why := crossRegionProblem(c.from, c.to)
		if c.refused == "" && why != "" || c.refused != "" && !strings.Contains(why, c.refused) {
			t.Errorf("%s → %s: %q, want %q", c.from, c.to, why, c.refused)
		}
	}
}

// TestTypeRules: what each resource type's row allows, with and without advanced
// DynamoDB backup.
func TestTypeRules(t *testing.T) {
	advanced := &regionSettings{Managed: map[string]bool{typeDynamoDB: true}}
	const a, b = "111111111111", "222222222222"
	cases := []struct {
		typ                    string
		set                    *regionSettings
		fromA, fromR, toA, toR string
		allowed                bool
	}{
		{typeRDS, nil, a, "us-east-1", a, "us-west-2", true},
		{typeRDS, nil, a, "us-east-1", b, "us-east-1", true},
		{typeRDS, nil, a, "us-east-1", b, "us-west-2", false}, // not both at once
		{typeAurora, nil, a, "us-east-1", b, "us-west-2", false},
		{typeEBS, nil, a, "us-east-1", b, "us-west-2", true},
		{typeDynamoDB, nil, a, "us-east-1", a, "us-west-2", false},
		{typeDynamoDB, nil, a, "us-east-1", b, "us-east-1", false},
		{typeDynamoDB, advanced, a, "us-east-1", a, "us-west-2", true},
		{typeDynamoDB, advanced, a, "us-east-1", b, "us-west-2", true},
		{typeDynamoDB, nil, a, "us-east-1", a, "us-east-1", true}, // within a Region and account
		{typeEFS, nil, a, "us-east-1", a, "ap-east-1", false},     // the Region's rule first
	}
	for _, c := range cases {
		why := copyProblem(c.typ, c.set, c.fromA, c.fromR, c.toA, c.toR)
		if (why == "") != c.allowed {
			t.Errorf("%s %s/%s → %s/%s (settings %+v): %q", c.typ, c.fromA, c.fromR, c.toA, c.toR, c.set, why)
		}
	}
	for typ, want := range map[string]bool{typeRDS: false, typeAurora: false, typeEBS: false, typeEFS: true, typeDynamoDB: false} {
		if coldCapable(typ, nil) != want {
			t.Errorf("cold storage of %s: %v, want %v", typ, !want, want)
		}
	}
	if !coldCapable(typeDynamoDB, advanced) {
		t.Error("advanced DynamoDB backup has no cold storage")
	}
}
