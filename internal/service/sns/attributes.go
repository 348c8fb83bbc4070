package sns

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Topic attributes AWS lets an owner set, and those it computes.
const (
	attrPolicy              = "Policy"
	attrDisplayName         = "DisplayName"
	attrDeliveryPolicy      = "DeliveryPolicy"
	attrKmsMasterKeyID      = "KmsMasterKeyId"
	attrSignatureVersion    = "SignatureVersion"
	attrTracingConfig       = "TracingConfig"
	attrFifoTopic           = "FifoTopic"
	attrContentBasedDedup   = "ContentBasedDeduplication"
	attrFifoThroughputScope = "FifoThroughputScope"
	attrArchivePolicy       = "ArchivePolicy"

	attrTopicArn                = "TopicArn"
	attrOwner                   = "Owner"
	attrSubscriptionsConfirmed  = "SubscriptionsConfirmed"
	attrSubscriptionsPending    = "SubscriptionsPending"
	attrSubscriptionsDeleted    = "SubscriptionsDeleted"
	attrEffectiveDeliveryPolicy = "EffectiveDeliveryPolicy"
)

// feedbackAttributes configure delivery status logging to CloudWatch Logs. xregion keeps
// them as set (it has no CloudWatch Logs to write to) and checks their values as AWS does:
// role ARNs, and sample rates from 0 to 100.
var feedbackAttributes = func() map[string]bool {
	out := map[string]bool{}
	for _, endpoint := range []string{"Application", "HTTP", "Lambda", "SQS", "Firehose"} {
		out[endpoint+"SuccessFeedbackRoleArn"] = true
		out[endpoint+"FailureFeedbackRoleArn"] = true
		out[endpoint+"SuccessFeedbackSampleRate"] = false
	}
	return out
}()

// checkTopicAttribute checks one attribute an owner sets, on a topic that is FIFO or not.
// It returns the value to store, or "" with keep false for a value that means "unset".
func checkTopicAttribute(name, value string, fifo bool) (keep bool, err error) {
	if isRole, ok := feedbackAttributes[name]; ok {
		return value != "", checkFeedback(name, value, isRole)
	}
	switch name {
	case attrPolicy:
		_, err := parsePolicy(value)
		return true, err
	case attrDisplayName:
		if len(value) > 100 {
			return false, msgAttrValue.New(name, reasonDisplayName.with())
		}
		return true, nil
	case attrDeliveryPolicy:
		if value == "" {
			return false, nil
		}
		_, err := parseTopicDeliveryPolicy(value)
		return true, err
	case attrKmsMasterKeyID:
		return value != "", nil
	case attrSignatureVersion:
		return true, oneOf(name, value, "1", "2")
	case attrTracingConfig:
		if value == "Active" && fifo {
			return false, msgAttrValue.New(name, reasonTracingFifo.with())
		}
		return true, oneOf(name, value, "PassThrough", "Active")
	}
	return checkFifoAttribute(name, value, fifo)
}

// checkFifoAttribute checks the attributes of FIFO topics. A standard topic accepts
// them set to their "off" values, which Terraform and CloudFormation send, and keeps
// nothing.
func checkFifoAttribute(name, value string, fifo bool) (bool, error) {
	switch name {
	case attrContentBasedDedup:
		if err := oneOf(name, value, "true", "false"); err != nil {
			return false, err
		}
		if !fifo && value == "true" {
			return false, msgFifoOnly.New(name)
		}
		return fifo, nil
	case attrFifoThroughputScope:
		if !fifo {
			return false, msgFifoOnly.New(name)
		}
		return true, oneOf(name, value, "Topic", "MessageGroup")
	case attrArchivePolicy:
		if value == "" || value == "{}" {
			return false, nil
		}
		return false, msgNoArchive.New()
	}
	return false, errUnknownAttribute
}

// errUnknownAttribute is checkTopicAttribute's answer for a name SNS does not know:
// SetTopicAttributes and CreateTopic refuse it in different words.
var errUnknownAttribute = errors.New("sns: unknown topic attribute")

func checkFeedback(name, value string, isRole bool) error {
	if value == "" {
		return nil
	}
	if isRole {
		if _, err := arn.Parse(value); err != nil {
			return msgAttrValue.New(name, reasonRoleARN.with())
		}
		return nil
	}
	if n, err := strconv.Atoi(value); err != nil || n < 0 || n > 100 {
		return msgAttrValue.New(name, reasonSampleRate.with())
	}
	return nil
}

func oneOf(name, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return msgAttrValue.New(name, reasonOneOf.with(strings.Join(allowed, ", ")))
}

