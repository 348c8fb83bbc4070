package backup

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// tagged is a resource that carries tags: a vault, a plan or a recovery point.
type tagged struct {
	tags *map[string]string // the record's tags
	save func() error       // writes the record back, tags and all
}

// findTagged finds the vault, plan or recovery point an ARN names in the caller's account
// and Region. A recovery point of RDS has the ARN of its snapshot.
func findTagged(v kit.View, resourceARN string) (*tagged, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil || a.Service != serviceName && a.Service != "rds" {
		return nil, msgBadARN.New(resourceARN)
	}
	if a.Region != v.Region() || a.Account != v.Account() {
		return nil, msgResourceNotFound.New(resourceARN)
	}
	var t *tagged
	if a.Service == "rds" {
		t, err = taggedPoint(v, resourceARN)
	} else {
		t, err = taggedBackupResource(v, a.Resource)
	}
	if err == nil && t == nil {
		err = msgResourceNotFound.New(resourceARN)
	}
	return t, err
}

func taggedPoint(v kit.View, rpARN string) (*tagged, error) {
	r, err := recoveryPoints.Get(v, idOf(v, recoveryVaults, rpARN), rpARN)
	if err != nil || r == nil {
		return nil, err
	}
	return &tagged{tags: &r.Tags, save: func() error { return recoveryPoints.Put(v, r, r.Vault, r.ARN) }}, nil
}

// taggedBackupResource finds a vault or a plan by the resource part of its ARN.
func taggedBackupResource(v kit.View, resource string) (*tagged, error) {
	kind, id, _ := strings.Cut(resource, ":")
	switch kind {
	case "backup-vault":
		vault, err := vaults.Get(v, id)
		if err != nil || vault == nil {
			return nil, err
		}
		return &tagged{tags: &vault.Tags, save: func() error { return vaults.Put(v, vault, id) }}, nil
	case "backup-plan":
		p, err := plans.Get(v, id)
		if err != nil || p == nil || p.Deleted != nil {
			return nil, err
		}
		return &tagged{tags: &p.Tags, save: func() error { return plans.Put(v, p, id) }}, nil
	case "report-plan":
		p, err := reportPlans.Get(v, id)
		if err != nil || p == nil {
			return nil, err
		}
		return &tagged{tags: &p.Tags, save: func() error { return reportPlans.Put(v, p, id) }}, nil
	case "restore-testing-plan":
		p, err := rtPlans.Get(v, id)
		if err != nil || p == nil {
			return nil, err
		}
		return &tagged{tags: &p.Tags, save: func() error { return rtPlans.Put(v, p, id) }}, nil
	}
	return nil, nil
}

func (s *Service) TagResource(ctx context.Context, in *backupapi.TagResourceInput) (*awsmodel.Empty, error) {
	for k := range in.Tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, msgReservedTag.New(k)
		}
	}
	return s.changeTags(ctx, *in.ResourceArn, func(tags map[string]string) {
		for k, v := range in.Tags {
			tags[k] = v
		}
	})
}

func (s *Service) UntagResource(ctx context.Context, in *backupapi.UntagResourceInput) (*awsmodel.Empty, error) {
	return s.changeTags(ctx, *in.ResourceArn, func(tags map[string]string) {
		for _, k := range in.TagKeyList {
			delete(tags, k)
		}
	})
}

// changeTags applies change to a copy of a resource's tags and saves them.
func (s *Service) changeTags(ctx context.Context, resourceARN string, change func(map[string]string)) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		t, err := findTagged(c.In(tx), resourceARN)
		if err != nil {
			return nil, err
		}
		tags := cloneTags(*t.tags)
		change(tags)
		*t.tags = tags
		return &awsmodel.Empty{}, t.save()
	})
}

func (s *Service) ListTags(ctx context.Context, in *backupapi.ListTagsInput) (*backupapi.ListTagsOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListTagsOutput, error) {
		t, err := findTagged(c.In(tx), *in.ResourceArn)
		if err != nil {
			return nil, err
		}
		return &backupapi.ListTagsOutput{Tags: cloneTags(*t.tags)}, nil
	})
}
