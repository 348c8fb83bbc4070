package sns_test

import (
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func TestPublishRefusals(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	fifo := e.createTopic("orders.fifo", map[string]string{"FifoTopic": "true"})
	str := func(v string) snsapi.MessageAttributeValue {
		return snsapi.MessageAttributeValue{DataType: new("String"), StringValue: new(v)}
	}
	for _, tc := range []struct {
		name string
		in   snsapi.PublishInput
		code string
		text string
	}{
		{"empty", snsapi.PublishInput{TopicArn: &topic, Message: new("")}, "InvalidParameter", "Invalid parameter: Empty message"},
		{"too long", snsapi.PublishInput{TopicArn: &topic, Message: new(strings.Repeat("x", 262145))}, "InvalidParameter", "Invalid parameter: Message too long"},
		{"attributes count", snsapi.PublishInput{TopicArn: &topic, Message: new(strings.Repeat("x", 262140)),
			MessageAttributes: map[string]snsapi.MessageAttributeValue{"a": str("b")}}, "InvalidParameter", "Invalid parameter: Message too long"},
		{"subject", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), Subject: new("line\nbreak")}, "InvalidParameter", "Invalid parameter: Subject"},
		{"long subject", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), Subject: new(strings.Repeat("s", 100))}, "InvalidParameter", "Invalid parameter: Subject"},
		{"no target", snsapi.PublishInput{Message: new("m")}, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"},
		{"sms", snsapi.PublishInput{PhoneNumber: new("+15555550100"), Message: new("m")}, "InvalidParameter", ""},
		{"other region", snsapi.PublishInput{TopicArn: new("arn:aws:sns:eu-west-1:123456789012:alerts"), Message: new("m")}, "InvalidParameter", "Invalid parameter: TopicArn"},
		{"missing topic", snsapi.PublishInput{TopicArn: new(topic + "x"), Message: new("m")}, "NotFound", "Topic does not exist"},
		{"structure", snsapi.PublishInput{TopicArn: &topic, Message: new(`{"http":"x"}`), MessageStructure: new("json")}, "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body"},
		{"structure json", snsapi.PublishInput{TopicArn: &topic, Message: new(`{nope`), MessageStructure: new("json")}, "InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to parse"},
		{"attribute name", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"a b": str("x")}},
			"ParameterValueInvalid", "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."},
		{"attribute dots", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"a..b": str("x")}},
			"ParameterValueInvalid", "Message attribute name can not have successive '.' character."},
		{"attribute type", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"a": {DataType: new("Text"), StringValue: new("x")}}},
			"ParameterValueInvalid", "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{"attribute number", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"n": {DataType: new("Number"), StringValue: new("ten")}}},
			"ParameterValueInvalid", ""},
		{"attribute empty", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"a": str("")}},
			"ParameterValueInvalid", "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."},
		{"dedup on standard", snsapi.PublishInput{TopicArn: &topic, Message: new("m"), MessageDeduplicationId: new("d")}, "InvalidParameter",
			"Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"},
		{"fifo group", snsapi.PublishInput{TopicArn: &fifo, Message: new("m")}, "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"},
		{"fifo dedup", snsapi.PublishInput{TopicArn: &fifo, Message: new("m"), MessageGroupId: new("g")}, "InvalidParameter",
			"Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"},
	} {
		_, err := kittest.Call(e.Harness, region, snsapi.OpPublish, &tc.in)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantError(t, err, tc.code, tc.text)
	}
}

func TestPublishToAFifoTopicNumbersMessages(t *testing.T) {
	e := start(t)
	fifo := e.createTopic("orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	var seqs []string
	for range 2 {
		out := call(t, e, snsapi.OpPublish, &snsapi.PublishInput{TopicArn: &fifo, Message: new("m"), MessageGroupId: new("g")})
		seqs = append(seqs, *out.SequenceNumber)
	}
	if len(seqs[0]) != 20 || seqs[0] >= seqs[1] {
		t.Errorf("SequenceNumbers %v", seqs)
	}
}

func TestPublishBatch(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, nil)
	entry := func(id, msg string) snsapi.PublishBatchRequestEntry {
		return snsapi.PublishBatchRequestEntry{Id: new(id), Message: new(msg)}
	}
	out := call(t, e, snsapi.OpPublishBatch, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{entry("a", "one"), entry("b", "two")}})
	if len(out.Successful) != 2 || len(out.Failed) != 0 || *out.Successful[0].Id != "a" {
		t.Fatalf("PublishBatch = %+v", out)
	}
	got := map[string]bool{}
	for range 2 {
		p := e.hooks.next(t)
		p.answer(200)
		got[p.body(t)["Message"].(string)] = true
	}
	if !got["one"] || !got["two"] {
		t.Errorf("delivered %v", got)
	}
	var eleven []snsapi.PublishBatchRequestEntry
	for i := range 11 {
		eleven = append(eleven, entry(string(rune('a'+i)), "m"))
	}
	for _, tc := range []struct {
		entries []snsapi.PublishBatchRequestEntry
		code    string
	}{
		{eleven, "TooManyEntriesInBatchRequest"},
		{[]snsapi.PublishBatchRequestEntry{entry("a", "1"), entry("a", "2")}, "BatchEntryIdsNotDistinct"},
		{[]snsapi.PublishBatchRequestEntry{entry("a b", "1")}, "InvalidBatchEntryId"},
		{[]snsapi.PublishBatchRequestEntry{entry("a", strings.Repeat("x", 200000)), entry("b", strings.Repeat("x", 200000))}, "BatchRequestTooLong"},
		{[]snsapi.PublishBatchRequestEntry{entry("a", "")}, "InvalidParameter"},
	} {
		_, err := kittest.Call(e.Harness, region, snsapi.OpPublishBatch, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: tc.entries})
		wantError(t, err, tc.code, "")
	}
	e.hooks.none(t, e)
}
