package sns

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// protocols are those Subscribe knows; xregion delivers to the first two.
var protocols = []string{"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"}

// pendingARN is what Subscribe and ListSubscriptions show for a subscription that is
// not confirmed yet, unless Subscribe was asked for the ARN.
const (
	pendingSubscribeARN = "pending confirmation"
	pendingListARN      = "PendingConfirmation"
)

// checkEndpoint checks Subscribe's protocol and endpoint.
func checkEndpoint(protocol, endpoint string) error {
	switch {
	case !slices.Contains(protocols, protocol):
		return msgBadProtocol.New(protocol)
	case protocol != "http" && protocol != "https":
		return msgProtocolNotServed.New(protocol)
	case endpoint == "":
		return msgNoEndpoint.New()
	case !strings.HasPrefix(strings.ToLower(endpoint), protocol+"://"):
		return msgEndpointProtocol.New()
	}
	if u, err := url.Parse(endpoint); err != nil || u.Host == "" {
		return msgNoEndpoint.New()
	}
	return nil
}

func (s *Service) Subscribe(ctx context.Context, in *snsapi.SubscribeInput) (*snsapi.SubscribeResponse, error) {
	c := s.Call(ctx)
	ref, err := topicInRegion(c, *in.TopicArn)
	if err != nil {
		return nil, err
	}
	protocol, endpoint := *in.Protocol, deref(in.Endpoint)
	if err := checkEndpoint(protocol, endpoint); err != nil {
		return nil, err
	}
	attrs, err := subscriptionAttributesIn(in.Attributes)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*snsapi.SubscribeResponse, error) {
		topic, err := findTopic(tx, ref)
		if err != nil {
			return nil, err
		}
		if err := authorize(c, ref, topic, "Subscribe"); err != nil {
			return nil, err
		}
		if topic.fifo() {
			return nil, msgFifoProtocol.New(protocol)
		}
		v := ref.In(tx)
		sub, err := subscriptionTo(v, topic.Name, protocol, endpoint)
		if err != nil {
			return nil, err
		}
		if sub != nil && !sameSubscription(sub, attrs) {
			return nil, msgOtherSubAttributes.New()
		}
		if sub == nil {
			sub = &subscriptionRecord{
				ID: ids.UUID(), Topic: topic.Name, Owner: c.Account, Protocol: protocol, Endpoint: endpoint,
				Pending: true, Attributes: attrs, Created: c.Now(),
			}
		}
		// Subscribing again to a pending subscription sends a new confirmation, as AWS
		// does.
		if sub.Pending {
			if err := s.requestConfirmation(tx, v, topic, sub, c.Now()); err != nil {
				return nil, err
			}
		}
		out := sub.ref(v).ARN()
		if sub.Pending && (in.ReturnSubscriptionArn == nil || !*in.ReturnSubscriptionArn) {
			out = pendingSubscribeARN
		}
		return &snsapi.SubscribeResponse{SubscriptionArn: &out}, nil
	})
}

// subscriptionTo finds the topic's subscription of an endpoint: a topic has at most one
// per protocol and endpoint.
func subscriptionTo(v kit.View, topic, protocol, endpoint string) (*subscriptionRecord, error) {
	var found *subscriptionRecord
	err := subscriptions.Scan(v, func(s *subscriptionRecord) bool {
		if s.Protocol == protocol && s.Endpoint == endpoint {
			found = s
		}
		return found == nil
	}, topic)
	return found, err
}

// requestConfirmation stores a pending subscription, sends its endpoint a
// SubscriptionConfirmation with a new token, and arms its expiry for when the token
// expires: AWS removes subscriptions left unconfirmed.
func (s *Service) requestConfirmation(tx kit.Tx, v kit.View, topic *topicRecord, sub *subscriptionRecord, now time.Time) error {
	ref := sub.ref(v)
	if err := tx.CancelJobs(sub.ExpireJob); err != nil {
		return err
	}
	expires := now.Add(tokenLifetime)
	job, err := jobExpire.Enqueue(tx, expires, subscriptionJob{Account: v.Account(), Region: v.Region(), Topic: sub.Topic, ID: sub.ID})
	if err != nil {
		return err
	}
	sub.ExpireJob = job
	if err := insertSubscription(tx, v, sub); err != nil {
		return err
	}
	env := envelope{
		Type: typeSubscriptionConfirmation, MessageID: ids.UUID(), TopicARN: ref.Topic.ARN(), SubscriptionARN: ref.ARN(),
		Endpoint: sub.Endpoint, Message: textSubscribe.with(ref.Topic.ARN()), Timestamp: now,
		Token:            s.issueToken(ref.Topic.ARN(), tokenClaims{Subscription: sub.ID, Expires: expires}),
		SignatureVersion: signatureVersion(topic),
	}
	return s.deliver(tx, v, sub, env)
}

