package sns

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Subscription attributes a subscriber can set, and those SNS computes.
const (
	attrRawMessageDelivery  = "RawMessageDelivery"
	attrFilterPolicy        = "FilterPolicy"
	attrFilterPolicyScope   = "FilterPolicyScope"
	attrRedrivePolicy       = "RedrivePolicy"
	attrReplayPolicy        = "ReplayPolicy"
	attrSubscriptionRoleArn = "SubscriptionRoleArn"

	attrSubscriptionArn        = "SubscriptionArn"
	attrProtocol               = "Protocol"
	attrEndpoint               = "Endpoint"
	attrPendingConfirmation    = "PendingConfirmation"
	attrConfirmationWasAuthent = "ConfirmationWasAuthenticated"
)

// setSubscriptionAttribute checks one attribute and applies it to attrs. subscribing
// says whether it comes from Subscribe, whose errors AWS words differently.
func setSubscriptionAttribute(attrs map[string]string, name, value string, subscribing bool) error {
	prefix := ""
	if subscribing {
		prefix = string(textSubscribeReason)
	}
	switch name {
	case attrRawMessageDelivery:
		v := strings.ToLower(value)
		if v != "true" && v != "false" {
			return msgRawDelivery.New(prefix, value)
		}
		attrs[name] = v
	case attrFilterPolicyScope:
		if value != scopeAttributes && value != scopeBody {
			return msgFilterScope.New(prefix, value)
		}
		if p := attrs[attrFilterPolicy]; p != "" {
			if err := checkFilter(prefix, p, value); err != nil {
				return err
			}
		}
		attrs[name] = value
	case attrFilterPolicy:
		return setFilterPolicy(attrs, prefix, value)
	case attrDeliveryPolicy:
		return setOptional(attrs, name, value, func() error {
			_, err := parseSubscriptionDeliveryPolicy(value)
			return err
		})
	case attrRedrivePolicy, attrReplayPolicy:
		if value != "" {
			return msgNoSQS.New(prefix, name)
		}
		delete(attrs, name)
	case attrSubscriptionRoleArn:
		return setOptional(attrs, name, value, func() error {
			if _, err := arn.Parse(value); err != nil {
				return msgAttrValue.New(name, reasonRoleARN.with())
			}
			return nil
		})
	default:
		return msgSubAttrName.New(prefix)
	}
	return nil
}

// setOptional sets an attribute whose empty value unsets it.
func setOptional(attrs map[string]string, name, value string, check func() error) error {
	if value == "" {
		delete(attrs, name)
		return nil
	}
	if err := check(); err != nil {
		return err
	}
	attrs[name] = value
	return nil
}

// setFilterPolicy sets or, with an empty policy ("" or "{}", what Terraform sends to
// remove one), removes a filter policy.
func setFilterPolicy(attrs map[string]string, prefix, value string) error {
	if strings.TrimSpace(value) == "" || isEmptyObject(value) {
		delete(attrs, attrFilterPolicy)
		delete(attrs, attrFilterPolicyScope)
		return nil
	}
	scope := attrs[attrFilterPolicyScope]
	if scope == "" {
		scope = scopeAttributes
	}
	if err := checkFilter(prefix, value, scope); err != nil {
		return err
	}
	attrs[attrFilterPolicy] = value
	return nil
}

func checkFilter(prefix, policy, scope string) error {
	_, err := parseFilterPolicy(policy, scope)
	var reason filterReason
	if errors.As(err, &reason) && reason != errFilterJSON {
		return msgFilterPolicy.New(prefix, string(reason))
	}
	if err != nil {
		return msgFilterJSON.New(prefix)
	}
	return nil
}

func isEmptyObject(s string) bool {
	return strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\n", "") == "{}"
}

// subscriptionAttributesIn checks Subscribe's attributes: the scope first, so that the
// filter policy is checked against it.
func subscriptionAttributesIn(in map[string]string) (map[string]string, error) {
	out := map[string]string{}
	if scope, ok := in[attrFilterPolicyScope]; ok {
		if err := setSubscriptionAttribute(out, attrFilterPolicyScope, scope, true); err != nil {
			return nil, err
		}
	}
	for name, value := range in {
		if name == attrFilterPolicyScope {
			continue
		}
		if err := setSubscriptionAttribute(out, name, value, true); err != nil {
			return nil, err
		}
	}
	if out[attrFilterPolicy] == "" {
		delete(out, attrFilterPolicyScope)
	}
	return out, nil
}

