package secretsmanager

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
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
			return nil, invalidParam("A tag key can't be empty.") // (xregion)
		}
		if strings.HasPrefix(strings.ToLower(key), "aws:") {
			return nil, invalidParam("Tag keys can't start with aws: because AWS reserves that prefix.") // (xregion)
		}
		out = mergeTags(out, []tag{{Key: key, Value: deref(t.Value)}})
	}
	if len(out) > maxTags {
		return nil, invalidParam("A secret can have at most %d tags.", maxTags) // (xregion)
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

func (s *Service) tagResource(ctx context.Context, in *sm.TagResourceRequest) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	add, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		rec.Tags, rec.Tagged = mergeTags(rec.Tags, add), true
		if len(rec.Tags) > maxTags {
			return invalidParam("A secret can have at most %d tags.", maxTags) // (xregion)
		}
		return s.commit(tx, info.Account, info.Region, rec, s.clock.Now())
	})
	return nil, err
}

func (s *Service) untagResource(ctx context.Context, in *sm.UntagResourceRequest) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		drop := map[string]bool{}
		for _, k := range in.TagKeys {
			drop[k] = true
		}
		kept := []tag{}
		for _, t := range rec.Tags {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		rec.Tags, rec.Tagged = kept, true
		return s.commit(tx, info.Account, info.Region, rec, s.clock.Now())
	})
	return nil, err
}
