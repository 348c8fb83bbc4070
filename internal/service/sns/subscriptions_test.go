package sns_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func TestSubscribeSendsASignedConfirmation(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	out := kittest.Must[*snsapi.SubscribeResponse](t)(kittest.Call(e.Harness, region, snsapi.OpSubscribe, &snsapi.SubscribeInput{
		TopicArn: &topic, Protocol: new("http"), Endpoint: new(hookURL),
	}))
	if *out.SubscriptionArn != "pending confirmation" {
		t.Fatalf("SubscriptionArn = %s", *out.SubscriptionArn)
	}
	p := e.hooks.next(t)
	p.answer(200)
	if p.URL != hookURL || p.Timeout != 15*time.Second {
		t.Errorf("posted to %s with timeout %v", p.URL, p.Timeout)
	}
	for k, want := range map[string]string{
		"x-amz-sns-message-type": "SubscriptionConfirmation", "x-amz-sns-topic-arn": topic,
		"Content-Type": "text/plain; charset=UTF-8", "User-Agent": "Amazon Simple Notification Service Agent",
	} {
		if p.Header[k] != want {
			t.Errorf("header %s = %q, want %q", k, p.Header[k], want)
		}
	}
	doc := p.body(t)
	if doc["Type"] != "SubscriptionConfirmation" || doc["TopicArn"] != topic || doc["SignatureVersion"] != "1" ||
		doc["MessageId"] != p.Header["x-amz-sns-message-id"] || doc["Token"] == "" ||
		doc["Message"] != "You have chosen to subscribe to the topic "+topic+".\nTo confirm the subscription, visit the SubscribeURL included in this message." ||
		doc["SubscribeURL"] != endpoint+"/_aws/sns/us-east-1/?Action=ConfirmSubscription&TopicArn="+topic+"&Token="+doc["Token"].(string) {
		t.Errorf("confirmation = %v", doc)
	}
	verify(t, e, doc)

	attrs := e.topicAttributes(topic)
	if attrs["SubscriptionsPending"] != "1" || attrs["SubscriptionsConfirmed"] != "0" {
		t.Errorf("counts = %s pending, %s confirmed", attrs["SubscriptionsPending"], attrs["SubscriptionsConfirmed"])
	}
	arn, err := e.visitSubscribeURL(doc["SubscribeURL"].(string))
	if err != nil || !strings.HasPrefix(arn, topic+":") {
		t.Fatalf("confirming: %s, %v", arn, err)
	}
	sub := kittest.Must[*snsapi.GetSubscriptionAttributesResponse](t)(kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn}))
	for k, want := range map[string]string{
		"PendingConfirmation": "false", "ConfirmationWasAuthenticated": "false", "Protocol": "http", "Endpoint": hookURL,
		"Owner": "123456789012", "TopicArn": topic, "SubscriptionArn": arn, "RawMessageDelivery": "false",
	} {
		if sub.Attributes[k] != want {
			t.Errorf("%s = %q, want %q", k, sub.Attributes[k], want)
		}
	}
	if !strings.Contains(sub.Attributes["EffectiveDeliveryPolicy"], `"healthyRetryPolicy":{"minDelayTarget":20`) {
		t.Errorf("EffectiveDeliveryPolicy = %s", sub.Attributes["EffectiveDeliveryPolicy"])
	}
	// Confirming again answers the same subscription.
	if again, err := e.visitSubscribeURL(doc["SubscribeURL"].(string)); err != nil || again != arn {
		t.Errorf("second confirmation: %s, %v", again, err)
	}
}