func (s *Service) ConfirmSubscription(ctx context.Context, in *snsapi.ConfirmSubscriptionInput) (*snsapi.ConfirmSubscriptionResponse, error) {
	c := s.Call(ctx)
	ref, err := topicInRegion(c, *in.TopicArn)
	if err != nil {
		return nil, err
	}
	authOnUnsubscribe := strings.EqualFold(deref(in.AuthenticateOnUnsubscribe), "true")
	return kit.Write(s.Kit, func(tx kit.Tx) (*snsapi.ConfirmSubscriptionResponse, error) {
		arn, err := s.confirm(tx, ref, *in.Token, c.Now(), true, authOnUnsubscribe)
		if err != nil {
			return nil, err
		}
		return &snsapi.ConfirmSubscriptionResponse{SubscriptionArn: &arn}, nil
	})
}

// confirm confirms the subscription a token names, or restores the one an
// UnsubscribeConfirmation's token describes, and returns its ARN. ConfirmSubscription
// needs no signature, and whoever holds the token may call it, from any account.
func (s *Service) confirm(tx kit.Tx, ref topicRef, token string, now time.Time, authenticated, authOnUnsubscribe bool) (string, error) {
	topic, err := findTopic(tx, ref)
	if err != nil {
		return "", err
	}
	claims, err := s.readToken(ref.ARN(), token, now)
	if err != nil {
		return "", err
	}
	v := ref.In(tx)
	if claims.Restore != nil {
		return s.restore(tx, v, topic, claims.Restore, now, authenticated)
	}
	sub, err := subscriptions.Get(v, ref.Name, claims.Subscription)
	if err != nil || sub == nil {
		if err == nil {
			err = msgBadToken.New()
		}
		return "", err
	}
	if sub.Pending {
		if err := tx.CancelJobs(sub.ExpireJob); err != nil {
			return "", err
		}
		sub.Pending, sub.ExpireJob = false, ""
		sub.Authenticated, sub.AuthOnUnsubscribe = authenticated, authenticated && authOnUnsubscribe
		if err := subscriptions.Put(v, sub, sub.Topic, sub.ID); err != nil {
			return "", err
		}
	}
	return sub.ref(v).ARN(), nil
}

// restore recreates, confirmed, a subscription that an unauthenticated Unsubscribe
// removed (unless the endpoint has subscribed again meanwhile).
func (s *Service) restore(tx kit.Tx, v kit.View, topic *topicRecord, r *restoredSubject, now time.Time, authenticated bool) (string, error) {
	sub, err := subscriptionTo(v, topic.Name, r.Protocol, r.Endpoint)
	if err != nil {
		return "", err
	}
	if sub == nil {
		sub = &subscriptionRecord{
			ID: ids.UUID(), Topic: topic.Name, Owner: r.Owner, Protocol: r.Protocol, Endpoint: r.Endpoint,
			Authenticated: authenticated, Attributes: r.Attributes, Created: now,
		}
		if err := insertSubscription(tx, v, sub); err != nil {
			return "", err
		}
	}
	return sub.ref(v).ARN(), nil
}

func (s *Service) Unsubscribe(ctx context.Context, in *snsapi.UnsubscribeInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	ref, err := subscriptionInRegion(c, *in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		return &awsmodel.Empty{}, s.unsubscribeRef(tx, ref, &c, c.Now())
	})
}

// unsubscribeRef removes a subscription for caller (nil for an unsigned request, the
// GET of an UnsubscribeURL). Unsubscribe is idempotent: a subscription that is not
// there is removed. When the requester is not the subscriber and the subscription did
// not ask for authentication, its endpoint gets an UnsubscribeConfirmation whose
// SubscribeURL restores it, as AWS sends one.
func (s *Service) unsubscribeRef(tx kit.Tx, ref subscriptionRef, caller *kit.Call, now time.Time) error {
	v := ref.Topic.In(tx)
	sub, err := subscriptions.Get(v, ref.Topic.Name, ref.ID)
	switch {
	case err != nil || sub == nil:
		return err
	case sub.Pending:
		return msgPendingUnsubscribe.New()
	case caller == nil && sub.AuthOnUnsubscribe:
		return msgUnsubscribeAnonym.New()
	case caller != nil && caller.Account != sub.Owner && caller.Account != ref.Topic.Account:
		return msgNotOwner.New(caller.Caller.ARN, "SNS:Unsubscribe", ref.ARN())
	}
	topic, err := topics.Get(v, ref.Topic.Name)
	if err != nil {
		return err
	}
	if err := removeSubscription(tx, v, topic, sub); err != nil {
		return err
	}
	if topic != nil {
		if err := topics.Put(v, topic, topic.Name); err != nil {
			return err
		}
	}
	if (caller != nil && caller.Account == sub.Owner) || sub.AuthOnUnsubscribe {
		return nil
	}
	return s.sendUnsubscribed(tx, v, topic, sub, now)
}

