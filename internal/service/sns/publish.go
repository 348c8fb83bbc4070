package sns

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// maxMessageBytes is AWS's limit of a message, its attributes included (256 KiB).
const maxMessageBytes = 262144

// message is a published message before it is addressed to each subscription.
type message struct {
	Subject string
	Default string
	// PerProtocol holds a MessageStructure=json message's protocol-specific texts.
	PerProtocol map[string]string
	Attributes  map[string]messageAttribute
}

// bodyFor is the text a subscription of protocol receives.
func (m *message) bodyFor(protocol string) string {
	if text, ok := m.PerProtocol[protocol]; ok {
		return text
	}
	return m.Default
}

// newMessage checks Publish's message, in the order AWS checks it.
func newMessage(text, subject, structure *string, attrs map[string]snsapi.MessageAttributeValue) (*message, error) {
	if subject != nil && !validSubject(*subject) {
		return nil, msgBadSubject.New()
	}
	if text == nil || *text == "" {
		return nil, msgEmptyMessage.New()
	}
	m := &message{Subject: deref(subject), Default: *text}
	var err error
	if m.Attributes, err = messageAttributes(attrs); err != nil {
		return nil, err
	}
	if m.size() > maxMessageBytes {
		return nil, msgTooLong.New()
	}
	if deref(structure) == "json" {
		if err := m.structure(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// validSubject: UTF-8 text without line breaks or control characters, under 100
// characters.
func validSubject(s string) bool {
	if s == "" || utf8.RuneCountInString(s) >= 100 {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// size counts the message and every part of its attributes, as AWS does.
func (m *message) size() int {
	n := len(m.Default)
	for name, a := range m.Attributes {
		n += len(name) + len(a.Type) + len(a.Value)
	}
	return n
}

// structure reads a MessageStructure=json message: an object of strings by protocol,
// with a "default" entry; values that are not strings are ignored, as AWS ignores them.
func (m *message) structure() error {
	var raw map[string]any
	if err := json.Unmarshal([]byte(m.Default), &raw); err != nil {
		return msgStructureJSON.New()
	}
	m.PerProtocol = map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			m.PerProtocol[k] = s
		}
	}
	def, ok := m.PerProtocol["default"]
	if !ok {
		return msgNoDefault.New()
	}
	m.Default = def
	return nil
}

var attributeTypeSuffix = lazyregexp.MustCompile(`^(String|Number|Binary)\..+$`)

// messageAttributes checks MessageAttributes and returns them as a JSON message carries
// them.
func messageAttributes(in map[string]snsapi.MessageAttributeValue) (map[string]messageAttribute, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]messageAttribute{}
	for name, v := range in {
		if err := checkAttributeName(name); err != nil {
			return nil, err
		}
		typ := deref(v.DataType)
		base, _, _ := strings.Cut(typ, ".")
		if typ != base && !attributeTypeSuffix.MatchString(typ) || (base != "String" && base != "Number" && base != "Binary") {
			return nil, msgAttrType.New(name)
		}
		value, err := attributeValue(name, typ, base, v)
		if err != nil {
			return nil, err
		}
		out[name] = messageAttribute{Type: typ, Value: value}
	}
	return out, nil
}

func attributeValue(name, typ, base string, v snsapi.MessageAttributeValue) (string, error) {
	if base == "Binary" {
		if v.StringValue != nil {
			return "", msgAttrField.New(name, typ, "Binary")
		}
		if len(v.BinaryValue) == 0 {
			return "", msgAttrEmpty.New(name, typ)
		}
		return base64.StdEncoding.EncodeToString(v.BinaryValue), nil
	}
	if v.BinaryValue != nil && v.StringValue == nil {
		return "", msgAttrField.New(name, typ, "String")
	}
	if deref(v.StringValue) == "" {
		return "", msgAttrEmpty.New(name, typ)
	}
	if base == "Number" {
		if _, err := strconv.ParseFloat(*v.StringValue, 64); err != nil {
			return "", msgAttrNumber.New(name)
		}
	}
	return *v.StringValue, nil
}

// checkAttributeName: letters, digits, hyphens, underscores and dots, not at either end
// nor two in a row, under 256 bytes.
func checkAttributeName(name string) error {
	switch {
	case len(name) >= 256:
		return msgAttrNameTooLong.New()
	case strings.HasPrefix(name, "."):
		return msgAttrNameStart.New()
	case strings.HasSuffix(name, "."):
		return msgAttrNameEnd.New()
	}
	for _, r := range name {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-' || r == '_' || r == '.') {
			return msgAttrNameChar.New(r)
		}
	}
	if strings.Contains(name, "..") {
		return msgAttrNameDots.New()
	}
	return nil
}

// publishTarget is the topic a Publish names: TopicArn or, for compatibility, TargetArn.
// xregion publishes to topics only.
func publishTarget(in *snsapi.PublishInput) (string, error) {
	switch {
	case in.PhoneNumber != nil:
		return "", msgNoSMS.New()
	case in.TopicArn != nil:
		return *in.TopicArn, nil
	case in.TargetArn != nil && strings.Contains(*in.TargetArn, ":endpoint/"):
		return "", msgNoMobile.New()
	case in.TargetArn != nil:
		return *in.TargetArn, nil
	}
	return "", msgNoTarget.New()
}

func (s *Service) Publish(ctx context.Context, in *snsapi.PublishInput) (*snsapi.PublishResponse, error) {
	c := s.Call(ctx)
	target, err := publishTarget(in)
	if err != nil {
		return nil, err
	}
	ref, err := topicInRegion(c, target)
	if err != nil {
		return nil, err
	}
	m, err := newMessage(in.Message, in.Subject, in.MessageStructure, in.MessageAttributes)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*snsapi.PublishResponse, error) {
		topic, err := findTopic(tx, ref)
		if err != nil {
			return nil, err
		}
		if err := authorize(c, ref, topic, "Publish"); err != nil {
			return nil, err
		}
		if err := checkGrouping(topic, in.MessageGroupId, in.MessageDeduplicationId); err != nil {
			return nil, err
		}
		out := &snsapi.PublishResponse{MessageId: new(ids.UUID())}
		if err := s.fanOut(tx, ref, topic, m, *out.MessageId, c.Now()); err != nil {
			return nil, err
		}
		if topic.fifo() {
			out.SequenceNumber = new(nextSequence(topic))
			return out, topics.Put(ref.In(tx), topic, topic.Name)
		}
		return out, nil
	})
}

