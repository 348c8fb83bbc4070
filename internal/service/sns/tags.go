package sns

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxTags is AWS's limit of tags on a topic.
const maxTags = 50

// checkTags validates the tags of CreateTopic or TagResource (the model has checked the
// lengths); AWS reserves the aws: prefix.
func checkTags(in []snsapi.Tag) ([]tag, error) {
	var out []tag
	for _, t := range in {
		key := deref(t.Key)
		if strings.HasPrefix(strings.ToLower(key), "aws:") {
			return nil, msgTagKeyReserved.New()
		}
		out = mergeTags(out, []tag{{Key: key, Value: deref(t.Value)}})
	}
	if len(out) > maxTags {
		return nil, msgTooManyTags.New()
	}
	return out, nil
}

// mergeTags adds or replaces tags by key, keeping the order in which keys first appeared.
func mergeTags(cur, add []tag) []tag {
	out := slices.Clone(cur)
	for _, t := range add {
		i := slices.IndexFunc(out, func(o tag) bool { return o.Key == t.Key })
		if i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	return out
}

// hasTags reports whether every tag of want is among have with the same value.
func hasTags(have, want []tag) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// changeTags runs change on the tags of the topic an ARN names, in the caller's account
// and Region: only a topic's owner tags it.
func (s *Service) changeTags(ctx context.Context, resourceARN string, change func(tags []tag) ([]tag, error)) error {
	c := s.Call(ctx)
	ref, ok := parseTopicARN(resourceARN)
	if !ok || ref.Region != c.Region || ref.Account != c.Account {
		return msgTagResource.New()
	}
	return s.Update(func(tx kit.Tx) error {
		v := ref.In(tx)
		topic, err := topics.Get(v, ref.Name)
		if err != nil {
			return err
		}
		if topic == nil {
			return msgTagResource.New()
		}
		if topic.Tags, err = change(topic.Tags); err != nil {
			return err
		}
		return topics.Put(v, topic, topic.Name)
	})
}

func (s *Service) TagResource(ctx context.Context, in *snsapi.TagResourceRequest) (*snsapi.TagResourceResponse, error) {
	add, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.changeTags(ctx, *in.ResourceArn, func(tags []tag) ([]tag, error) {
		tags = mergeTags(tags, add)
		if len(tags) > maxTags {
			return nil, msgTooManyTags.New()
		}
		return tags, nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.TagResourceResponse{}, nil
}

func (s *Service) UntagResource(ctx context.Context, in *snsapi.UntagResourceRequest) (*snsapi.UntagResourceResponse, error) {
	err := s.changeTags(ctx, *in.ResourceArn, func(tags []tag) ([]tag, error) {
		return slices.DeleteFunc(tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) }), nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.UntagResourceResponse{}, nil
}

func (s *Service) ListTagsForResource(ctx context.Context, in *snsapi.ListTagsForResourceRequest) (*snsapi.ListTagsForResourceResponse, error) {
	c := s.Call(ctx)
	ref, ok := parseTopicARN(*in.ResourceArn)
	if !ok || ref.Region != c.Region || ref.Account != c.Account {
		return nil, msgTagResource.New()
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*snsapi.ListTagsForResourceResponse, error) {
		topic, err := topics.Get(ref.In(tx), ref.Name)
		if err != nil {
			return nil, err
		}
		if topic == nil {
			return nil, msgTagResource.New()
		}
		out := &snsapi.ListTagsForResourceResponse{Tags: []snsapi.Tag{}}
		for _, t := range topic.Tags {
			out.Tags = append(out.Tags, snsapi.Tag{Key: new(t.Key), Value: new(t.Value)})
		}
		return out, nil
	})
}