// sendUnsubscribed tells a removed subscription's endpoint, with a token that restores
// it.
func (s *Service) sendUnsubscribed(tx kit.Tx, v kit.View, topic *topicRecord, sub *subscriptionRecord, now time.Time) error {
	ref := sub.ref(v)
	claims := tokenClaims{
		Restore: &restoredSubject{Owner: sub.Owner, Protocol: sub.Protocol, Endpoint: sub.Endpoint, Attributes: sub.Attributes},
		Expires: now.Add(tokenLifetime),
	}
	env := envelope{
		Type: typeUnsubscribeConfirmation, MessageID: ids.UUID(), TopicARN: ref.Topic.ARN(), SubscriptionARN: ref.ARN(),
		Endpoint: sub.Endpoint, Message: textUnsubscribe.with(ref.ARN()), Timestamp: now,
		Token: s.issueToken(ref.Topic.ARN(), claims), SignatureVersion: signatureVersion(topic),
	}
	return s.deliver(tx, v, sub, env)
}

// expireSubscription removes a subscription still pending when its token expires.
func (s *Service) expireSubscription(_ context.Context, tx kit.Tx, p subscriptionJob) error {
	v := tx.In(p.Account, p.Region)
	sub, err := subscriptions.Get(v, p.Topic, p.ID)
	if err != nil || sub == nil || !sub.Pending {
		return err
	}
	topic, err := topics.Get(v, p.Topic)
	if err != nil {
		return err
	}
	sub.ExpireJob = "" // this job
	if err := removeSubscription(tx, v, topic, sub); err != nil || topic == nil {
		return err
	}
	return topics.Put(v, topic, topic.Name)
}

// listed is a subscription as the list operations show it.
func listed(ref subscriptionRef, sub *subscriptionRecord) snsapi.Subscription {
	arn := ref.ARN()
	if sub.Pending {
		arn = pendingListARN
	}
	return snsapi.Subscription{
		SubscriptionArn: &arn, Owner: new(sub.Owner), Protocol: new(sub.Protocol),
		Endpoint: new(sub.Endpoint), TopicArn: new(ref.Topic.ARN()),
	}
}

func (s *Service) ListSubscriptions(ctx context.Context, in *snsapi.ListSubscriptionsInput) (*snsapi.ListSubscriptionsResponse, error) {
	c := s.Call(ctx)
	l := kit.List{Op: "ListSubscriptions", Account: c.Account, Region: c.Region}
	return kit.Read(s.Kit, func(tx kit.Tx) (*snsapi.ListSubscriptionsResponse, error) {
		out := &snsapi.ListSubscriptionsResponse{Subscriptions: []snsapi.Subscription{}}
		next, err := s.pages.Scan(c.In(tx), l, owned, emptyAsNil(in.NextToken), pageSize, func(e kit.Entry) (bool, error) {
			id := e.ID() // topic account, topic, subscription
			topic := topicRef{Partition: c.Partition, Region: c.Region, Account: id[0], Name: id[1]}
			sub, err := subscriptions.Get(topic.In(tx), id[1], id[2])
			if err != nil || sub == nil {
				return false, err
			}
			out.Subscriptions = append(out.Subscriptions, listed(subscriptionRef{Topic: topic, ID: id[2]}, sub))
			return true, nil
		})
		out.NextToken = next
		return out, err
	})
}

func (s *Service) ListSubscriptionsByTopic(ctx context.Context, in *snsapi.ListSubscriptionsByTopicInput) (*snsapi.ListSubscriptionsByTopicResponse, error) {
	c := s.Call(ctx)
	ref, err := topicInRegion(c, *in.TopicArn)
	if err != nil {
		return nil, err
	}
	l := kit.List{Op: "ListSubscriptionsByTopic", Account: c.Account, Region: c.Region, Within: ref.ARN()}
	return kit.Read(s.Kit, func(tx kit.Tx) (*snsapi.ListSubscriptionsByTopicResponse, error) {
		topic, err := findTopic(tx, ref)
		if err != nil {
			return nil, err
		}
		if err := authorize(c, ref, topic, "ListSubscriptionsByTopic"); err != nil {
			return nil, err
		}
		v := ref.In(tx)
		out := &snsapi.ListSubscriptionsByTopicResponse{Subscriptions: []snsapi.Subscription{}}
		next, err := s.pages.Scan(v, l, subscriptions, emptyAsNil(in.NextToken), pageSize, func(e kit.Entry) (bool, error) {
			sub, err := subscriptions.Get(v, ref.Name, e.Pos)
			if err != nil || sub == nil {
				return false, err
			}
			out.Subscriptions = append(out.Subscriptions, listed(subscriptionRef{Topic: ref, ID: sub.ID}, sub))
			return true, nil
		}, ref.Name)
		out.NextToken = next
		return out, err
	})
}