// checkGrouping applies the rules of MessageGroupId and MessageDeduplicationId.
func checkGrouping(topic *topicRecord, group, dedup *string) error {
	if !topic.fifo() {
		if dedup != nil {
			return msgDedupOnStandard.New()
		}
		return nil
	}
	if group == nil {
		return msgGroupRequired.New()
	}
	if dedup == nil && topic.Attributes[attrContentBasedDedup] != "true" {
		return msgDedupRequired.New()
	}
	return nil
}

// nextSequence numbers a FIFO topic's messages in order, as AWS's SequenceNumber does.
func nextSequence(topic *topicRecord) string {
	topic.Sequence++
	return fmt.Sprintf("%020d", topic.Sequence)
}

// fanOut starts the delivery of a message to every confirmed subscription of the topic
// that its filter policy lets through.
func (s *Service) fanOut(tx kit.Tx, ref topicRef, topic *topicRecord, m *message, id string, now time.Time) error {
	v := ref.In(tx)
	subs, err := subscriptions.List(v, topic.Name)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if sub.Pending || !passesFilter(sub, m) {
			continue
		}
		env := envelope{
			Type: typeNotification, MessageID: id, TopicARN: ref.ARN(), SubscriptionARN: sub.ref(v).ARN(),
			Endpoint: sub.Endpoint, Subject: m.Subject, Message: m.bodyFor(sub.Protocol), Timestamp: now,
			Attributes: m.Attributes, Raw: sub.Attributes[attrRawMessageDelivery] == "true",
			SignatureVersion: signatureVersion(topic),
		}
		if err := s.deliver(tx, v, sub, env); err != nil {
			return err
		}
	}
	return nil
}

// passesFilter applies a subscription's filter policy to a message. A policy that no
// longer parses (it was checked when set) lets nothing through.
func passesFilter(sub *subscriptionRecord, m *message) bool {
	text := sub.Attributes[attrFilterPolicy]
	if text == "" {
		return true
	}
	scope := sub.Attributes[attrFilterPolicyScope]
	if scope == "" {
		scope = scopeAttributes
	}
	p, err := parseFilterPolicy(text, scope)
	if err != nil {
		return false
	}
	if scope == scopeBody {
		return p.matches(bodyValues(m.bodyFor(sub.Protocol)))
	}
	return p.matches(attributeValues(m.Attributes))
}

// signatureVersion is the topic's SignatureVersion: 1 unless set.
func signatureVersion(topic *topicRecord) string {
	if topic != nil && topic.Attributes[attrSignatureVersion] == "2" {
		return "2"
	}
	return "1"
}

// notifier is SNS as port.Notifier. The port is an adapter rather than the Service itself
// because its Publish shares its name with the SNS operation, whose handler is the
// Service's Publish (snsapi.Bind).
type notifier struct{ *Service }

var _ port.Notifier = notifier{}

// Publish implements port.Notifier: an AWS service's notification, published in the
// service's transaction when the topic's policy lets the service publish to it. AWS
// services publish to standard topics only.
func (s notifier) Publish(tx kit.Tx, topicARN string, n port.Notification) error {
	if n.Publisher == "" {
		return fmt.Errorf("sns: a notification to %s names no publishing service", topicARN)
	}
	ref, ok := parseTopicARN(topicARN)
	if !ok {
		return port.ErrNoTopic
	}
	tx = s.Join(tx)
	topic, err := topics.Get(ref.In(tx), ref.Name)
	if err != nil {
		return err
	}
	if topic == nil || topic.fifo() || !servicePublishAllowed(ref, topic, n) {
		return port.ErrNoTopic
	}
	m := &message{Subject: n.Subject, Default: n.Message}
	for k, v := range n.Attributes {
		if m.Attributes == nil {
			m.Attributes = map[string]messageAttribute{}
		}
		m.Attributes[k] = messageAttribute{Type: "String", Value: v}
	}
	return s.fanOut(tx, ref, topic, m, ids.UUID(), s.Clock.Now())
}
