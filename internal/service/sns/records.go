package sns

import (
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

const serviceName = "sns"

// topicRecord is one topic, in its owner's account and its Region.
type topicRecord struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Attributes are those the owner set, the default Policy included (AWS writes one
	// at creation): never the computed ones (TopicArn, Owner, the counts), which
	// GetTopicAttributes adds.
	Attributes map[string]string `json:"attributes,omitempty"`
	Tags       []tag             `json:"tags,omitempty"`
	// Deleted counts the subscriptions removed from the topic: SubscriptionsDeleted.
	Deleted int `json:"deleted,omitempty"`
	// Sequence is the last SequenceNumber a FIFO topic gave a message.
	Sequence uint64 `json:"sequence,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// fifo reports whether the topic is a FIFO topic.
func (t *topicRecord) fifo() bool { return t.Attributes[attrFifoTopic] == "true" }

// subscriptionRecord is one subscription, filed with its topic (in the topic owner's
// account and the topic's Region) whoever owns it.
type subscriptionRecord struct {
	ID       string `json:"id"`
	Topic    string `json:"topic"`
	Owner    string `json:"owner"` // the account that subscribed
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	Pending  bool   `json:"pending,omitempty"`
	// Authenticated is ConfirmationWasAuthenticated: the confirmation was a signed call.
	Authenticated bool `json:"authenticated,omitempty"`
	// AuthOnUnsubscribe refuses unsigned unsubscriptions (AuthenticateOnUnsubscribe).
	AuthOnUnsubscribe bool `json:"authOnUnsubscribe,omitempty"`
	// Attributes are the settable ones (RawMessageDelivery, FilterPolicy, ...) as set.
	Attributes map[string]string `json:"attributes,omitempty"`
	Created    time.Time         `json:"created"`
	// ExpireJob removes the subscription if it is still pending when its confirmation
	// token expires.
	ExpireJob string `json:"expireJob,omitempty"`
}

// deliveryRecord is one message on its way to one subscription: it exists from the
// publish until the endpoint has taken it or the delivery policy is spent.
type deliveryRecord struct {
	// Sealed is the envelope, sealed with the server's root key: messages are data,
	// never stored in plain text.
	Sealed []byte `json:"sealed"`
	// Next is the attempt the pending job makes (0 is the first delivery, n the n-th
	// retry); Guard is that job's id. While attempt Next-1 is in flight, Guard is a
	// retry armed for the case where its outcome never comes back (a crash).
	Next  int    `json:"next"`
	Guard string `json:"guard,omitempty"`
}

// The records of a Region (see doc.go).
var (
	topics        = kit.Table[topicRecord]{Kind: "topic"}               // topic/<name>
	subscriptions = kit.Table[subscriptionRecord]{Kind: "subscription"} // subscription/<topic>/<id>
	deliveries    = kit.Table[deliveryRecord]{Kind: "delivery"}         // delivery/<topic>/<subscription>/<message id>
	// owned lists, in the subscriber's account, the subscriptions it owns:
	// owned/<topic account>/<topic>/<id>, for ListSubscriptions.
	owned = kit.Index{Kind: "owned"}
	// signers holds the Region's signing key and certificate, under signerAccount.
	signers = kit.Table[signerRecord]{Kind: "signer"} // signer/current
)

// signerAccount is the account part under which a Region's signing certificate is filed:
// SNS signs with one certificate per Region whatever the account, as AWS does, and no
// AWS account id is "aws".
const signerAccount = "aws"

// topicRef is a topic as an ARN names it.
type topicRef struct {
	Partition, Region, Account, Name string
}

func (r topicRef) ARN() string { return arn.New(r.Partition, serviceName, r.Region, r.Account, r.Name) }

// In returns the records of the topic's account and Region.
func (r topicRef) In(tx kit.Tx) kit.View { return tx.In(r.Account, r.Region) }

// parseTopicARN reads a topic ARN; ok is false for anything else (a subscription ARN
// has one more part).
func parseTopicARN(s string) (topicRef, bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != serviceName || strings.Contains(a.Resource, ":") || !validTopicName(a.Resource) {
		return topicRef{}, false
	}
	return topicRef{Partition: a.Partition, Region: a.Region, Account: a.Account, Name: a.Resource}, true
}

// topicOf names the topic of view v.
func topicOf(v kit.View, name string) topicRef {
	return topicRef{Partition: partitionOf(v.Region()), Region: v.Region(), Account: v.Account(), Name: name}
}

func partitionOf(region string) string {
	if p, ok := regions.Partition(region); ok {
		return p
	}
	return "aws"
}

// subscriptionRef is a subscription as its ARN names it: its topic's ARN and its id.
type subscriptionRef struct {
	Topic topicRef
	ID    string
}

func (r subscriptionRef) ARN() string { return r.Topic.ARN() + ":" + r.ID }

// parseSubscriptionARN reads a subscription ARN.
func parseSubscriptionARN(s string) (subscriptionRef, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return subscriptionRef{}, false
	}
	t, ok := parseTopicARN(s[:i])
	if !ok || s[i+1:] == "" {
		return subscriptionRef{}, false
	}
	return subscriptionRef{Topic: t, ID: s[i+1:]}, true
}

// ref returns the subscription's reference, for its topic in view v.
func (r *subscriptionRecord) ref(v kit.View) subscriptionRef {
	return subscriptionRef{Topic: topicOf(v, r.Topic), ID: r.ID}
}

// findTopic returns the topic a reference names, or NotFound.
func findTopic(tx kit.Tx, ref topicRef) (*topicRecord, error) {
	rec, err := topics.Get(ref.In(tx), ref.Name)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, msgTopicNotFound.New()
	}
	return rec, nil
}

// insertSubscription stores a new subscription and its owner's index entry.
func insertSubscription(tx kit.Tx, v kit.View, rec *subscriptionRecord) error {
	if err := subscriptions.Put(v, rec, rec.Topic, rec.ID); err != nil {
		return err
	}
	return owned.Add(tx.In(rec.Owner, v.Region()), v.Account(), rec.Topic, rec.ID)
}

// removeSubscription deletes a subscription, its owner's index entry, its pending
// deliveries and its expiry job, and counts it in the topic's SubscriptionsDeleted.
func removeSubscription(tx kit.Tx, v kit.View, topic *topicRecord, rec *subscriptionRecord) error {
	if err := subscriptions.Delete(v, rec.Topic, rec.ID); err != nil {
		return err
	}
	if err := owned.Remove(tx.In(rec.Owner, v.Region()), v.Account(), rec.Topic, rec.ID); err != nil {
		return err
	}
	if err := dropDeliveries(tx, v, rec.Topic, rec.ID); err != nil {
		return err
	}
	if topic != nil {
		topic.Deleted++
	}
	return tx.CancelJobs(rec.ExpireJob)
}

// dropDeliveries forgets the messages still on their way to a subscription (within is
// the topic and the subscription) or to a whole topic, and cancels their pending
// attempts.
func dropDeliveries(tx kit.Tx, v kit.View, within ...string) error {
	var guards []string
	err := deliveries.Scan(v, func(d *deliveryRecord) bool {
		guards = append(guards, d.Guard)
		return true
	}, within...)
	if err != nil {
		return err
	}
	if err := deliveries.DeleteAll(v, within...); err != nil {
		return err
	}
	return tx.CancelJobs(guards...)
}
