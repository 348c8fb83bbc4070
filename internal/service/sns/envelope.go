package sns

import (
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/service/port"
)

// The messages SNS posts to HTTP/S endpoints: AWS's JSON documents with their
// x-amz-sns-* headers, signed over AWS's canonical strings.

// The types of message SNS delivers.
const (
	typeNotification             = "Notification"
	typeSubscriptionConfirmation = "SubscriptionConfirmation"
	typeUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// envelope is everything a delivery needs to build its POST; it is kept sealed in the
// delivery record.
type envelope struct {
	Type            string                      `json:"type"`
	MessageID       string                      `json:"id"`
	TopicARN        string                      `json:"topic"`
	SubscriptionARN string                      `json:"subscription"`
	Endpoint        string                      `json:"endpoint"`
	Subject         string                      `json:"subject,omitempty"`
	Message         string                      `json:"message"`
	Timestamp       time.Time                   `json:"timestamp"`
	Token           string                      `json:"token,omitempty"`
	Attributes      map[string]messageAttribute `json:"attributes,omitempty"`
	Raw             bool                        `json:"raw,omitempty"`
	// SignatureVersion is the topic's when the message was published.
	SignatureVersion string `json:"signatureVersion"`
}

// messageAttribute is a message attribute as a JSON message carries it (Binary values in
// base64).
type messageAttribute struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// notificationBody and confirmationBody are AWS's documents, fields in AWS's order.
type notificationBody struct {
	Type              string                      `json:"Type"`
	MessageID         string                      `json:"MessageId"`
	TopicARN          string                      `json:"TopicArn"`
	Subject           string                      `json:"Subject,omitempty"`
	Message           string                      `json:"Message"`
	Timestamp         string                      `json:"Timestamp"`
	SignatureVersion  string                      `json:"SignatureVersion"`
	Signature         string                      `json:"Signature"`
	SigningCertURL    string                      `json:"SigningCertURL"`
	UnsubscribeURL    string                      `json:"UnsubscribeURL"`
	MessageAttributes map[string]messageAttribute `json:"MessageAttributes,omitempty"`
}

type confirmationBody struct {
	Type             string `json:"Type"`
	MessageID        string `json:"MessageId"`
	Token            string `json:"Token"`
	TopicARN         string `json:"TopicArn"`
	Message          string `json:"Message"`
	SubscribeURL     string `json:"SubscribeURL"`
	Timestamp        string `json:"Timestamp"`
	SignatureVersion string `json:"SignatureVersion"`
	Signature        string `json:"Signature"`
	SigningCertURL   string `json:"SigningCertURL"`
}

// timestamp is AWS's form of a message's Timestamp.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// links are the URLs a message carries, on the server's endpoint: AWS's query URLs
// under port.LinkPath + "sns/<region>/".
type links struct{ base string }

func linksFor(endpoint, region string) links {
	return links{base: strings.TrimSuffix(endpoint, "/") + port.LinkPath + serviceName + "/" + region + "/"}
}

func (l links) cert(name string) string { return l.base + name }

// The ARNs and tokens in these URLs need no escaping: they are letters, digits and
// ":-_.", which AWS's own links leave as they are.
func (l links) subscribe(topicARN, token string) string {
	return l.base + "?Action=ConfirmSubscription&TopicArn=" + topicARN + "&Token=" + token
}

func (l links) unsubscribe(subscriptionARN string) string {
	return l.base + "?Action=Unsubscribe&SubscriptionArn=" + subscriptionARN
}

// canonical is the string SNS signs: the listed fields as "name\nvalue\n", in AWS's
// order; Subject only when the notification has one.
func (e *envelope) canonical(subscribeURL string) string {
	var b strings.Builder
	add := func(name, value string) { b.WriteString(name + "\n" + value + "\n") }
	add("Message", e.Message)
	add("MessageId", e.MessageID)
	if e.Type == typeNotification {
		if e.Subject != "" {
			add("Subject", e.Subject)
		}
	} else {
		add("SubscribeURL", subscribeURL)
	}
	add("Timestamp", timestamp(e.Timestamp))
	if e.Type != typeNotification {
		add("Token", e.Token)
	}
	add("TopicArn", e.TopicARN)
	add("Type", e.Type)
	return b.String()
}

// post builds the signed POST of the envelope to its endpoint.
func (e *envelope) post(sg *signer, l links, contentType string, timeout time.Duration) (port.WebhookPost, error) {
	header := map[string]string{
		"Content-Type":           contentType,
		"User-Agent":             "Amazon Simple Notification Service Agent",
		"x-amz-sns-message-type": e.Type,
		"x-amz-sns-message-id":   e.MessageID,
		"x-amz-sns-topic-arn":    e.TopicARN,
	}
	if e.Type != typeSubscriptionConfirmation {
		header["x-amz-sns-subscription-arn"] = e.SubscriptionARN
	}
	p := port.WebhookPost{URL: e.Endpoint, Header: header, Timeout: timeout}
	if e.Type == typeNotification {
		header["x-amz-sns-rawdelivery"] = strconv.FormatBool(e.Raw)
		if e.Raw {
			p.Body = []byte(e.Message)
			return p, nil
		}
	}
	subscribeURL := l.subscribe(e.TopicARN, e.Token)
	sig, err := sg.sign(e.SignatureVersion, e.canonical(subscribeURL))
	if err != nil {
		return p, err
	}
	p.Body = []byte(compactJSON(e.body(sig, l, subscribeURL, sg.name)))
	return p, nil
}

func (e *envelope) body(sig string, l links, subscribeURL, certName string) any {
	if e.Type == typeNotification {
		return notificationBody{
			Type: e.Type, MessageID: e.MessageID, TopicARN: e.TopicARN, Subject: e.Subject, Message: e.Message,
			Timestamp: timestamp(e.Timestamp), SignatureVersion: e.SignatureVersion, Signature: sig,
			SigningCertURL: l.cert(certName), UnsubscribeURL: l.unsubscribe(e.SubscriptionARN), MessageAttributes: e.Attributes,
		}
	}
	return confirmationBody{
		Type: e.Type, MessageID: e.MessageID, Token: e.Token, TopicARN: e.TopicARN, Message: e.Message,
		SubscribeURL: subscribeURL, Timestamp: timestamp(e.Timestamp), SignatureVersion: e.SignatureVersion,
		Signature: sig, SigningCertURL: l.cert(certName),
	}
}
