package sns

import (
	"context"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxBatchEntries is AWS's limit of messages in one PublishBatch.
const maxBatchEntries = 10

var batchEntryID = lazyregexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// checkBatch applies PublishBatch's rules to the entries as a whole and checks each
// message: AWS refuses the whole batch when one message is malformed.
func checkBatch(entries []snsapi.PublishBatchRequestEntry) ([]*message, error) {
	switch {
	case len(entries) == 0:
		return nil, msgEmptyBatch.New()
	case len(entries) > maxBatchEntries:
		return nil, msgTooManyEntries.New()
	}
	seen := map[string]bool{}
	var out []*message
	total := 0
	for _, e := range entries {
		id := deref(e.Id)
		switch {
		case seen[id]:
			return nil, msgBatchIDsTwice.New()
		case len(id) > 80:
			return nil, msgBatchIDTooLong.New(id)
		case !batchEntryID.MatchString(id):
			return nil, msgBatchIDCharacters.New(id)
		}
		seen[id] = true
		m, err := newMessage(e.Message, e.Subject, e.MessageStructure, e.MessageAttributes)
		if err != nil {
			return nil, err
		}
		total += m.size()
		out = append(out, m)
	}
	if total > maxMessageBytes {
		return nil, msgBatchTooLong.New()
	}
	return out, nil
}

func (s *Service) PublishBatch(ctx context.Context, in *snsapi.PublishBatchInput) (*snsapi.PublishBatchResponse, error) {
	c := s.Call(ctx)
	ref, err := topicInRegion(c, *in.TopicArn)
	if err != nil {
		return nil, err
	}
	msgs, err := checkBatch(in.PublishBatchRequestEntries)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*snsapi.PublishBatchResponse, error) {
		topic, err := findTopic(tx, ref)
		if err != nil {
			return nil, err
		}
		if err := authorize(c, ref, topic, "Publish"); err != nil {
			return nil, err
		}
		for _, e := range in.PublishBatchRequestEntries {
			if err := checkGrouping(topic, e.MessageGroupId, e.MessageDeduplicationId); err != nil {
				return nil, err
			}
		}
		out := &snsapi.PublishBatchResponse{Successful: []snsapi.PublishBatchResultEntry{}, Failed: []snsapi.BatchResultErrorEntry{}}
		for i, e := range in.PublishBatchRequestEntries {
			entry := snsapi.PublishBatchResultEntry{Id: e.Id, MessageId: new(ids.UUID())}
			if err := s.fanOut(tx, ref, topic, msgs[i], *entry.MessageId, c.Now()); err != nil {
				return nil, err
			}
			if topic.fifo() {
				entry.SequenceNumber = new(nextSequence(topic))
			}
			out.Successful = append(out.Successful, entry)
		}
		if topic.fifo() {
			return out, topics.Put(ref.In(tx), topic, topic.Name)
		}
		return out, nil
	})
}
