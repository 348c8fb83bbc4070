package secretsmanager

import (
	"slices"
	"testing"
)

func TestWordsSplitAsTheSearchDoes(t *testing.T) {
	cases := map[string][]string{
		"test":                   {"test"},
		"my test":                {"my", "test"},
		"Mytest":                 {"mytest"},
		"MyTestPhrase":           {"my", "test", "phrase"},
		"myTest":                 {"my", "test"},
		"SecretFTag":             {"secret", "f", "tag"},
		"COMPANYthings":          {"compan", "ythings"},
		"uat/COMPANY/x1":         {"uat", "company", "x1"},
		"prod-AppBeta/a_b+c=d.e": {"prod", "app", "beta", "a", "b", "c", "d", "e"},
		"user@example":           {"user", "example"},
		"db2Prod":                {"db2", "prod"},
		"v2beta 3fa2":            {"v2beta", "3fa2"},
		"One3fa2b1":              {"one3fa2b1"},
		"+":                      nil,
		"//":                     nil,
		"":                       nil,
	}
	for in, want := range cases {
		if got := words(in); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchWordsNeedsEveryWordAsAPrefix(t *testing.T) {
	cases := []struct {
		value string
		attrs []string
		want  bool
	}{
		{"baz", []string{"foo baz"}, true},
		{"qux baz", []string{"baz qux"}, true},
		{"BAZ", []string{"foo baz"}, true},
		{"az", []string{"foo baz"}, false},
		{"things", []string{"uat/COMPANYthings/x"}, false},
		{"Ythings", []string{"uat/COMPANYthings/x"}, true},
		{"N", []string{"uat/COMPANYthings/x"}, false},
		{"d t", []string{"SecretTwo", "DescTwo"}, true},
		{"one three", []string{"one two"}, false},
		{"+", []string{"a+b"}, false},
	}
	for _, c := range cases {
		if got := matchWords(c.value, c.attrs...); got != c.want {
			t.Errorf("matchWords(%q, %q) = %v, want %v", c.value, c.attrs, got, c.want)
		}
	}
}
