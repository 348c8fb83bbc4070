package secretsmanager_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/xtest"
)

// listNames lists every page and returns the names in order.
func listNames(t testing.TB, c *secretsmanager.Client, in *secretsmanager.ListSecretsInput) []string {
	t.Helper()
	var out []string
	p := secretsmanager.NewListSecretsPaginator(c, in)
	for p.HasMorePages() {
		for _, s := range xtest.Must[*secretsmanager.ListSecretsOutput](t)(p.NextPage(ctx)).SecretList {
			out = append(out, aws.ToString(s.Name))
		}
	}
	return out
}

func filters(kv ...string) []types.Filter {
	var out []types.Filter
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.Filter{Key: types.FilterNameStringType(kv[i]), Values: []string{kv[i+1]}})
	}
	return out
}

func TestListSecretsFilters(t *testing.T) {
	e := start(t)
	mk := func(name, desc string, tags ...string) {
		in := &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v"), Description: aws.String(desc)}
		for i := 0; i < len(tags); i += 2 {
			in.Tags = append(in.Tags, types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
		}
		xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, in))
	}
	mk("prod/db/password", "Database credentials", "env", "production", "team", "core")
	mk("prod/api-key", "API key for payments", "env", "production")
	mk("dev/db/password", "database for dev", "env", "development")
	mk("ProdMixedCase", "Other")

	cases := []struct {
		name string
		f    []types.Filter
		want []string
	}{
		{"name prefix, case-sensitive", filters("name", "prod/"), []string{"prod/db/password", "prod/api-key"}},
		{"name other case", filters("name", "Prod"), []string{"ProdMixedCase"}},
		{"name negated", filters("name", "!prod/"), []string{"dev/db/password", "ProdMixedCase"}},
		{"description prefix ignores case", filters("description", "DATABASE"), []string{"prod/db/password", "dev/db/password"}},
		{"tag-key", filters("tag-key", "te"), []string{"prod/db/password"}},
		{"tag-value", filters("tag-value", "prod"), []string{"prod/db/password", "prod/api-key"}},
		{"tag-value negated", filters("tag-value", "!prod"), []string{"dev/db/password", "ProdMixedCase"}},
		{"filters are ANDed", filters("name", "prod/", "description", "api"), []string{"prod/api-key"}},
		{"all: words, any attribute, any case", filters("all", "PAYMENTS"), []string{"prod/api-key"}},
		{"all: word prefixes", filters("all", "db pass"), []string{"prod/db/password", "dev/db/password"}},
		{"all: camel case splits words", filters("all", "mixed"), []string{"ProdMixedCase"}},
		{"primary-region: none replicated", filters("primary-region", "us-"), nil},
		{"owning-service: none", filters("owning-service", "rds"), nil},
		{"owning-service negated", filters("owning-service", "!rds"), []string{"prod/db/password", "prod/api-key", "dev/db/password", "ProdMixedCase"}},
	}
	for _, c := range cases {
		got := listNames(t, e.East, &secretsmanager.ListSecretsInput{Filters: c.f})
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Values of one filter are ORed.
	got := listNames(t, e.East, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: "name", Values: []string{"dev/", "Prod"}}}})
	if !slices.Equal(got, []string{"dev/db/password", "ProdMixedCase"}) {
		t.Errorf("two values: %v", got)
	}
	_, err := e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: "colour", Values: []string{"x"}}}})
	wantErr(t, err, "ValidationException", "")

	// Entries carry what DescribeSecret shows.
	out := xtest.Must[*secretsmanager.ListSecretsOutput](t)(e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: filters("name", "prod/db")}))
	s := out.SecretList[0]
	if aws.ToString(s.Description) != "Database credentials" || len(s.Tags) != 2 || len(s.SecretVersionsToStages) != 1 || s.CreatedDate == nil || s.ARN == nil {
		t.Errorf("entry = %+v", s)
	}
}