func TestConfirmSubscriptionAPI(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	pending := e.subscribe(topic, nil)
	p := e.hooks.next(t)
	p.answer(200)
	token := p.body(t)["Token"].(string)
	for _, bad := range []string{"00", token[:len(token)-2], "zz"} {
		_, err := kittest.Call(e.Harness, region, snsapi.OpConfirmSubscription, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: new(bad)})
		wantError(t, err, "InvalidParameter", "Invalid parameter: Token")
	}
	other := e.createTopic("other", nil)
	_, err := kittest.Call(e.Harness, region, snsapi.OpConfirmSubscription, &snsapi.ConfirmSubscriptionInput{TopicArn: &other, Token: &token})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Token")
	out := kittest.Must[*snsapi.ConfirmSubscriptionResponse](t)(kittest.Call(e.Harness, region, snsapi.OpConfirmSubscription, &snsapi.ConfirmSubscriptionInput{
		TopicArn: &topic, Token: &token, AuthenticateOnUnsubscribe: new("true"),
	}))
	if *out.SubscriptionArn != pending {
		t.Fatalf("confirmed %s, subscribed %s", *out.SubscriptionArn, pending)
	}
	sub := kittest.Must[*snsapi.GetSubscriptionAttributesResponse](t)(kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &pending}))
	if sub.Attributes["ConfirmationWasAuthenticated"] != "true" {
		t.Error("a signed confirmation is not authenticated")
	}
	// With AuthenticateOnUnsubscribe, the UnsubscribeURL no longer works.
	wantError(t, e.svc.UnsubscribeLink(region, pending), "AuthorizationError", "")
}

func TestTokensExpireWithTheirPendingSubscription(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	arn := e.subscribe(topic, nil)
	p := e.hooks.next(t)
	p.answer(200)
	e.Advance(47 * time.Hour)
	if _, err := kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn}); err != nil {
		t.Fatalf("pending subscription gone before its token expired: %v", err)
	}
	e.Advance(time.Hour)
	_, err := kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn})
	wantError(t, err, "NotFound", "Subscription does not exist")
	if _, err := e.visitSubscribeURL(p.body(t)["SubscribeURL"].(string)); err == nil {
		t.Error("an expired token confirmed a subscription")
	}
	if attrs := e.topicAttributes(topic); attrs["SubscriptionsPending"] != "0" || attrs["SubscriptionsDeleted"] != "1" {
		t.Errorf("counts = %v", attrs)
	}
}

func TestSubscribeAgain(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	first := e.subscribe(topic, map[string]string{"RawMessageDelivery": "true"})
	e.hooks.next(t).answer(200)
	// A pending subscription gets a new confirmation.
	if again := e.subscribe(topic, map[string]string{"RawMessageDelivery": "true"}); again != first {
		t.Fatalf("second Subscribe = %s, first %s", again, first)
	}
	e.hooks.next(t).answer(200)
	_, err := kittest.Call(e.Harness, region, snsapi.OpSubscribe, &snsapi.SubscribeInput{
		TopicArn: &topic, Protocol: new("http"), Endpoint: new(hookURL), Attributes: map[string]string{"RawMessageDelivery": "false"},
	})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
}

