package port

import "github.com/xregion/xregion/internal/service/kit"

// Notifier delivers events to an SNS topic: AWS Backup's vault notifications, RDS event
// subscriptions, CloudTrail's log delivery notices. SNS provides it.
type Notifier interface {
	// Publish delivers n to the topic topicARN names, when tx commits. A topic that does
	// not exist, or that the publishing service may not publish to, is ErrNoTopic: AWS
	// services drop such notifications, so callers log and go on.
	Publish(tx kit.Tx, topicARN string, n Notification) error
}

// Notification is one message, as SNS delivers it.
type Notification struct {
	Subject    string
	Message    string
	Attributes map[string]string
}
