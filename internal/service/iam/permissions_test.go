package iam

import (
	"testing"

	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func TestResourcePolicyDecisions(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111111111111:key/k1"
	s := newService(t)
	doc := trustDocWith(
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/Deployer"},"Action":"kms:Decrypt","Resource":"`+key+`",
		  "Condition":{"StringEquals":{"kms:EncryptionContext:app":"web"}}}`,
		`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}`,
		`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111111111111:key/other"}`,
	)
	withApp := port.ConditionKeys{}
	withApp.Set("kms:EncryptionContext:app", "web")
	cases := []struct {
		name string
		who  port.Principal
		act  string
		keys port.ConditionKeys
		want port.Decision
	}{
		{"the root, named", rootA, "kms:Encrypt", nil, port.Allow},
		{"a session through its account", sessionA, "kms:Encrypt", nil, port.AllowAccount},
		{"a session named by its role, condition met", sessionA, "kms:Decrypt", withApp, port.Allow},
		{"a session named by its role, condition not met", sessionA, "kms:Decrypt", nil, port.AllowAccount},
		{"a Deny for everyone", rootA, "kms:ScheduleKeyDeletion", nil, port.Deny},
		{"another account", rootB, "kms:Encrypt", nil, port.NoDecision},
	}
	for _, c := range cases {
		got, err := s.ResourcePolicy(doc, port.AccessRequest{Action: c.act, Resource: key, Principal: c.who, Keys: c.keys})
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := s.ResourcePolicy("{not json", port.AccessRequest{Action: "kms:Encrypt", Resource: key, Principal: rootA}); err == nil {
		t.Error("a policy that does not parse was evaluated")
	}
}

// Session policies bound what a session's principal's policies allow; a federated user
// acts with its federating principal's policies, and without session policies may do
// nothing.
func TestIdentityPoliciesWithSessionPolicies(t *testing.T) {
	s := newService(t)
	c := callAs("111111111111", "us-east-1", "aws")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`
	if _, err := s.CreateRole(c, &iamapi.CreateRoleRequest{RoleName: ptr("Deployer"), AssumeRolePolicyDocument: ptr(trust)}); err != nil {
		t.Fatal(err)
	}
	kmsAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`
	if _, err := s.PutRolePolicy(c, &iamapi.PutRolePolicyRequest{RoleName: ptr("Deployer"), PolicyName: ptr("kms"), PolicyDocument: ptr(kmsAll)}); err != nil {
		t.Fatal(err)
	}
	encryptOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","sts:*"],"Resource":"*"}]}`
	managed, err := s.CreatePolicy(c, &iamapi.CreatePolicyRequest{PolicyName: ptr("DescribeOnly"),
		PolicyDocument: ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	denyEncrypt := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}]}`
	federated := port.Principal{Type: port.PrincipalAWS, ID: "arn:aws:sts::111111111111:federated-user/bob"}
	byRoot := "arn:aws:iam::111111111111:root"
	cases := []struct {
		name    string
		who     port.Principal
		session kit.Session
		act     string
		want    port.Decision
	}{
		{"a session without session policies", sessionA, kit.Session{}, "kms:Decrypt", port.Allow},
		{"an inline session policy allows", sessionA, kit.Session{Policy: encryptOnly}, "kms:Encrypt", port.Allow},
		{"an inline session policy does not allow", sessionA, kit.Session{Policy: encryptOnly}, "kms:Decrypt", port.NoDecision},
		{"the session allows what the role does not", sessionA, kit.Session{Policy: encryptOnly}, "sts:GetCallerIdentity", port.NoDecision},
		{"a managed session policy", sessionA, kit.Session{PolicyARNs: []string{*managed.Policy.Arn}}, "kms:DescribeKey", port.Allow},
		{"a managed session policy does not allow", sessionA, kit.Session{PolicyARNs: []string{*managed.Policy.Arn}}, "kms:Encrypt", port.NoDecision},
		{"a session policy denies", sessionA, kit.Session{Policy: denyEncrypt}, "kms:Encrypt", port.Deny},
		{"a session policy that names nothing", sessionA, kit.Session{PolicyARNs: []string{"arn:aws:iam::111111111111:policy/Gone"}}, "kms:Encrypt", port.NoDecision},
		{"a federated user of the root, within its policy", federated, kit.Session{Policy: encryptOnly, FederatedBy: byRoot}, "kms:Encrypt", port.Allow},
		{"a federated user of the root, outside its policy", federated, kit.Session{Policy: encryptOnly, FederatedBy: byRoot}, "kms:Decrypt", port.NoDecision},
		{"a federated user without session policies", federated, kit.Session{FederatedBy: byRoot}, "kms:Encrypt", port.NoDecision},
		{"a federated user of a user IAM does not know", federated, kit.Session{Policy: encryptOnly, FederatedBy: "arn:aws:iam::111111111111:user/bob"}, "kms:Encrypt", port.NoDecision},
	}
	for _, tc := range cases {
		var got port.Decision
		err := s.View(func(tx kit.Tx) error {
			var err error
			got, err = s.IdentityPolicies(tx, port.AccessRequest{Action: tc.act, Resource: "*", Principal: tc.who, Keys: port.ConditionKeys{}, Session: tc.session})
			return err
		})
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
