package backup

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// tagged is a resource that carries tags: a vault or a plan.
type tagged struct {
	key  string
	tags *map[string]string // the record's tags
	rec  any                // the record, saved whole after its tags change
}

// findTagged finds the vault, plan or recovery point an ARN names in the caller's account
// and Region. A recovery point of RDS has the ARN of its snapshot.
func findTagged(tx store.Tx, info *request.Info, resourceARN string) (*tagged, error) {
	notFound := backupapi.ErrResourceNotFound.New("Resource %s cannot be found", resourceARN)
	a, err := arn.Parse(resourceARN)
	if err != nil || a.Service != serviceName && a.Service != "rds" {
		return nil, invalidParameter("Invalid ARN: %s", resourceARN)
	}
	if a.Region != info.Region || a.Account != info.Account {
		return nil, notFound
	}
	sc := scopeOf(info)
	if a.Service == "rds" {
		r, err := recoveryPointByARN(tx, sc, resourceARN)
		if err != nil {
			if isAWSError(err) {
				return nil, notFound
			}
			return nil, err
		}
		return &tagged{key: sc.Key(kindRecovery, r.Vault, r.ARN), tags: &r.Tags, rec: r}, nil
	}
	kind, id, _ := strings.Cut(a.Resource, ":")
	switch kind {
	case "backup-vault":
		v, err := getVault(tx, sc, id)
		if err != nil {
			return nil, notFound
		}
		return &tagged{key: sc.Key(kindVault, id), tags: &v.Tags, rec: v}, nil
	case "backup-plan":
		p, err := getPlan(tx, sc, id)
		if err != nil {
			return nil, notFound
		}
		return &tagged{key: sc.Key(kindPlan, id), tags: &p.Tags, rec: p}, nil
	}
	return nil, notFound
}

func (s *Service) tagResource(ctx context.Context, in *backupapi.TagResourceInput) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	err := s.st.Update(func(tx store.Tx) error {
		t, err := findTagged(tx, info, *in.ResourceArn)
		if err != nil {
			return err
		}
		merged := cloneTags(*t.tags)
		for k, v := range in.Tags {
			if strings.HasPrefix(strings.ToLower(k), "aws:") {
				return invalidParameter("Tag keys starting with aws: are reserved: %s", k)
			}
			merged[k] = v
		}
		*t.tags = merged
		return store.PutJSON(tx, t.key, t.rec)
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}

func (s *Service) untagResource(ctx context.Context, in *backupapi.UntagResourceInput) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	err := s.st.Update(func(tx store.Tx) error {
		t, err := findTagged(tx, info, *in.ResourceArn)
		if err != nil {
			return err
		}
		kept := cloneTags(*t.tags)
		for _, k := range in.TagKeyList {
			delete(kept, k)
		}
		*t.tags = kept
		return store.PutJSON(tx, t.key, t.rec)
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}

func (s *Service) listTags(ctx context.Context, in *backupapi.ListTagsInput) (*backupapi.ListTagsOutput, error) {
	info := request.From(ctx)
	out := &backupapi.ListTagsOutput{}
	err := s.st.View(func(tx store.Tx) error {
		t, err := findTagged(tx, info, *in.ResourceArn)
		if err != nil {
			return err
		}
		out.Tags = cloneTags(*t.tags)
		return nil
	})
	return out, err
}