// newTopicAttributes checks the Attributes of CreateTopic and returns those to store.
func newTopicAttributes(in map[string]string) (map[string]string, error) {
	fifo := in[attrFifoTopic] == "true"
	out := map[string]string{}
	if fifo {
		out[attrFifoTopic] = "true"
	}
	for name, value := range in {
		if name == attrFifoTopic {
			if err := oneOf(name, value, "true", "false"); err != nil {
				return nil, err
			}
			continue
		}
		keep, err := checkTopicAttribute(name, value, fifo)
		if errors.Is(err, errUnknownAttribute) {
			return nil, msgCreateAttrName.New(name)
		}
		if err != nil {
			return nil, err
		}
		if keep {
			out[name] = value
		}
	}
	return out, nil
}

// sameAttributes reports whether CreateTopic's attributes describe the topic as it is:
// what AWS requires to answer a second CreateTopic as the first.
func sameAttributes(topic *topicRecord, requested map[string]string) bool {
	for name, want := range requested {
		have, ok := topic.Attributes[name]
		switch {
		case name == attrFifoTopic || name == attrContentBasedDedup:
			if (want == "true") != (have == "true") {
				return false
			}
		case name == attrPolicy || name == attrDeliveryPolicy:
			if !ok && want == "" {
				continue
			}
			if !sameJSON(have, want) {
				return false
			}
		case have != want:
			return false
		}
	}
	return true
}

func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return reflect.DeepEqual(x, y)
}

// topicAttributes is what GetTopicAttributes answers: the attributes as set and those
// AWS computes.
func topicAttributes(tx kit.Tx, ref topicRef, topic *topicRecord) (map[string]string, error) {
	out := map[string]string{attrDisplayName: ""}
	for k, v := range topic.Attributes {
		out[k] = v
	}
	if _, ok := out[attrPolicy]; !ok {
		out[attrPolicy] = defaultPolicy(ref.ARN(), ref.Account)
	}
	if topic.fifo() {
		out[attrContentBasedDedup] = strconv.FormatBool(topic.Attributes[attrContentBasedDedup] == "true")
		if _, ok := out[attrFifoThroughputScope]; !ok {
			out[attrFifoThroughputScope] = "Topic"
		}
	}
	confirmed, pending := 0, 0
	err := subscriptions.Scan(ref.In(tx), func(s *subscriptionRecord) bool {
		if s.Pending {
			pending++
		} else {
			confirmed++
		}
		return true
	}, topic.Name)
	if err != nil {
		return nil, err
	}
	out[attrTopicArn], out[attrOwner] = ref.ARN(), ref.Account
	out[attrSubscriptionsConfirmed], out[attrSubscriptionsPending] = strconv.Itoa(confirmed), strconv.Itoa(pending)
	out[attrSubscriptionsDeleted] = strconv.Itoa(topic.Deleted)
	out[attrEffectiveDeliveryPolicy] = topicEffectiveDeliveryPolicy(topic)
	return out, nil
}

func (s *Service) GetTopicAttributes(ctx context.Context, in *snsapi.GetTopicAttributesInput) (*snsapi.GetTopicAttributesResponse, error) {
	c := s.Call(ctx)
	ref, err := topicInRegion(c, *in.TopicArn)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*snsapi.GetTopicAttributesResponse, error) {
		topic, err := findTopic(tx, ref)
		if err != nil {
			return nil, err
		}
		if err := authorize(c, ref, topic, "GetTopicAttributes"); err != nil {
			return nil, err
		}
		attrs, err := topicAttributes(tx, ref, topic)
		return &snsapi.GetTopicAttributesResponse{Attributes: attrs}, err
	})
}

func (s *Service) SetTopicAttributes(ctx context.Context, in *snsapi.SetTopicAttributesInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	ref, err := topicInRegion(c, *in.TopicArn)
	if err != nil {
		return nil, err
	}
	name, value := *in.AttributeName, deref(in.AttributeValue)
	if name == attrFifoTopic {
		return nil, msgTopicAttrName.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		topic, err := findTopic(tx, ref)
		if err != nil {
			return nil, err
		}
		if err := authorize(c, ref, topic, "SetTopicAttributes"); err != nil {
			return nil, err
		}
		keep, err := checkTopicAttribute(name, value, topic.fifo())
		if errors.Is(err, errUnknownAttribute) {
			return nil, msgTopicAttrName.New()
		}
		if err != nil {
			return nil, err
		}
		if topic.Attributes == nil {
			topic.Attributes = map[string]string{}
		}
		delete(topic.Attributes, name)
		if keep {
			topic.Attributes[name] = value
		}
		return &awsmodel.Empty{}, topics.Put(ref.In(tx), topic, topic.Name)
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