// sameSubscription reports whether Subscribe's attributes describe the subscription as
// it is, which AWS requires to answer a second Subscribe as the first.
func sameSubscription(sub *subscriptionRecord, requested map[string]string) bool {
	for name, want := range requested {
		have := sub.Attributes[name]
		if name == attrRawMessageDelivery && have == "" {
			have = "false"
		}
		if have != want && !(strings.HasSuffix(name, "Policy") && sameJSON(have, want)) {
			return false
		}
	}
	return true
}

// subscriptionAttributes is what GetSubscriptionAttributes answers.
func subscriptionAttributes(ref subscriptionRef, topic *topicRecord, sub *subscriptionRecord) map[string]string {
	out := map[string]string{
		attrSubscriptionArn: ref.ARN(), attrTopicArn: ref.Topic.ARN(), attrOwner: sub.Owner,
		attrProtocol: sub.Protocol, attrEndpoint: sub.Endpoint, attrRawMessageDelivery: "false",
		attrPendingConfirmation:     strconv.FormatBool(sub.Pending),
		attrConfirmationWasAuthent:  strconv.FormatBool(sub.Authenticated),
		attrEffectiveDeliveryPolicy: subscriptionEffectiveDeliveryPolicy(topic, sub),
	}
	for k, v := range sub.Attributes {
		out[k] = v
	}
	if out[attrFilterPolicy] != "" && out[attrFilterPolicyScope] == "" {
		out[attrFilterPolicyScope] = scopeAttributes
	}
	return out
}

// findSubscription reads a subscription ARN of the caller's Region and returns the
// subscription with its topic, for its subscriber or its topic's owner.
func findSubscription(tx kit.Tx, c kit.Call, subscriptionARN, action string) (subscriptionRef, *topicRecord, *subscriptionRecord, error) {
	ref, err := subscriptionInRegion(c, subscriptionARN)
	if err != nil {
		return ref, nil, nil, err
	}
	v := ref.Topic.In(tx)
	sub, err := subscriptions.Get(v, ref.Topic.Name, ref.ID)
	if err != nil || sub == nil {
		if err == nil {
			err = msgSubscriptionNotFound.New()
		}
		return ref, nil, nil, err
	}
	if c.Account != sub.Owner && c.Account != ref.Topic.Account {
		return ref, nil, nil, msgNotOwner.New(c.Caller.ARN, "SNS:"+action, ref.ARN())
	}
	topic, err := topics.Get(v, ref.Topic.Name)
	return ref, topic, sub, err
}

// subscriptionInRegion reads a subscription ARN, which must be of the caller's Region.
func subscriptionInRegion(c kit.Call, subscriptionARN string) (subscriptionRef, error) {
	ref, ok := parseSubscriptionARN(subscriptionARN)
	switch {
	case ok && ref.Topic.Region == c.Region:
		return ref, nil
	case ok:
		return ref, msgSubscriptionRegion.New()
	case strings.Count(subscriptionARN, ":")+1 < 6:
		return ref, msgSubscriptionARN.New(strings.Count(subscriptionARN, ":") + 1)
	}
	return ref, msgSubscriptionID.New()
}

func (s *Service) GetSubscriptionAttributes(ctx context.Context, in *snsapi.GetSubscriptionAttributesInput) (*snsapi.GetSubscriptionAttributesResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*snsapi.GetSubscriptionAttributesResponse, error) {
		ref, topic, sub, err := findSubscription(tx, c, *in.SubscriptionArn, "GetSubscriptionAttributes")
		if err != nil {
			return nil, err
		}
		return &snsapi.GetSubscriptionAttributesResponse{Attributes: subscriptionAttributes(ref, topic, sub)}, nil
	})
}

func (s *Service) SetSubscriptionAttributes(ctx context.Context, in *snsapi.SetSubscriptionAttributesInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		ref, _, sub, err := findSubscription(tx, c, *in.SubscriptionArn, "SetSubscriptionAttributes")
		if err != nil {
			return nil, err
		}
		if sub.Attributes == nil {
			sub.Attributes = map[string]string{}
		}
		if err := setSubscriptionAttribute(sub.Attributes, *in.AttributeName, deref(in.AttributeValue), false); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, subscriptions.Put(ref.Topic.In(tx), sub, sub.Topic, sub.ID)
	})
}
