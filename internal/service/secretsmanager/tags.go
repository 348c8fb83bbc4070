package secretsmanager

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

// maxTags is AWS's limit of user tags on a resource.
const maxTags = 50

// checkTags validates tags given to CreateSecret or TagResource. The model has checked the
// lengths; AWS reserves the aws: prefix.
func checkTags(in []sm.Tag) ([]tag, error) {
	var out []tag
	for _, t := range in {
		key := deref(t.Key)
		if key == "" {
			return nil, msgEmptyTagKey.New()
		}
		if strings.HasPrefix(strings.ToLower(key), "aws:") {
			return nil, msgReservedTag.New()
		}
		out = mergeTags(out, []tag{{Key: key, Value: deref(t.Value)}})
	}
	if len(out) > maxTags {
		return nil, msgTooManyTags.New(maxTags)
	}
	return out, nil
}

// mergeTags adds or replaces tags by key, keeping the order in which keys first appeared.
func mergeTags(cur, add []tag) []tag {
	out := append([]tag(nil), cur...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func (s *Service) TagResource(ctx context.Context, in *sm.TagResourceRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	add, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return nil, s.changeSecret(c, *in.SecretId, func(rec *secretRecord) error {
		if err := userWritable(rec); err != nil {
			return err
		}
		rec.Tags, rec.Tagged = mergeTags(rec.Tags, add), true
		if len(rec.Tags) > maxTags {
			return msgTooManyTags.New(maxTags)
		}
		return nil
	})
}

func (s *Service) UntagResource(ctx context.Context, in *sm.UntagResourceRequest) (*awsmodel.Empty, error) {
	return nil, s.changeSecret(s.Call(ctx), *in.SecretId, func(rec *secretRecord) error {
		if err := userWritable(rec); err != nil {
			return err
		}
		kept := []tag{}
		for _, t := range rec.Tags {
			if !slices.Contains(in.TagKeys, t.Key) {
				kept = append(kept, t)
			}
		}
		rec.Tags, rec.Tagged = kept, true
		return nil
	})
}
