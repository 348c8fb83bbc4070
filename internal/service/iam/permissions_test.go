package iam

import (
	"testing"

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
