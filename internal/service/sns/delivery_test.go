package sns_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/store"
)

func TestPublishDeliversAWSsSignedNotification(t *testing.T) {
	for _, version := range []string{"1", "2"} {
		t.Run("SignatureVersion"+version, func(t *testing.T) {
			e := start(t)
			topic := e.createTopic("alerts", map[string]string{"SignatureVersion": version})
			sub := e.confirmed(topic, nil)
			id := e.publish(&snsapi.PublishInput{
				TopicArn: &topic, Message: new(`{"state":"COMPLETED"}`), Subject: new("Copy job completed"),
				MessageAttributes: map[string]snsapi.MessageAttributeValue{
					"event": {DataType: new("String"), StringValue: new("COPY_JOB_COMPLETED")},
					"bytes": {DataType: new("Number"), StringValue: new("1024")},
					"blob":  {DataType: new("Binary"), BinaryValue: []byte{1, 2, 3}},
				},
			})
			p := e.hooks.next(t)
			p.answer(200)
			for k, want := range map[string]string{
				"x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": id, "x-amz-sns-topic-arn": topic,
				"x-amz-sns-subscription-arn": sub, "x-amz-sns-rawdelivery": "false",
			} {
				if p.Header[k] != want {
					t.Errorf("header %s = %q, want %q", k, p.Header[k], want)
				}
			}
			doc := p.body(t)
			if doc["Type"] != "Notification" || doc["MessageId"] != id || doc["Subject"] != "Copy job completed" ||
				doc["Message"] != `{"state":"COMPLETED"}` || doc["SignatureVersion"] != version ||
				doc["Timestamp"] != "2026-01-02T03:04:05.000Z" ||
				doc["UnsubscribeURL"] != endpoint+"/_aws/sns/us-east-1/?Action=Unsubscribe&SubscriptionArn="+sub {
				t.Errorf("notification = %v", doc)
			}
			attrs := doc["MessageAttributes"].(map[string]any)
			if attrs["event"].(map[string]any)["Value"] != "COPY_JOB_COMPLETED" || attrs["bytes"].(map[string]any)["Type"] != "Number" ||
				attrs["blob"].(map[string]any)["Value"] != "AQID" {
				t.Errorf("MessageAttributes = %v", attrs)
			}
			verify(t, e, doc)
			// The signature covers the message: a changed message no longer verifies.
			doc["Message"] = "tampered"
			if err := signatureError(e, doc); err == nil {
				t.Error("a tampered message verifies")
			}
			e.hooks.none(t, e)
		})
	}
}

func TestDeliveryRetriesOnTheClock(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, nil)
	id := e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	// The default policy: three retries, 20 seconds apart.
	for attempt := range 4 {
		p := e.hooks.next(t)
		if p.Header["x-amz-sns-message-id"] != id {
			t.Fatalf("attempt %d delivers %s", attempt, p.Header["x-amz-sns-message-id"])
		}
		p.answer(503)
		e.Advance(19 * time.Second)
		e.hooks.none(t, e)
		e.Advance(time.Second)
	}
	// The policy is spent: no fifth attempt, ever.
	e.Advance(time.Hour)
	e.hooks.none(t, e)
}

func TestRetryAfterATransportFailureThenDelivered(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, nil)
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	e.hooks.next(t).fail(errors.New("connection refused"))
	e.Advance(20 * time.Second)
	e.hooks.next(t).answer(204)
	e.Advance(time.Hour)
	e.hooks.none(t, e)
}

func TestAClientErrorIsNotRetried(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, nil)
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	e.hooks.next(t).answer(404)
	e.Advance(time.Hour)
	e.hooks.none(t, e)
}

// A delivery whose outcome never comes back (the server stopped mid-POST) is retried
// once the POST has surely timed out and the retry delay has passed.
func TestALostAttemptIsRetriedByItsGuard(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, nil)
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	lost := e.hooks.next(t) // never answered until the retry has begun
	e.Advance(34 * time.Second)
	e.hooks.none(t, e)
	e.Advance(time.Second) // 15 s timeout + 20 s delay
	e.hooks.next(t).answer(200)
	// The late outcome of the overtaken attempt changes nothing: the retry delivered.
	lost.answer(500)
	e.Advance(time.Hour)
	e.hooks.none(t, e)
}

