package iam

import (
	"sort"
	"strings"

	"github.com/xregion/xregion/internal/gen/iamapi"
)

// maxTags is the number of tags an IAM resource can carry.
const maxTags = 50

// Tag keys are not distinguished by case in IAM: "Env" and "env" are the same tag, and the
// case last written is the one kept. Tags are kept sorted by their lower-case key, which
// is also the order ListRoleTags pages through.

func tagKey(t tag) string { return strings.ToLower(t.Key) }

// requestTags checks the tags of one request: the model has checked each key and value.
func requestTags(in []iamapi.Tag) ([]tag, error) {
	seen := map[string]bool{}
	out := make([]tag, 0, len(in))
	for _, t := range in {
		k := strings.ToLower(deref(t.Key))
		if seen[k] {
			return nil, msgDuplicateTagKeys.New()
		}
		seen[k] = true
		out = append(out, tag{Key: deref(t.Key), Value: deref(t.Value)})
	}
	sort.Slice(out, func(i, j int) bool { return tagKey(out[i]) < tagKey(out[j]) })
	return out, nil
}

// mergeTags adds or overwrites tags, refusing to go over the quota.
func mergeTags(have []tag, in []iamapi.Tag, kind string) ([]tag, error) {
	add, err := requestTags(in)
	if err != nil {
		return nil, err
	}
	byKey := map[string]tag{}
	for _, t := range have {
		byKey[tagKey(t)] = t
	}
	for _, t := range add {
		byKey[tagKey(t)] = t
	}
	if len(byKey) > maxTags {
		return nil, msgQuota.New(quotaTagsPer+kind, maxTags)
	}
	out := make([]tag, 0, len(byKey))
	for _, t := range byKey {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return tagKey(out[i]) < tagKey(out[j]) })
	return out, nil
}

// removeTags drops the tags with the given keys; keys without a tag are ignored.
func removeTags(have []tag, keys []string) []tag {
	drop := map[string]bool{}
	for _, k := range keys {
		drop[strings.ToLower(k)] = true
	}
	out := make([]tag, 0, len(have))
	for _, t := range have {
		if !drop[tagKey(t)] {
			out = append(out, t)
		}
	}
	return out
}

func apiTags(tags []tag) []iamapi.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamapi.Tag{Key: ptr(t.Key), Value: ptr(t.Value)}
	}
	return out
}

// tagPage is a page of tags for the List*Tags operations.
func tagPage(c call, tags []tag, marker *string, maxItems *int64) ([]iamapi.Tag, *bool, *string, error) {
	p, err := paginate(c, tags, tagKey, marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	out := apiTags(p.items)
	if out == nil {
		out = []iamapi.Tag{}
	}
	return out, ptr(p.truncated), p.marker, nil
}
