package sns

import (
	"bytes"
	"encoding/json"
	"strings"
)

// A topic's access policy: the document AWS writes by default, its validation when an
// owner sets one, and its evaluation for the calls of other accounts and for the
// notifications of AWS services.

// policyDocument is an access policy as SNS reads it.
type policyDocument struct {
	Version   string      `json:"Version,omitempty"`
	ID        string      `json:"Id,omitempty"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid          string                           `json:"Sid,omitempty"`
	Effect       string                           `json:"Effect"`
	Principal    *principals                      `json:"Principal,omitempty"`
	NotPrincipal *principals                      `json:"NotPrincipal,omitempty"`
	Action       stringList                       `json:"Action,omitempty"`
	NotAction    stringList                       `json:"NotAction,omitempty"`
	Resource     stringList                       `json:"Resource,omitempty"`
	NotResource  stringList                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]stringList `json:"Condition,omitempty"`
}

// stringList is a policy element that is one string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// MarshalJSON writes one string as a string, as AWS writes its documents.
func (l stringList) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]string(l))
}

// principals is a Principal element: "*" (everyone), or principals by type ("AWS",
// "Service", ...).
type principals struct {
	everyone bool
	byType   map[string]stringList
}

func (p *principals) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return errBadPrincipal
		}
		p.everyone = true
		return nil
	}
	return json.Unmarshal(b, &p.byType)
}

func (p principals) MarshalJSON() ([]byte, error) {
	if p.everyone {
		return []byte(`"*"`), nil
	}
	return json.Marshal(p.byType)
}

type policyError string

func (e policyError) Error() string { return string(e) }

const errBadPrincipal = policyError("a Principal string must be *")

// policyActions are the actions a topic policy may name (AWS's list for SNS topics).
var policyActions = []string{
	"AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes", "ListSubscriptionsByTopic",
	"ListTagsForResource", "Publish", "PutDataProtectionPolicy", "Receive", "RemovePermission", "SetTopicAttributes", "Subscribe",
}

// defaultPolicyActions are the actions of the statement AWS writes into every new topic.
var defaultPolicyActions = stringList{
	"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
	"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
}

// defaultPolicy is the policy AWS gives a new topic: every principal of the owner's
// account may use it (AWS:SourceOwner is the caller's account for direct calls), and
// no one else, AWS services included.
func defaultPolicy(topicARN, owner string) string {
	doc := policyDocument{Version: "2008-10-17", ID: "__default_policy_ID", Statement: []statement{{
		Sid: "__default_statement_ID", Effect: "Allow",
		Principal: &principals{byType: map[string]stringList{"AWS": {"*"}}},
		Action:    defaultPolicyActions, Resource: stringList{topicARN},
		Condition: map[string]map[string]stringList{"StringEquals": {"AWS:SourceOwner": {owner}}},
	}}}
	b, _ := json.Marshal(doc)
	return string(b)
}

// parsePolicy reads and checks a topic policy, with AWS's errors: a document that is not
// a policy is "Policy Error: null"; an action of another service is out of scope.
func parsePolicy(text string) (*policyDocument, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	var doc policyDocument
	raw := struct {
		policyDocument
		Statement json.RawMessage `json:"Statement"`
	}{}
	if err := dec.Decode(&raw); err != nil || dec.More() || len(raw.Statement) == 0 {
		return nil, msgPolicyError.New()
	}
	doc = raw.policyDocument
	if err := json.Unmarshal(raw.Statement, &doc.Statement); err != nil {
		var one statement
		if json.Unmarshal(raw.Statement, &one) != nil {
			return nil, msgPolicyError.New()
		}
		doc.Statement = []statement{one}
	}
	if len(doc.Statement) == 0 || doc.Version != "" && doc.Version != "2008-10-17" && doc.Version != "2012-10-17" {
		return nil, msgPolicyError.New()
	}
	for _, st := range doc.Statement {
		if err := checkStatement(st); err != nil {
			return nil, err
		}
	}
	return &doc, nil
}

func checkStatement(st statement) error {
	switch {
	case st.Effect != "Allow" && st.Effect != "Deny",
		(st.Principal == nil) == (st.NotPrincipal == nil),
		(len(st.Action) == 0) == (len(st.NotAction) == 0),
		(len(st.Resource) == 0) == (len(st.NotResource) == 0):
		return msgPolicyError.New()
	}
	for _, a := range append(append([]string{}, st.Action...), st.NotAction...) {
		if !snsAction(a) {
			return msgPolicyScope.New()
		}
	}
	for op := range st.Condition {
		if _, ok := conditionOperator(op); !ok {
			return msgPolicyError.New()
		}
	}
	return nil
}

// snsAction reports whether a policy action names SNS actions: "*", "sns:*" or a
// pattern that matches one of SNS's topic actions.
func snsAction(a string) bool {
	if a == "*" {
		return true
	}
	service, name, ok := strings.Cut(a, ":")
	if !ok || !strings.EqualFold(service, serviceName) {
		return false
	}
	for _, known := range policyActions {
		if globMatch(strings.ToLower(name), strings.ToLower(known)) {
			return true
		}
	}
	return false
}

// access is one request a topic policy decides: an action on the topic by a principal,
// with the values of the condition keys.
type access struct {
	Action   string // "SNS:Publish"
	Resource string // the topic's ARN
	// Account and ARN name an IAM principal; Service an AWS service principal.
	Account, ARN, Service string
	Keys                  map[string]string // condition keys, by lower-case name
}

// decision is what a policy says about a request.
type decision int

const (
	implicitDeny decision = iota // no statement applies
	allowed
	explicitDeny
)

// evaluate applies the policy to a request: an explicit Deny wins, then an Allow.
func (doc *policyDocument) evaluate(req access) decision {
	d := implicitDeny
	for _, st := range doc.Statement {
		if !st.applies(req) {
			continue
		}
		if st.Effect == "Deny" {
			return explicitDeny
		}
		d = allowed
	}
	return d
}

func (st statement) applies(req access) bool {
	if st.Principal != nil && !st.Principal.match(req) {
		return false
	}
	if st.NotPrincipal != nil && st.NotPrincipal.match(req) {
		return false
	}
	if len(st.Action) > 0 && !anyMatch(st.Action, req.Action, true) {
		return false
	}
	if len(st.NotAction) > 0 && anyMatch(st.NotAction, req.Action, true) {
		return false
	}
	if len(st.Resource) > 0 && !anyMatch(st.Resource, req.Resource, false) {
		return false
	}
	if len(st.NotResource) > 0 && anyMatch(st.NotResource, req.Resource, false) {
		return false
	}
	return conditionsHold(st.Condition, req.Keys)
}

// match reports whether the principal element names the requester. {"AWS": "*"} names
// every IAM principal of every account but no AWS service: AWS Backup may only publish
// to a topic whose policy names backup.amazonaws.com (or "*"), as AWS documents.
func (p principals) match(req access) bool {
	if p.everyone {
		return true
	}
	if req.Service != "" {
		for _, s := range p.byType["Service"] {
			if strings.EqualFold(s, req.Service) {
				return true
			}
		}
		return false
	}
	for _, a := range p.byType["AWS"] {
		if a == "*" || a == req.Account || a == "arn:aws:iam::"+req.Account+":root" || a == req.ARN || a == roleOf(req.ARN) {
			return true
		}
	}
	return false
}

// roleOf returns the role ARN of an assumed-role session ARN, which a policy names
// through its role.
func roleOf(sessionARN string) string {
	rest, ok := strings.CutPrefix(sessionARN, "arn:aws:sts::")
	if !ok {
		return ""
	}
	account, path, _ := strings.Cut(rest, ":assumed-role/")
	role, _, ok := strings.Cut(path, "/")
	if !ok {
		return ""
	}
	return "arn:aws:iam::" + account + ":role/" + role
}

func anyMatch(patterns []string, value string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if globMatch(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if globMatch(p, value) {
			return true
		}
	}
	return false
}

// globMatch matches IAM wildcards: * any run of characters, ? one character.
func globMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if globMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}