func TestSubscriptionDeliveryPolicy(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, map[string]string{
		"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":2,"numNoDelayRetries":1,"minDelayTarget":5,"maxDelayTarget":5}}`,
	})
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	e.hooks.next(t).answer(500)
	// An immediate retry, then one after 5 seconds, then nothing.
	e.hooks.next(t).answer(500)
	e.Advance(4 * time.Second)
	e.hooks.none(t, e)
	e.Advance(time.Second)
	e.hooks.next(t).answer(500)
	e.Advance(time.Hour)
	e.hooks.none(t, e)
}

func TestTopicDeliveryPolicyOverridesSubscriptions(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", map[string]string{
		"DeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"numRetries":1,"minDelayTarget":7,"maxDelayTarget":7},"disableSubscriptionOverrides":true,"defaultRequestPolicy":{"headerContentType":"application/json"}}}`,
	})
	e.confirmed(topic, map[string]string{"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":10}}`})
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	p := e.hooks.next(t)
	if p.Header["Content-Type"] != "application/json" {
		t.Errorf("Content-Type = %s", p.Header["Content-Type"])
	}
	p.answer(500)
	e.Advance(7 * time.Second)
	e.hooks.next(t).answer(500)
	e.Advance(time.Hour)
	e.hooks.none(t, e)
}

func TestUnsubscribingStopsRetries(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	sub := e.confirmed(topic, nil)
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	e.hooks.next(t).answer(500)
	call(t, e, snsapi.OpUnsubscribe, &snsapi.UnsubscribeInput{SubscriptionArn: &sub})
	e.Advance(time.Hour)
	e.hooks.none(t, e)
}

func TestPendingSubscriptionsGetNoNotifications(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.subscribe(topic, nil)
	e.hooks.next(t).answer(200) // the confirmation
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	e.hooks.none(t, e)
}

func TestMessageStructureJSON(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, nil)
	e.publish(&snsapi.PublishInput{TopicArn: &topic, MessageStructure: new("json"), Message: new(`{"default":"for all","http":"for http","email":"for email"}`)})
	p := e.hooks.next(t)
	p.answer(200)
	if got := p.body(t)["Message"]; got != "for http" {
		t.Errorf("Message = %v", got)
	}
}

func TestFilterPolicyAtDelivery(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, map[string]string{"FilterPolicy": `{"event":["COPY_JOB_COMPLETED","COPY_JOB_FAILED"],"bytes":[{"numeric":[">",100]}]}`})
	attrs := func(event, bytes string) map[string]snsapi.MessageAttributeValue {
		return map[string]snsapi.MessageAttributeValue{
			"event": {DataType: new("String"), StringValue: new(event)},
			"bytes": {DataType: new("Number"), StringValue: new(bytes)},
		}
	}
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("small"), MessageAttributes: attrs("COPY_JOB_COMPLETED", "10")})
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("other"), MessageAttributes: attrs("BACKUP_JOB_STARTED", "1000")})
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("none")})
	e.hooks.none(t, e)
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("yes"), MessageAttributes: attrs("COPY_JOB_FAILED", "1000")})
	p := e.hooks.next(t)
	p.answer(200)
	if p.body(t)["Message"] != "yes" {
		t.Errorf("delivered %v", p.body(t)["Message"])
	}
}

func TestDeliveriesAreSealedAtRest(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	e.confirmed(topic, nil)
	e.publish(&snsapi.PublishInput{TopicArn: &topic, Message: new("the-secret-payload-1234")})
	p := e.hooks.next(t) // in flight: its delivery record is stored
	found := false
	err := e.Store.View(func(tx store.Tx) error {
		return tx.Scan("", "", func(k string, v []byte) bool {
			found = found || bytes.Contains(v, []byte("the-secret-payload")) || strings.Contains(k, "the-secret-payload")
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if found {
		t.Error("a message is stored in plain text")
	}
	p.answer(200)
}