func TestListSecretsOrderAndPages(t *testing.T) {
	e := start(t)
	var names []string
	for i := range 7 {
		n := fmt.Sprintf("s%d", i)
		names = append(names, n)
		create(t, e.East, n, "v")
	}
	if got := listNames(t, e.East, &secretsmanager.ListSecretsInput{}); !slices.Equal(got, names) {
		t.Errorf("default order %v, want creation order %v", got, names)
	}
	rev := slices.Clone(names)
	slices.Reverse(rev)
	if got := listNames(t, e.East, &secretsmanager.ListSecretsInput{SortOrder: types.SortOrderTypeDesc}); !slices.Equal(got, rev) {
		t.Errorf("desc %v, want %v", got, rev)
	}

	// Pages stay right while secrets come and go: every secret that exists throughout is
	// seen exactly once.
	page := xtest.Must[*secretsmanager.ListSecretsOutput](t)(e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(3)}))
	var seen []string
	for _, s := range page.SecretList {
		seen = append(seen, aws.ToString(s.Name))
	}
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s1"), ForceDeleteWithoutRecovery: aws.Bool(true)}))
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s3"), ForceDeleteWithoutRecovery: aws.Bool(true)}))
	create(t, e.East, "s7", "v")
	for next := page.NextToken; next != nil; {
		p := xtest.Must[*secretsmanager.ListSecretsOutput](t)(e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(3), NextToken: next}))
		for _, s := range p.SecretList {
			seen = append(seen, aws.ToString(s.Name))
		}
		next = p.NextToken
	}
	if want := []string{"s0", "s1", "s2", "s4", "s5", "s6", "s7"}; !slices.Equal(seen, want) {
		t.Errorf("pages saw %v, want %v", seen, want)
	}
	_, err := e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{NextToken: aws.String("garbage")})
	wantErr(t, err, "InvalidNextTokenException", "")
}

