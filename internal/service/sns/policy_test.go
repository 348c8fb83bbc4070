package sns_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

const otherAccount = "111122223333"

// as runs fn with calls made by the root user of account.
func (e *env) as(account string, fn func()) {
	saved := e.Account
	e.Account = account
	defer func() { e.Account = saved }()
	fn()
}

func TestCrossAccountAccessNeedsThePolicy(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	publish := func() error {
		_, err := kittest.Call(e.Harness, region, snsapi.OpPublish, &snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
		return err
	}
	e.as(otherAccount, func() {
		wantError(t, publish(), "AuthorizationError",
			"User: arn:aws:iam::111122223333:root is not authorized to perform: SNS:Publish on resource: "+topic+" because no resource-based policy allows the SNS:Publish action")
		_, err := kittest.Call(e.Harness, region, snsapi.OpGetTopicAttributes, &snsapi.GetTopicAttributesInput{TopicArn: &topic})
		wantError(t, err, "AuthorizationError", "")
	})
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":["sns:Publish","sns:Subscribe"],"Resource":"%s"},
		{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:*","Resource":"%s","Condition":{"StringEquals":{"AWS:SourceOwner":"%s"}}}]}`,
		otherAccount, topic, topic, kittest.Account)
	if err := e.setTopicAttribute(topic, "Policy", policy); err != nil {
		t.Fatal(err)
	}
	e.as(otherAccount, func() {
		if err := publish(); err != nil {
			t.Errorf("allowed publish: %v", err)
		}
		// The subscriber of another account owns its subscription and lists it.
		e.subscribe(topic, nil)
		list := call(t, e, snsapi.OpListSubscriptions, &snsapi.ListSubscriptionsInput{})
		if len(list.Subscriptions) != 1 || *list.Subscriptions[0].Owner != otherAccount {
			t.Errorf("the subscriber's ListSubscriptions = %+v", list.Subscriptions)
		}
		_, err := kittest.Call(e.Harness, region, snsapi.OpSetTopicAttributes, &snsapi.SetTopicAttributesInput{TopicArn: &topic, AttributeName: new("DisplayName"), AttributeValue: new("x")})
		wantError(t, err, "AuthorizationError", "")
	})
	e.hooks.next(t).answer(200)
	if list := call(t, e, snsapi.OpListSubscriptions, &snsapi.ListSubscriptionsInput{}); len(list.Subscriptions) != 0 {
		t.Errorf("the topic owner's ListSubscriptions lists another account's subscription: %+v", list.Subscriptions)
	}
}

func TestAnExplicitDenyWinsEvenForTheOwner(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	policy := fmt.Sprintf(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"%s"}]}`, topic)
	if err := e.setTopicAttribute(topic, "Policy", policy); err != nil {
		t.Fatal(err)
	}
	_, err := kittest.Call(e.Harness, region, snsapi.OpPublish, &snsapi.PublishInput{TopicArn: &topic, Message: new("m")})
	wantError(t, err, "AuthorizationError", "User: arn:aws:iam::123456789012:root is not authorized to perform: SNS:Publish on resource: "+topic+" with an explicit deny in a resource-based policy")
}

// notify publishes as an AWS service through the port, in a transaction of the caller.
func (e *env) notify(topicARN string, n port.Notification) error {
	return e.svc.Update(func(tx kit.Tx) error { return e.notifier.Publish(tx, topicARN, n) })
}

func TestServiceNotificationsRespectTheTopicPolicy(t *testing.T) {
	e := start(t)
	topic := e.createTopic("backup-events", nil)
	e.confirmed(topic, nil)
	vault := "arn:aws:backup:us-east-1:123456789012:backup-vault:Default"
	n := port.Notification{
		Subject: "Notification from AWS Backup", Message: "An AWS Backup job was completed successfully.",
		Attributes: map[string]string{"EventType": "COPY_JOB"}, Publisher: "backup.amazonaws.com",
		SourceAccount: kittest.Account, SourceARN: vault,
	}
	// The default policy does not let AWS Backup publish: the notification is dropped.
	if err := e.notify(topic, n); !errors.Is(err, port.ErrNoTopic) {
		t.Fatalf("notify with the default policy = %v", err)
	}
	e.hooks.none(t, e)
	policy := fmt.Sprintf(`{"Version":"2008-10-17","Statement":[{"Sid":"backup","Effect":"Allow",
		"Principal":{"Service":"backup.amazonaws.com"},"Action":"SNS:Publish","Resource":"%s",
		"Condition":{"StringEquals":{"aws:SourceAccount":"%s"},"ArnLike":{"aws:SourceArn":"arn:aws:backup:*:%s:backup-vault:*"}}}]}`,
		topic, kittest.Account, kittest.Account)
	if err := e.setTopicAttribute(topic, "Policy", policy); err != nil {
		t.Fatal(err)
	}
	if err := e.notify(topic, n); err != nil {
		t.Fatalf("allowed notification: %v", err)
	}
	p := e.hooks.next(t)
	p.answer(200)
	doc := p.body(t)
	if doc["Subject"] != n.Subject || doc["Message"] != n.Message ||
		doc["MessageAttributes"].(map[string]any)["EventType"].(map[string]any)["Value"] != "COPY_JOB" {
		t.Errorf("notification = %v", doc)
	}
	verify(t, e, doc)
	// The conditions are the confused-deputy guard: another account's vault may not.
	other := n
	other.SourceAccount, other.SourceARN = otherAccount, "arn:aws:backup:us-east-1:111122223333:backup-vault:Default"
	if err := e.notify(topic, other); !errors.Is(err, port.ErrNoTopic) {
		t.Errorf("notify from another account's vault = %v", err)
	}
	other = n
	other.Publisher = "rds.amazonaws.com"
	if err := e.notify(topic, other); !errors.Is(err, port.ErrNoTopic) {
		t.Errorf("notify from another service = %v", err)
	}
	if err := e.notify("arn:aws:sns:us-east-1:123456789012:missing", n); !errors.Is(err, port.ErrNoTopic) {
		t.Errorf("notify a missing topic = %v", err)
	}
	e.hooks.none(t, e)
}

func TestPolicyValidation(t *testing.T) {
	e := start(t)
	topic := e.createTopic("alerts", nil)
	for _, bad := range []string{
		``, `[]`, `{"Statement":[]}`,
		`{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"sns:Publish","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"someone","Action":"sns:Publish","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish"}]}`,
		`{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*","Condition":{"StringSoundsLike":{"a":"b"}}}]}`,
	} {
		if err := e.setTopicAttribute(topic, "Policy", bad); err == nil {
			t.Errorf("accepted %s", bad)
		} else {
			wantError(t, err, "InvalidParameter", "Invalid parameter: Policy Error: null")
		}
	}
	for _, scope := range []string{`"sns:Fly"`, `"sqs:SendMessage"`, `["sns:Publish","s3:*"]`} {
		bad := `{"Statement":{"Effect":"Allow","Principal":"*","Action":` + scope + `,"Resource":"*"}}`
		wantError(t, e.setTopicAttribute(topic, "Policy", bad), "InvalidParameter", "Invalid parameter: Policy statement action out of service scope!")
	}
	good := `{"Statement":{"Effect":"Allow","Principal":{"Service":["backup.amazonaws.com"]},"Action":"sns:Pub*","Resource":"*"}}`
	if err := e.setTopicAttribute(topic, "Policy", good); err != nil {
		t.Errorf("a single statement object: %v", err)
	}
}
