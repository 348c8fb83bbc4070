package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"

	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Encoded authorization failure messages (port.AuthorizationMessages). A message is the
// decoded document, sealed under the server's root key and bound to the caller's
// account, in URL-safe base64: opaque, as AWS's are, and any change to it makes it fail
// to open. Only the account the refusal happened in decodes it: AWS does not say whether
// another account may, and a careful user would not expect a refusal's details (its
// principal, resource and conditions) to be readable outside the account.

var _ port.AuthorizationMessages = (*Service)(nil)

// Encode implements port.AuthorizationMessages.
func (s *Service) Encode(f port.AuthorizationFailure) string {
	doc, err := json.Marshal(decodedMessage(f))
	if err != nil {
		panic(err) // only strings, booleans and lists: Marshal cannot fail
	}
	return base64.RawURLEncoding.EncodeToString(s.Sealer.Seal(doc, messageAAD(f.Account)))
}

func messageAAD(account string) []byte {
	return []byte("sts:DecodeAuthorizationMessage/" + account)
}

func (s *Service) DecodeAuthorizationMessage(ctx context.Context, in *stsapi.DecodeAuthorizationMessageRequest) (*stsapi.DecodeAuthorizationMessageResponse, error) {
	c := s.Call(ctx)
	if err := s.allowCaller(c, "sts:DecodeAuthorizationMessage"); err != nil {
		return nil, err
	}
	sealed, err := base64.RawURLEncoding.DecodeString(*in.EncodedMessage)
	if err != nil {
		return nil, msgBadAuthorizationMessage.New()
	}
	doc, err := s.Sealer.Open(sealed, messageAAD(c.Account))
	if err != nil {
		return nil, msgBadAuthorizationMessage.New()
	}
	text := string(doc)
	return &stsapi.DecodeAuthorizationMessageResponse{DecodedMessage: &text}, nil
}

// allowCaller asks the caller's IAM policies, in strict mode, whether it may run action
// (an STS action on no resource). Permissive mode lets every caller act as its account.
func (s *Service) allowCaller(c kit.Call, action string) error {
	if !s.creds.Strict() || s.perms == nil {
		return nil
	}
	req := port.AccessRequest{
		Action: action, Resource: "*",
		Principal: port.Principal{Type: port.PrincipalAWS, ID: c.Caller.ARN},
		Keys:      port.ConditionKeys{}, Session: c.Caller.Session,
	}
	var d port.Decision
	err := s.View(func(tx kit.Tx) error {
		var err error
		d, err = s.perms.IdentityPolicies(tx, req)
		return err
	})
	if err != nil {
		return err
	}
	switch d {
	case port.Allow:
		return nil
	case port.Deny:
		return msgDeniedByPolicy.New(c.Caller.ARN, action)
	}
	return msgNotAuthorizedNoPolicy.New(c.Caller.ARN, action, action)
}

// The decoded message, in AWS's shape: every list is an object with items.
type (
	decoded struct {
		Allowed           bool             `json:"allowed"`
		ExplicitDeny      bool             `json:"explicitDeny"`
		MatchedStatements items[statement] `json:"matchedStatements"`
		Failures          items[string]    `json:"failures"`
		Context           decodedContext   `json:"context"`
	}
	items[T any] struct {
		Items []T `json:"items"`
	}
	value struct {
		Value string `json:"value"`
	}
	decodedContext struct {
		Principal  decodedPrincipal `json:"principal"`
		Action     string           `json:"action"`
		Resource   string           `json:"resource"`
		Conditions items[condition] `json:"conditions"`
	}
	decodedPrincipal struct {
		ID  string `json:"id"`
		ARN string `json:"arn"`
	}
	condition struct {
		Key    string       `json:"key"`
		Values items[value] `json:"values"`
	}
	statement struct {
		StatementID     string       `json:"statementId"`
		Effect          string       `json:"effect"`
		Principals      items[value] `json:"principals"`
		PrincipalGroups items[value] `json:"principalGroups"`
		Actions         items[value] `json:"actions"`
		Resources       items[value] `json:"resources"`
		Conditions      items[value] `json:"conditions"`
	}
)

func decodedMessage(f port.AuthorizationFailure) decoded {
	d := decoded{
		ExplicitDeny: f.ExplicitDeny,
		Context: decodedContext{
			Principal: decodedPrincipal{ID: f.PrincipalID, ARN: f.PrincipalARN},
			Action:    f.Action, Resource: f.Resource,
		},
		MatchedStatements: items[statement]{Items: []statement{}},
		Failures:          items[string]{Items: []string{}},
	}
	d.Context.Conditions.Items = []condition{}
	for _, k := range slices.Sorted(maps.Keys(f.Conditions)) {
		d.Context.Conditions.Items = append(d.Context.Conditions.Items, condition{Key: k, Values: valueItems(f.Conditions[k])})
	}
	for _, m := range f.Matched {
		d.MatchedStatements.Items = append(d.MatchedStatements.Items, statement{
			StatementID: m.ID, Effect: m.Effect, Principals: valueItems(m.Principals),
			PrincipalGroups: valueItems(nil), Actions: valueItems(m.Actions),
			Resources: valueItems(m.Resource), Conditions: valueItems(nil),
		})
	}
	return d
}

func valueItems(vs []string) items[value] {
	out := items[value]{Items: []value{}}
	for _, v := range vs {
		out.Items = append(out.Items, value{Value: v})
	}
	return out
}