func TestBatchGetSecretValue(t *testing.T) {
	e := start(t)
	a := create(t, e.East, "batch/a", "A")
	create(t, e.East, "batch/b", "B")
	create(t, e.East, "batch/gone", "G")
	create(t, e.East, "other", "O")
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("batch/gone")}))

	out := xtest.Must[*secretsmanager.BatchGetSecretValueOutput](t)(e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{
		SecretIdList: []string{aws.ToString(a.ARN), "batch/b", "missing", "batch/gone"},
	}))
	if len(out.SecretValues) != 2 || aws.ToString(out.SecretValues[0].SecretString) != "A" || aws.ToString(out.SecretValues[1].SecretString) != "B" {
		t.Errorf("values = %+v", out.SecretValues)
	}
	errs := map[string]string{}
	for _, e := range out.Errors {
		errs[aws.ToString(e.SecretId)] = aws.ToString(e.ErrorCode) + ": " + aws.ToString(e.Message)
	}
	if errs["missing"] != "ResourceNotFoundException: Secrets Manager can't find the specified secret." ||
		errs["batch/gone"] != "InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion." {
		t.Errorf("errors = %v", errs)
	}

	var got []string
	var next *string
	for {
		p := xtest.Must[*secretsmanager.BatchGetSecretValueOutput](t)(e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{
			Filters: filters("name", "batch/"), MaxResults: aws.Int32(1), NextToken: next,
		}))
		for _, v := range p.SecretValues {
			got = append(got, aws.ToString(v.SecretString))
		}
		if next = p.NextToken; next == nil {
			break
		}
	}
	if !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("by filter: %v", got)
	}
	if d := describe(t, e.East, "batch/b"); d.LastAccessedDate == nil {
		t.Errorf("BatchGetSecretValue did not record the access")
	}

	_, err := e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"a"}, Filters: filters("name", "a")})
	wantErr(t, err, "InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	_, err = e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{})
	wantErr(t, err, "InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	_, err = e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"a"}, MaxResults: aws.Int32(5)})
	wantErr(t, err, "InvalidParameterException", "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.")
}

// The search's words (issue #19): description matches words in any order, "all" splits
// at separators and capitalised words, and the filters are checked one by one.
func TestListSecretsFilterWords(t *testing.T) {
	e := start(t)
	mk := func(name, desc string, tags ...string) {
		in := &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v")}
		if desc != "" {
			in.Description = aws.String(desc)
		}
		for i := 0; i < len(tags); i += 2 {
			in.Tags = append(in.Tags, types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
		}
		xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, in))
	}
	mk("foo", "one two")
	mk("bar", "baz qux")
	mk("SecretFTag1x", "", "1", "foo")
	mk("uat/COMPANYthings/1x", "")
	mk("prod+AppBeta+1x", "DescTwo")

	cases := []struct {
		name string
		f    []types.Filter
		want []string
	}{
		{"description: a later word", filters("description", "qux"), []string{"bar"}},
		{"description: words in any order", filters("description", "two ONE"), []string{"foo"}},
		{"description: not inside a word", filters("description", "wo"), nil},
		{"all: a single capital is a word", filters("all", "f"), []string{"foo", "SecretFTag1x"}},
		{"all: capitals before a capitalised word", filters("all", "compan"), []string{"uat/COMPANYthings/1x"}},
		{"all: the capitalised word", filters("all", "Ythings"), []string{"uat/COMPANYthings/1x"}},
		{"all: not a word by itself", filters("all", "things"), nil},
		{"all: at plus signs", filters("all", "beta"), []string{"prod+AppBeta+1x"}},
		{"all: tag values", filters("all", "foo"), []string{"foo", "SecretFTag1x"}},
		{"all: the separator alone", filters("all", "+"), nil},
		{"all: digits stay with letters", filters("all", "1x"), []string{"uat/COMPANYthings/1x", "prod+AppBeta+1x"}},
		{"all: every word", filters("all", "d t"), []string{"prod+AppBeta+1x"}},
	}
	for _, c := range cases {
		if got := listNames(t, e.East, &secretsmanager.ListSecretsInput{Filters: c.f}); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	_, err := e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Values: []string{"foo"}}}})
	wantErr(t, err, "InvalidParameterException", "Invalid filter key")
	_, err = e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: "name", Values: []string{"a"}}, {Key: "description"}}})
	wantErr(t, err, "InvalidParameterException", "Invalid filter values for key: description")
	// The model's enum is checked first, whatever the order of the filters.
	_, err = e.East.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Values: []string{"foo"}}, {Key: "colour", Values: []string{"x"}}}})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value 'colour' at 'filters.2.member.key' failed to satisfy constraint: Member must satisfy enum value set: [description, name, tag-key, tag-value, primary-region, owning-service, all]")
	_, err = e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{Filters: []types.Filter{{Key: "all"}}})
	wantErr(t, err, "InvalidParameterException", "Invalid filter values for key: all")
}

// TestBatchGetSecretValueWithoutValue: a secret that has no value yet is an Errors entry
// with GetSecretValue's error, named as the caller named it (by ARN when a filter found
// it), and the others still answer.
func TestBatchGetSecretValueWithoutValue(t *testing.T) {
	e := start(t)
	empty := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("b/empty")}))
	create(t, e.East, "b/full", "F")
	const msg = "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"
	errorsOf := func(out *secretsmanager.BatchGetSecretValueOutput) map[string]string {
		m := map[string]string{}
		for _, e := range out.Errors {
			m[aws.ToString(e.SecretId)] = aws.ToString(e.ErrorCode) + ": " + aws.ToString(e.Message)
		}
		return m
	}
	out := xtest.Must[*secretsmanager.BatchGetSecretValueOutput](t)(e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"b/empty", "b/full"}}))
	if len(out.SecretValues) != 1 || aws.ToString(out.SecretValues[0].SecretString) != "F" {
		t.Errorf("values = %+v", out.SecretValues)
	}
	if got := errorsOf(out); len(got) != 1 || got["b/empty"] != msg {
		t.Errorf("errors by id = %v", got)
	}
	out = xtest.Must[*secretsmanager.BatchGetSecretValueOutput](t)(e.East.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{Filters: filters("name", "b/")}))
	if len(out.SecretValues) != 1 {
		t.Errorf("values by filter = %+v", out.SecretValues)
	}
	if got := errorsOf(out); len(got) != 1 || got[aws.ToString(empty.ARN)] != msg {
		t.Errorf("errors by filter = %v", got)
	}
}