func TestSubscribeRefusals(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	fifo := e.createTopic("orders.fifo", map[string]string{"FifoTopic": "true"})
	for _, tc := range []struct {
		topic, protocol, endpoint string
		attrs                     map[string]string
		code, text                string
	}{
		{topic, "carrier-pigeon", hookURL, nil, "InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"},
		{topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", nil, "InvalidParameter", ""},
		{topic, "https", hookURL, nil, "InvalidParameter", "Invalid parameter: Endpoint must match the specified protocol"},
		{topic, "http", "", nil, "InvalidParameter", "Invalid parameter: Endpoint"},
		{topic, "http", hookURL, map[string]string{"RawMessageDelivery": "maybe"}, "InvalidParameter", "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [maybe]. Must be true or false."},
		{topic, "http", hookURL, map[string]string{"Colour": "blue"}, "InvalidParameter", "Invalid parameter: Attributes Reason: AttributeName"},
		{topic, "http", hookURL, map[string]string{"FilterPolicy": "{nope"}, "InvalidParameter", "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON."},
		{topic, "http", hookURL, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq"}`}, "InvalidParameter", ""},
		{fifo, "http", hookURL, nil, "InvalidParameter", ""},
		{"arn:aws:sns:us-east-1:123456789012:missing", "http", hookURL, nil, "NotFound", "Topic does not exist"},
	} {
		_, err := kittest.Call(e.Harness, region, snsapi.OpSubscribe, &snsapi.SubscribeInput{
			TopicArn: &tc.topic, Protocol: &tc.protocol, Endpoint: &tc.endpoint, Attributes: tc.attrs,
		})
		wantError(t, err, tc.code, tc.text)
	}
	e.hooks.none(t, e)
}

func TestUnsubscribe(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	pending := e.subscribe(topic, nil)
	e.hooks.next(t).answer(200)
	_, err := kittest.Call(e.Harness, region, snsapi.OpUnsubscribe, &snsapi.UnsubscribeInput{SubscriptionArn: &pending})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Cannot unsubscribe a subscription that is pending confirmation")

	other := e.createTopic("other", nil)
	arn := e.confirmed(other, nil)
	if _, err := kittest.Call(e.Harness, region, snsapi.OpUnsubscribe, &snsapi.UnsubscribeInput{SubscriptionArn: &arn}); err != nil {
		t.Fatal(err)
	}
	// The owner unsubscribed: no UnsubscribeConfirmation.
	e.hooks.none(t, e)
	_, err = kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn})
	wantError(t, err, "NotFound", "")
	if _, err := kittest.Call(e.Harness, region, snsapi.OpUnsubscribe, &snsapi.UnsubscribeInput{SubscriptionArn: &arn}); err != nil {
		t.Errorf("Unsubscribe is not idempotent: %v", err)
	}
	for bad, text := range map[string]string{
		"arn:aws:sns:us-east-1:123456789012": "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5",
		other:                                "Invalid parameter: SubscriptionId",
	} {
		_, err := kittest.Call(e.Harness, region, snsapi.OpUnsubscribe, &snsapi.UnsubscribeInput{SubscriptionArn: new(bad)})
		wantError(t, err, "InvalidParameter", text)
	}
	if attrs := e.topicAttributes(other); attrs["SubscriptionsDeleted"] != "1" || attrs["SubscriptionsConfirmed"] != "0" {
		t.Errorf("counts after unsubscribing: %v", attrs)
	}
}

// An UnsubscribeURL works with a plain GET; the endpoint then gets an
// UnsubscribeConfirmation whose SubscribeURL restores the subscription.
func TestUnsubscribeLinkAndRestore(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	arn := e.confirmed(topic, map[string]string{"RawMessageDelivery": "true"})
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("hello")})
	p := e.hooks.next(t)
	p.answer(200)
	if p.Header["x-amz-sns-rawdelivery"] != "true" || string(p.Body) != "hello" {
		t.Fatalf("raw notification: %v %s", p.Header, p.Body)
	}
	if err := e.svc.UnsubscribeLink(region, arn); err != nil {
		t.Fatal(err)
	}
	bye := e.hooks.next(t)
	bye.answer(200)
	doc := bye.body(t)
	if doc["Type"] != "UnsubscribeConfirmation" || bye.Header["x-amz-sns-subscription-arn"] != arn ||
		doc["Message"] != "You have chosen to deactivate subscription "+arn+".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message." {
		t.Fatalf("unsubscribe confirmation: %v", doc)
	}
	verify(t, e, doc)
	restored, err := e.visitSubscribeURL(doc["SubscribeURL"].(string))
	if err != nil || restored == arn || !strings.HasPrefix(restored, topic+":") {
		t.Fatalf("restored %s (was %s): %v", restored, arn, err)
	}
	sub := kittest.Must[*snsapi.GetSubscriptionAttributesResponse](t)(kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &restored}))
	if sub.Attributes["PendingConfirmation"] != "false" || sub.Attributes["RawMessageDelivery"] != "true" {
		t.Errorf("restored subscription = %v", sub.Attributes)
	}
}

