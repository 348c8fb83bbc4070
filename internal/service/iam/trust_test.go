package iam

import (
	"errors"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

var (
	rootA    = port.Principal{Type: port.PrincipalAWS, ID: "arn:aws:iam::111111111111:root"}
	rootB    = port.Principal{Type: port.PrincipalAWS, ID: "arn:aws:iam::222222222222:root"}
	userA    = port.Principal{Type: port.PrincipalAWS, ID: "arn:aws:iam::111111111111:user/dev/alice"}
	sessionA = port.Principal{Type: port.PrincipalAWS, ID: "arn:aws:sts::111111111111:assumed-role/Deployer/ci-42"}
	backup   = port.Principal{Type: port.PrincipalService, ID: "backup.amazonaws.com"}
	github   = port.Principal{Type: port.PrincipalFederated, ID: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}
)

func trustDocWith(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func allow(principal, action string, extra ...string) string {
	s := `{"Effect":"Allow","Principal":` + principal + `,"Action":` + action
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

func evaluate(t *testing.T, doc string, req port.TrustRequest) bool {
	t.Helper()
	if err := validateTrustPolicy(doc); err != nil {
		t.Fatalf("the test's trust policy is invalid: %v\n%s", err, doc)
	}
	if req.Keys == nil {
		req.Keys = port.ConditionKeys{}
	}
	for k, v := range principalContext(req.Principal) {
		if _, set := req.Keys[k]; !set {
			req.Keys[k] = v
		}
	}
	ok, _, err := Trusts(doc, req)
	if err != nil {
		t.Fatalf("Trusts: %v", err)
	}
	return ok
}

func TestTrustPrincipals(t *testing.T) {
	assume := func(p port.Principal) port.TrustRequest {
		return port.TrustRequest{Action: "sts:AssumeRole", Principal: p}
	}
	cases := []struct {
		name      string
		principal string
		allowed   []port.Principal
		refused   []port.Principal
	}{
		{"account id", `{"AWS":"111111111111"}`, []port.Principal{rootA, userA, sessionA}, []port.Principal{rootB, backup}},
		{"account root ARN", `{"AWS":"arn:aws:iam::111111111111:root"}`, []port.Principal{rootA, userA, sessionA}, []port.Principal{rootB}},
		{"a user", `{"AWS":"arn:aws:iam::111111111111:user/dev/alice"}`, []port.Principal{userA}, []port.Principal{rootA, sessionA}},
		{"a role names its sessions", `{"AWS":"arn:aws:iam::111111111111:role/ops/Deployer"}`, []port.Principal{sessionA}, []port.Principal{rootA, userA}},
		{"a session", `{"AWS":"arn:aws:sts::111111111111:assumed-role/Deployer/ci-42"}`, []port.Principal{sessionA},
			[]port.Principal{{Type: port.PrincipalAWS, ID: "arn:aws:sts::111111111111:assumed-role/Deployer/other"}}},
		{"another account's role", `{"AWS":"arn:aws:iam::222222222222:role/Deployer"}`, nil, []port.Principal{sessionA}},
		{"everyone", `"*"`, []port.Principal{rootA, rootB, backup, github}, nil},
		{"every AWS principal", `{"AWS":"*"}`, []port.Principal{rootA, rootB}, []port.Principal{backup}},
		{"a service", `{"Service":["backup.amazonaws.com","rds.amazonaws.com"]}`, []port.Principal{backup}, []port.Principal{rootA, {Type: port.PrincipalService, ID: "ec2.amazonaws.com"}}},
		{"a provider", `{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}`, []port.Principal{github}, []port.Principal{rootA}},
	}
	for _, c := range cases {
		doc := trustDocWith(allow(c.principal, `"sts:AssumeRole"`))
		for _, p := range c.allowed {
			if !evaluate(t, doc, assume(p)) {
				t.Errorf("%s: %s refused", c.name, p.ID)
			}
		}
		for _, p := range c.refused {
			if evaluate(t, doc, assume(p)) {
				t.Errorf("%s: %s allowed", c.name, p.ID)
			}
		}
	}
}

func TestTrustActionsAndEffects(t *testing.T) {
	acct := `{"AWS":"111111111111"}`
	req := func(action string) port.TrustRequest { return port.TrustRequest{Action: action, Principal: userA} }
	for _, c := range []struct {
		name   string
		doc    string
		action string
		want   bool
	}{
		{"the action", trustDocWith(allow(acct, `"sts:AssumeRole"`)), "sts:AssumeRole", true},
		{"actions compare without case", trustDocWith(allow(acct, `"STS:assumerole"`)), "sts:AssumeRole", true},
		{"another action", trustDocWith(allow(acct, `"sts:AssumeRole"`)), "sts:TagSession", false},
		{"a wildcard", trustDocWith(allow(acct, `"sts:*"`)), "sts:TagSession", true},
		{"a list", trustDocWith(allow(acct, `["sts:AssumeRole","sts:TagSession"]`)), "sts:TagSession", true},
		{"NotAction", trustDocWith(`{"Effect":"Allow","Principal":` + acct + `,"NotAction":"sts:TagSession"}`), "sts:AssumeRole", true},
		{"NotAction excludes", trustDocWith(`{"Effect":"Allow","Principal":` + acct + `,"NotAction":"sts:TagSession"}`), "sts:TagSession", false},
		{"Deny wins", trustDocWith(allow(acct, `"sts:AssumeRole"`),
			`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/dev/alice"},"Action":"sts:AssumeRole"}`), "sts:AssumeRole", false},
		{"a Deny for someone else", trustDocWith(allow(acct, `"sts:AssumeRole"`),
			`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"sts:AssumeRole"}`), "sts:AssumeRole", true},
		{"Deny with NotPrincipal", trustDocWith(allow(`"*"`, `"sts:AssumeRole"`),
			`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/dev/alice"},"Action":"sts:AssumeRole"}`), "sts:AssumeRole", true},
		{"Deny with NotPrincipal, others", trustDocWith(allow(`"*"`, `"sts:AssumeRole"`),
			`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"sts:AssumeRole"}`), "sts:AssumeRole", false},
	} {
		if got := evaluate(t, c.doc, req(c.action)); got != c.want {
			t.Errorf("%s: allowed = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTrustConditions(t *testing.T) {
	withCondition := func(cond string) string {
		return trustDocWith(allow(`"*"`, `"sts:AssumeRole"`, `"Condition":`+cond))
	}
	ctx := func(kv ...string) port.ConditionKeys {
		c := port.ConditionKeys{}
		for i := 0; i+1 < len(kv); i += 2 {
			c.Set(kv[i], strings.Split(kv[i+1], "|")...)
		}
		return c
	}
	for _, c := range []struct {
		name string
		cond string
		ctx  port.ConditionKeys
		p    port.Principal
		want bool
	}{
		{"ExternalId matches", `{"StringEquals":{"sts:ExternalId":"s3cret"}}`, ctx("sts:ExternalId", "s3cret"), rootB, true},
		{"ExternalId differs", `{"StringEquals":{"sts:ExternalId":"s3cret"}}`, ctx("sts:ExternalId", "guess"), rootB, false},
		{"ExternalId missing", `{"StringEquals":{"sts:ExternalId":"s3cret"}}`, nil, rootB, false},
		{"key names ignore case", `{"StringEquals":{"STS:externalid":"s3cret"}}`, ctx("sts:ExternalId", "s3cret"), rootB, true},
		{"PrincipalAccount from the principal", `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`, nil, sessionA, true},
		{"PrincipalAccount of another", `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`, nil, rootB, false},
		{"a session's PrincipalArn is its role", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Deploy*"}}`, nil, sessionA, true},
		{"several policy values: any", `{"StringEquals":{"aws:PrincipalAccount":["222222222222","111111111111"]}}`, nil, userA, true},
		{"negated, several values: none", `{"StringNotEquals":{"aws:PrincipalAccount":["222222222222","111111111111"]}}`, nil, userA, false},
		{"negated, key missing", `{"StringNotEquals":{"sts:ExternalId":"x"}}`, nil, rootB, true},
		{"IfExists, key missing", `{"StringEqualsIfExists":{"sts:ExternalId":"x"}}`, nil, rootB, true},
		{"IfExists, key differs", `{"StringEqualsIfExists":{"sts:ExternalId":"x"}}`, ctx("sts:ExternalId", "y"), rootB, false},
		{"Null true", `{"Null":{"sts:ExternalId":"true"}}`, nil, rootB, true},
		{"Null false", `{"Null":{"sts:ExternalId":"false"}}`, nil, rootB, false},
		{"StringLike", `{"StringLike":{"x:sub":"repo:octo/app:*"}}`, ctx("x:sub", "repo:octo/app:ref:refs/heads/main"), rootB, true},
		{"StringLike is case-sensitive", `{"StringLike":{"x:sub":"repo:octo/app:*"}}`, ctx("x:sub", "repo:Octo/app:ref"), rootB, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"x:k":"ABC"}}`, ctx("x:k", "abc"), rootB, true},
		{"two keys: both", `{"StringEquals":{"x:a":"1","x:b":"2"}}`, ctx("x:a", "1", "x:b", "3"), rootB, false},
		{"two operators: both", `{"StringEquals":{"x:a":"1"},"StringLike":{"x:b":"2*"}}`, ctx("x:a", "1", "x:b", "20"), rootB, true},
		{"ForAnyValue", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx("aws:TagKeys", "owner|team"), rootB, true},
		{"ForAllValues", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx("aws:TagKeys", "owner|team"), rootB, false},
		{"ForAllValues, key missing", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, nil, rootB, true},
		{"ForAnyValue, key missing", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, nil, rootB, false},
		{"Bool", `{"Bool":{"aws:PrincipalIsAWSService":"false"}}`, nil, rootB, true},
		{"Bool, written bare", `{"Bool":{"aws:PrincipalIsAWSService":true}}`, nil, backup, true},
		{"Numeric", `{"NumericLessThanEquals":{"x:n":"10"}}`, ctx("x:n", "7"), rootB, true},
		{"Numeric, bare number", `{"NumericGreaterThan":{"x:n":10}}`, ctx("x:n", "7"), rootB, false},
		{"Date", `{"DateLessThan":{"x:t":"2030-01-01T00:00:00Z"}}`, ctx("x:t", "2026-12-07T10:00:00Z"), rootB, true},
		{"Date in epoch seconds", `{"DateGreaterThan":{"x:t":"1700000000"}}`, ctx("x:t", "2026-12-07T10:00:00Z"), rootB, true},
		{"IpAddress", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "10.1.2.3"), rootB, true},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.1.1"]}}`, ctx("aws:SourceIp", "192.168.1.1"), rootB, false},
		{"ArnEquals with wildcards", `{"ArnEquals":{"aws:SourceArn":"arn:aws:backup:*:111111111111:backup-plan:*"}}`,
			ctx("aws:SourceArn", "arn:aws:backup:us-east-1:111111111111:backup-plan:abc"), backup, true},
		{"ArnLike, other account", `{"ArnLike":{"aws:SourceArn":"arn:aws:backup:*:111111111111:*"}}`,
			ctx("aws:SourceArn", "arn:aws:backup:us-east-1:222222222222:backup-plan:abc"), backup, false},
	} {
		if got := evaluate(t, withCondition(c.cond), port.TrustRequest{Action: "sts:AssumeRole", Principal: c.p, Keys: c.ctx}); got != c.want {
			t.Errorf("%s: allowed = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestTrustUnknownOperatorRefuses: a condition xregion cannot evaluate refuses the
// request, even in a Deny statement, which skipping would turn into an Allow.
func TestTrustUnknownOperatorRefuses(t *testing.T) {
	doc := trustDocWith(allow(`{"AWS":"*"}`, `"sts:AssumeRole"`),
		`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringSounds":{"x:a":"b"}}}`)
	ok, _, err := Trusts(doc, port.TrustRequest{Action: "sts:AssumeRole", Principal: rootA, Keys: port.ConditionKeys{}})
	if ok || err == nil || !strings.Contains(err.Error(), "StringSounds") {
		t.Errorf("unknown operator: allowed %v, err %v", ok, err)
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"a*", "abc", true}, {"a*c", "abbbc", true}, {"a*c", "abcd", false}, {"a?c", "abc", true},
		{"a?c", "ac", false}, {"*b*", "abc", true}, {"repo:o/r:*", "repo:o/r:ref:x", true}, {"a/*", "a/b/c", true},
		{"[a]", "a", false}, {"**x", "yyx", true},
	} {
		if got := wildcardMatch(c.pattern, c.s, false); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

func TestAuthorizeAssumeRoleAndTrustsService(t *testing.T) {
	s := newService(t)
	ctx := callAs("111111111111", "us-east-1", "aws")
	doc := trustDocWith(allow(`{"Service":"backup.amazonaws.com"}`, `"sts:AssumeRole"`,
		`"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}`),
		allow(`{"AWS":"111111111111"}`, `"sts:AssumeRole"`))
	if _, err := s.CreateRole(ctx, &iamapi.CreateRoleRequest{RoleName: ptr("BackupRole"), Path: ptr("/service-role/"), AssumeRolePolicyDocument: ptr(doc)}); err != nil {
		t.Fatal(err)
	}
	roleARN := "arn:aws:iam::111111111111:role/service-role/BackupRole"
	check := func(f func(tx kit.Tx) error) error {
		var got error
		if err := s.View(func(tx kit.Tx) error { got = f(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	trustsBackup := func(role string, c port.ConditionKeys) error {
		return check(func(tx kit.Tx) error {
			_, err := s.TrustsService(tx, role, "backup.amazonaws.com", c)
			return err
		})
	}
	own := port.ConditionKeys{}
	own.Set("aws:SourceAccount", "111111111111")
	other := port.ConditionKeys{}
	other.Set("aws:SourceAccount", "222222222222")
	if err := trustsBackup(roleARN, own); err != nil {
		t.Errorf("backup.amazonaws.com for its own account: %v", err)
	}
	var nt *port.NotTrustedError
	if err := trustsBackup(roleARN, other); !errors.As(err, &nt) || nt.Action != "sts:AssumeRole" {
		t.Errorf("backup.amazonaws.com for another account: %v", err)
	}
	if err := check(func(tx kit.Tx) error {
		_, err := s.TrustsService(tx, roleARN, "rds.amazonaws.com", own)
		return err
	}); !errors.As(err, &nt) {
		t.Errorf("a service the role does not trust: %v", err)
	}
	if err := trustsBackup("arn:aws:iam::111111111111:role/Missing", own); !errors.Is(err, port.ErrNoSuchRole) {
		t.Errorf("a role that does not exist: %v", err)
	}

	assume := port.TrustRequest{Action: "sts:AssumeRole", Principal: userA}
	tag := port.TrustRequest{Action: "sts:TagSession", Principal: userA}
	if err := check(func(tx kit.Tx) error { _, err := s.AuthorizeAssumeRole(tx, roleARN, assume); return err }); err != nil {
		t.Errorf("a user of the account: %v", err)
	}
	err := check(func(tx kit.Tx) error {
		_, err := s.AuthorizeAssumeRole(tx, roleARN, assume, tag)
		return err
	})
	if !errors.As(err, &nt) || nt.Action != "sts:TagSession" {
		t.Errorf("session tags without sts:TagSession: %v", err)
	}
	if err := check(func(tx kit.Tx) error {
		_, err := s.AuthorizeAssumeRole(tx, roleARN, port.TrustRequest{Action: "sts:AssumeRole", Principal: rootB})
		return err
	}); !errors.As(err, &nt) {
		t.Errorf("another account: %v", err)
	}
}
