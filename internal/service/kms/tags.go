package kms

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxTags is AWS's limit of tags per KMS key.
const maxTags = 50

// checkTags validates the tags of a request: no duplicate keys, at most maxTags of them,
// none in the reserved aws: namespace. CreateKey and ReplicateKey rely on it to refuse
// more tags than a key can hold before they write anything, as TagResource's own limit
// check only sees the tags a key already has.
func checkTags(in []kmsapi.Tag) ([]tag, error) {
	seen := map[string]bool{}
	for _, t := range in {
		k := deref(t.TagKey)
		if seen[k] {
			return nil, msgDuplicateTags.New()
		}
		seen[k] = true
	}
	if len(in) > maxTags {
		return nil, msgTooManyTags.New()
	}
	out := make([]tag, 0, len(in))
	for _, t := range in {
		k := deref(t.TagKey)
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, msgReservedTag.New()
		}
		out = append(out, tag{Key: k, Value: deref(t.TagValue)})
	}
	return out, nil
}

// mergeTags sets tags on existing ones (a new value replaces an old one), sorted by key.
func mergeTags(have, set []tag) []tag {
	out := slices.Clone(have)
	for _, t := range set {
		i := slices.IndexFunc(out, func(o tag) bool { return o.Key == t.Key })
		if i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func apiTags(tags []tag) []kmsapi.Tag {
	out := make([]kmsapi.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, kmsapi.Tag{TagKey: new(t.Key), TagValue: new(t.Value)})
	}
	return out
}

func (s *Service) TagResource(ctx context.Context, in *kmsapi.TagResourceRequest) (*awsmodel.Empty, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	_, err = s.change(ctx, *in.KeyId, "TagResource", requireLive, func(_ kit.Tx, k *keyRecord) error {
		merged := mergeTags(k.Tags, tags)
		if len(merged) > maxTags {
			return msgTagLimit.New(maxTags)
		}
		k.Tags = merged
		return nil
	})
	return nil, err
}

func (s *Service) UntagResource(ctx context.Context, in *kmsapi.UntagResourceRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "UntagResource", requireLive, func(_ kit.Tx, k *keyRecord) error {
		k.Tags = slices.DeleteFunc(k.Tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return nil
	})
	return nil, err
}

func (s *Service) ListResourceTags(ctx context.Context, in *kmsapi.ListResourceTagsRequest) (*kmsapi.ListResourceTagsResponse, error) {
	c := s.Call(ctx)
	limit := min(limitOf(in.Limit, maxTags), maxTags)
	return readKey(s, c, *in.KeyId, func(_ kit.Tx, k *keyRecord) (*kmsapi.ListResourceTagsResponse, error) {
		l := kit.List{Op: "ListResourceTags", Account: c.Account, Region: c.Region, Within: k.ID}
		tags, next, err := kit.Page(s.pages, l, k.Tags, in.Marker, limit, func(t tag) string { return t.Key })
		if err != nil {
			return nil, err
		}
		return &kmsapi.ListResourceTagsResponse{Tags: apiTags(tags), NextMarker: next, Truncated: new(next != nil)}, nil
	})
}