func TestListSubscriptions(t *testing.T) {
	e := start(t)
	a := e.createTopic("a", nil)
	b := e.createTopic("b", nil)
	confirmed := e.confirmed(a, nil)
	e.subscribe(b, nil)
	e.hooks.next(t).answer(200)
	all := kittest.Must[*snsapi.ListSubscriptionsResponse](t)(kittest.Call(e.Harness, region, snsapi.OpListSubscriptions, &snsapi.ListSubscriptionsInput{}))
	if len(all.Subscriptions) != 2 {
		t.Fatalf("ListSubscriptions = %d", len(all.Subscriptions))
	}
	byTopic := kittest.Must[*snsapi.ListSubscriptionsByTopicResponse](t)(kittest.Call(e.Harness, region, snsapi.OpListSubscriptionsByTopic, &snsapi.ListSubscriptionsByTopicInput{TopicArn: &b}))
	if len(byTopic.Subscriptions) != 1 || *byTopic.Subscriptions[0].SubscriptionArn != "PendingConfirmation" ||
		*byTopic.Subscriptions[0].Endpoint != hookURL || *byTopic.Subscriptions[0].TopicArn != b {
		t.Errorf("ListSubscriptionsByTopic(b) = %+v", byTopic.Subscriptions)
	}
	byTopic = kittest.Must[*snsapi.ListSubscriptionsByTopicResponse](t)(kittest.Call(e.Harness, region, snsapi.OpListSubscriptionsByTopic, &snsapi.ListSubscriptionsByTopicInput{TopicArn: &a}))
	if len(byTopic.Subscriptions) != 1 || *byTopic.Subscriptions[0].SubscriptionArn != confirmed || *byTopic.Subscriptions[0].Owner != "123456789012" {
		t.Errorf("ListSubscriptionsByTopic(a) = %+v", byTopic.Subscriptions)
	}
	_, err := kittest.Call(e.Harness, region, snsapi.OpListSubscriptionsByTopic, &snsapi.ListSubscriptionsByTopicInput{TopicArn: &a, NextToken: new("x")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: NextToken")
}

func TestSubscriptionAttributes(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	arn := e.confirmed(topic, nil)
	set := func(name, value string) error {
		_, err := kittest.Call(e.Harness, region, snsapi.OpSetSubscriptionAttributes, &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &arn, AttributeName: &name, AttributeValue: &value})
		return err
	}
	get := func() map[string]string {
		return kittest.Must[*snsapi.GetSubscriptionAttributesResponse](t)(kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn})).Attributes
	}
	for name, value := range map[string]string{
		"RawMessageDelivery": "true", "FilterPolicy": `{"event":["COPY_JOB_COMPLETED"]}`,
		"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":5,"minDelayTarget":1,"maxDelayTarget":10,"backoffFunction":"linear"}}`,
	} {
		if err := set(name, value); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	attrs := get()
	if attrs["RawMessageDelivery"] != "true" || attrs["FilterPolicyScope"] != "MessageAttributes" ||
		!strings.Contains(attrs["EffectiveDeliveryPolicy"], `"minDelayTarget":1,"maxDelayTarget":10,"numRetries":5`) {
		t.Errorf("attributes = %v", attrs)
	}
	if err := set("FilterPolicy", "{}"); err != nil {
		t.Fatal(err)
	}
	if attrs := get(); attrs["FilterPolicy"] != "" || attrs["FilterPolicyScope"] != "" {
		t.Errorf("filter policy not removed: %v", attrs)
	}
	wantError(t, set("FilterPolicyScope", "Everything"), "InvalidParameter", "Invalid parameter: FilterPolicyScope: Invalid value [Everything]. Please use either MessageBody or MessageAttributes")
	wantError(t, set("Protocol", "https"), "InvalidParameter", "Invalid parameter: AttributeName")
	wantError(t, set("FilterPolicy", `{"a":{"b":["c"]}}`), "InvalidParameter", "")
	if err := set("FilterPolicyScope", "MessageBody"); err != nil {
		t.Fatal(err)
	}
	if err := set("FilterPolicy", `{"a":{"b":["c"]}}`); err != nil {
		t.Errorf("a nested policy on the body: %v", err)
	}
}
