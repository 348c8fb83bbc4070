package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// taggable is a resource the tag operations reach: its tags, and how to store them.
type taggable struct {
	tags *[]tagRec
	save func() error
}

// findTaggable resolves the ARN of a DB instance or DB snapshot in the caller's account
// and Region.
func findTaggable(tx store.Tx, sc store.Scope, name string) (taggable, error) {
	a, err := arn.Parse(name)
	if err != nil || a.Service != serviceName {
		return taggable{}, invalidValue("The specified resource name does not match an RDS resource in this region.")
	}
	if a.Region != sc.Region || a.Account != sc.Account {
		return taggable{}, invalidValue("The specified resource name does not match an RDS resource in this region.")
	}
	kind, id, _ := strings.Cut(a.Resource, ":")
	id = strings.ToLower(id)
	switch kind {
	case "db":
		inst, err := getInstance(tx, sc, id)
		if err != nil {
			return taggable{}, err
		}
		if inst == nil {
			return taggable{}, instanceNotFound(id)
		}
		return taggable{tags: &inst.Tags, save: func() error { return putInstance(tx, sc, inst) }}, nil
	case "snapshot":
		snap, err := getSnapshot(tx, sc, id)
		if err != nil {
			return taggable{}, err
		}
		if snap == nil {
			return taggable{}, snapshotNotFound(id)
		}
		return taggable{tags: &snap.Tags, save: func() error { return putSnapshot(tx, sc, snap) }}, nil
	}
	return taggable{}, invalidValue("The specified resource name does not match an RDS resource in this region.")
}

func (s *Service) addTagsToResource(ctx context.Context, in *rdsapi.AddTagsToResourceMessage) (*awsmodel.Empty, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	add, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		t, err := findTaggable(tx, sc, deref(in.ResourceName))
		if err != nil {
			return err
		}
		merged := mergeTags(slices.Clone(*t.tags), add)
		if len(merged) > maxTags {
			return invalidValue("Cannot add more than %d tags to a resource.", maxTags)
		}
		*t.tags = merged
		return t.save()
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}

func (s *Service) removeTagsFromResource(ctx context.Context, in *rdsapi.RemoveTagsFromResourceMessage) (*awsmodel.Empty, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	err := s.st.Update(func(tx store.Tx) error {
		t, err := findTaggable(tx, sc, deref(in.ResourceName))
		if err != nil {
			return err
		}
		*t.tags = slices.DeleteFunc(*t.tags, func(tg tagRec) bool { return slices.Contains(in.TagKeys, tg.Key) })
		return t.save()
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, in *rdsapi.ListTagsForResourceMessage) (*rdsapi.TagListMessage, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	if len(in.Filters) > 0 {
		return nil, invalidValue("ListTagsForResource does not support filters.")
	}
	var out []rdsapi.Tag
	err := s.st.View(func(tx store.Tx) error {
		t, err := findTaggable(tx, sc, deref(in.ResourceName))
		if err != nil {
			return err
		}
		out = tagsOut(*t.tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.TagListMessage{TagList: out}, nil
}
