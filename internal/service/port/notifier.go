package port

import "github.com/xregion/xregion/internal/service/kit"

// Notifier delivers events to an SNS topic: AWS Backup's vault notifications, RDS event
// subscriptions, CloudTrail's log delivery notices. SNS provides it.
type Notifier interface {
	// Publish delivers n to the topic topicARN names, when tx commits. A topic that does
	// not exist, or whose access policy does not let n.Publisher publish to it, is
	// ErrNoTopic: AWS services drop such notifications, so callers log and go on.
	Publish(tx kit.Tx, topicARN string, n Notification) error
}

// Notification is one message, as SNS delivers it, and who sends it: SNS checks the
// topic's access policy for an SNS:Publish by Publisher, with SourceAccount and SourceARN
// as the aws:SourceAccount and aws:SourceArn condition keys (the confused-deputy
// conditions AWS documents for service principals).
type Notification struct {
	Subject    string
	Message    string
	Attributes map[string]string
	// Publisher is the publishing service's principal ("backup.amazonaws.com"); required.
	Publisher string
	// SourceAccount is the account whose resource the event is about; SourceARN that
	// resource (a backup vault's ARN).
	SourceAccount, SourceARN string
}
