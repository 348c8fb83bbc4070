package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// taggable is a resource the tag operations reach: its tags, and how to store them.
type taggable struct {
	tags *[]tagRec
	save func() error
}

// findTaggable resolves the ARN of a taggable resource in the caller's account and
// Region.
func findTaggable(tx kit.Tx, v kit.View, name string) (taggable, error) {
	if t, ok, err := clusterTaggable(tx, v, name); ok || err != nil {
		return t, err // clusters, their snapshots and global clusters: clusters_tags.go
	}
	a, err := arn.Parse(name)
	if err != nil || a.Service != serviceName || a.Region != v.Region() || a.Account != v.Account() {
		return taggable{}, msgNotAResource.New()
	}
	kind, id, _ := strings.Cut(a.Resource, ":")
	id = strings.ToLower(id)
	switch kind {
	case "db":
		inst, err := instances.Get(v, id)
		if err != nil {
			return taggable{}, err
		}
		if inst == nil {
			return taggable{}, msgInstanceNotFound.New(id)
		}
		return taggable{tags: &inst.Tags, save: func() error { return putInstance(v, inst) }}, nil
	case "snapshot":
		snap, err := snapshots.Get(v, id)
		if err != nil {
			return taggable{}, err
		}
		if snap == nil {
			return taggable{}, msgSnapshotNotFound.New(id)
		}
		return taggable{tags: &snap.Tags, save: func() error { return putSnapshot(v, snap) }}, nil
	case dbParams.arnKind:
		return paramGroupTaggable(v, dbParams, name)
	case clusterParams.arnKind:
		return paramGroupTaggable(v, clusterParams, name)
	case "subgrp":
		return subnetGroupTaggable(v, id)
	case "secgrp":
		g, err := findDBSecurityGroup(v, id)
		if err != nil {
			return taggable{}, err
		}
		return taggable{tags: &g.Tags, save: func() error { return dbSecurityGroups.Put(v, g, g.Name) }}, nil
	case "og":
		g, err := findOptionGroup(v, name)
		if err != nil || g.Default {
			return taggable{tags: &[]tagRec{}, save: func() error { return msgModifyDefaultOptionGroup.New(id) }}, err
		}
		return taggable{tags: &g.Tags, save: func() error { return optionGroups.Put(v, g, g.Name) }}, nil
	}
	return taggable{}, msgNotAResource.New()
}

func (s *Service) AddTagsToResource(ctx context.Context, in *rdsapi.AddTagsToResourceMessage) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	add, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		t, err := findTaggable(tx, c.In(tx), deref(in.ResourceName))
		if err != nil {
			return nil, err
		}
		merged := mergeTags(slices.Clone(*t.tags), add)
		if len(merged) > maxTags {
			return nil, msgTooManyTags.New(maxTags)
		}
		*t.tags = merged
		return &awsmodel.Empty{}, t.save()
	})
}

func (s *Service) RemoveTagsFromResource(ctx context.Context, in *rdsapi.RemoveTagsFromResourceMessage) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		t, err := findTaggable(tx, c.In(tx), deref(in.ResourceName))
		if err != nil {
			return nil, err
		}
		*t.tags = slices.DeleteFunc(*t.tags, func(tg tagRec) bool { return slices.Contains(in.TagKeys, tg.Key) })
		return &awsmodel.Empty{}, t.save()
	})
}

func (s *Service) ListTagsForResource(ctx context.Context, in *rdsapi.ListTagsForResourceMessage) (*rdsapi.TagListMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.TagListMessage, error) {
		t, err := findTaggable(tx, c.In(tx), deref(in.ResourceName))
		if err != nil {
			return nil, err
		}
		return &rdsapi.TagListMessage{TagList: tagsOut(*t.tags)}, nil
	})
}

// paramGroupTaggable is a parameter group a user created; the default groups take no
// tags.
func paramGroupTaggable(v kit.View, k paramGroupKind, groupARN string) (taggable, error) {
	g, err := k.find(v, groupARN)
	if err != nil {
		return taggable{}, err
	}
	if g.Default {
		return taggable{tags: &[]tagRec{}, save: func() error { return msgModifyDefaultParamGroup.New() }}, nil
	}
	return taggable{tags: &g.Tags, save: func() error { return k.table.Put(v, g, g.Name) }}, nil
}
