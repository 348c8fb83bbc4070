package sns

import (
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// policyOf returns the topic's access policy. A stored policy always parses (it was
// checked when it was set); the default one stands in for a topic that somehow has none.
func policyOf(ref topicRef, topic *topicRecord) *policyDocument {
	text, ok := topic.Attributes[attrPolicy]
	if !ok {
		text = defaultPolicy(ref.ARN(), ref.Account)
	}
	doc, err := parsePolicy(text)
	if err != nil {
		doc, _ = parsePolicy(defaultPolicy(ref.ARN(), ref.Account))
	}
	return doc
}

// authorize decides whether the caller may perform action ("Publish") on the topic. A
// caller of the topic's own account may unless the topic policy denies it explicitly
// (xregion does not evaluate IAM identity policies); a caller of another account needs an
// Allow of the topic policy, as AWS requires for cross-account access.
func authorize(c kit.Call, ref topicRef, topic *topicRecord, action string) error {
	req := access{
		Action: "SNS:" + action, Resource: ref.ARN(), Account: c.Account, ARN: c.Caller.ARN,
		Keys: map[string]string{"aws:sourceowner": c.Account, "aws:principalaccount": c.Account, "aws:principalarn": c.Caller.ARN},
	}
	switch policyOf(ref, topic).evaluate(req) {
	case explicitDeny:
		return msgDeniedByPolicy.New(c.Caller.ARN, req.Action, req.Resource)
	case allowed:
		return nil
	}
	if c.Account == ref.Account {
		return nil
	}
	return msgNotAuthorized.New(c.Caller.ARN, req.Action, req.Resource, req.Action)
}

// servicePublishAllowed reports whether the topic policy lets an AWS service publish n:
// it must allow SNS:Publish to the service principal, with the notification's source
// account and ARN as the aws:SourceAccount and aws:SourceArn condition keys.
func servicePublishAllowed(ref topicRef, topic *topicRecord, n port.Notification) bool {
	keys := map[string]string{}
	if n.SourceAccount != "" {
		keys["aws:sourceaccount"], keys["aws:sourceowner"] = n.SourceAccount, n.SourceAccount
	}
	if n.SourceARN != "" {
		keys["aws:sourcearn"] = n.SourceARN
	}
	req := access{Action: "SNS:Publish", Resource: ref.ARN(), Service: n.Publisher, Keys: keys}
	return policyOf(ref, topic).evaluate(req) == allowed
}
