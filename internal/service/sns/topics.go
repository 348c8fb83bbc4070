package sns

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/service/kit"
)

// Topic names: up to 256 letters, digits, hyphens and underscores; a FIFO topic's name
// ends in ".fifo", which counts towards the 256.
var (
	standardName = lazyregexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	fifoName     = lazyregexp.MustCompile(`^[A-Za-z0-9_-]{1,251}\.fifo$`)
)

func validTopicName(name string) bool {
	return standardName.MatchString(name) || fifoName.MatchString(name)
}

// checkTopicName applies the naming rule of the kind of topic CreateTopic makes.
func checkTopicName(name string, fifo bool) error {
	switch {
	case fifo && !fifoName.MatchString(name):
		return msgBadFifoTopicName.New()
	case !fifo && !standardName.MatchString(name):
		return msgBadTopicName.New()
	}
	return nil
}

// topicInRegion reads a topic ARN that must name a topic of the caller's Region: SNS
// works only on topics of the Region a request is made in.
func topicInRegion(c kit.Call, topicARN string) (topicRef, error) {
	ref, ok := parseTopicARN(topicARN)
	if !ok {
		if n := strings.Count(topicARN, ":") + 1; n < 6 {
			return topicRef{}, msgShortTopicARN.New(n)
		}
		return topicRef{}, msgTopicARN.New()
	}
	if ref.Region != c.Region {
		return topicRef{}, msgTopicARN.New()
	}
	return ref, nil
}

func (s *Service) CreateTopic(ctx context.Context, in *snsapi.CreateTopicInput) (*snsapi.CreateTopicResponse, error) {
	c := s.Call(ctx)
	if err := checkTopicName(*in.Name, in.Attributes[attrFifoTopic] == "true"); err != nil {
		return nil, err
	}
	if in.DataProtectionPolicy != nil {
		return nil, msgNoDataProtection.New()
	}
	attrs, err := newTopicAttributes(in.Attributes)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	// The Region's signing certificate is made before the write, outside the store's
	// writer lock: an RSA key takes a moment to generate.
	if err := s.prepareSigner(c.Region); err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*snsapi.CreateTopicResponse, error) {
		v := c.In(tx)
		ref := topicOf(v, *in.Name)
		out := &snsapi.CreateTopicResponse{TopicArn: new(ref.ARN())}
		existing, err := topics.Get(v, *in.Name)
		if err != nil {
			return nil, err
		}
		if existing != nil {
			// CreateTopic is idempotent for the same description of the topic.
			if !sameAttributes(existing, in.Attributes) {
				return nil, msgOtherAttributes.New()
			}
			if !hasTags(existing.Tags, tags) {
				return nil, msgOtherTags.New()
			}
			return out, nil
		}
		if _, ok := attrs[attrPolicy]; !ok {
			attrs[attrPolicy] = defaultPolicy(ref.ARN(), ref.Account)
		}
		rec := &topicRecord{Name: *in.Name, Created: c.Now(), Attributes: attrs, Tags: tags}
		return out, topics.Put(v, rec, rec.Name)
	})
}

func (s *Service) DeleteTopic(ctx context.Context, in *snsapi.DeleteTopicInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	ref, err := topicInRegion(c, *in.TopicArn)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := ref.In(tx)
		topic, err := topics.Get(v, ref.Name)
		if err != nil || topic == nil {
			// DeleteTopic is idempotent: a topic that is not there is deleted.
			return &awsmodel.Empty{}, err
		}
		if err := authorize(c, ref, topic, "DeleteTopic"); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, purgeTopic(tx, v, topic)
	})
}

// purgeTopic deletes a topic with its subscriptions and the deliveries still on their
// way, as AWS does.
func purgeTopic(tx kit.Tx, v kit.View, topic *topicRecord) error {
	subs, err := subscriptions.List(v, topic.Name)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if err := removeSubscription(tx, v, nil, sub); err != nil {
			return err
		}
	}
	if err := dropDeliveries(tx, v, topic.Name); err != nil {
		return err
	}
	return topics.Delete(v, topic.Name)
}

func (s *Service) ListTopics(ctx context.Context, in *snsapi.ListTopicsInput) (*snsapi.ListTopicsResponse, error) {
	c := s.Call(ctx)
	l := kit.List{Op: "ListTopics", Account: c.Account, Region: c.Region}
	return kit.Read(s.Kit, func(tx kit.Tx) (*snsapi.ListTopicsResponse, error) {
		v := c.In(tx)
		out := &snsapi.ListTopicsResponse{Topics: []snsapi.Topic{}}
		next, err := s.pages.Scan(v, l, topics, emptyAsNil(in.NextToken), pageSize, func(e kit.Entry) (bool, error) {
			out.Topics = append(out.Topics, snsapi.Topic{TopicArn: new(topicOf(v, e.Pos).ARN())})
			return true, nil
		})
		out.NextToken = next
		return out, err
	})
}

// pageSize is the number of items of a page of SNS's lists.
const pageSize = 100

// emptyAsNil treats an empty NextToken as none, as AWS does.
func emptyAsNil(token *string) *string {
	if token != nil && *token == "" {
		return nil
	}
	return token
}
