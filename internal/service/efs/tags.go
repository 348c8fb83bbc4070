package efs

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxTags is how many tags an EFS resource can have.
const maxTags = 50

// tagged is a resource whose tags the tagging operations change: a file system or an
// access point.
type tagged struct {
	id   string
	tags *[]tag
	save func() error
}

// taggedOf finds the resource a tagging operation names, by id or ARN.
func taggedOf(v kit.View, resource string) (tagged, error) {
	id := resource
	if strings.HasPrefix(resource, "arn:") {
		id = resource[strings.LastIndex(resource, "/")+1:]
		if !strings.Contains(resource, ":"+v.Region()+":"+v.Account()+":") {
			return tagged{}, notFoundOf(id)
		}
	}
	if strings.HasPrefix(id, "fsap-") {
		ap, err := accessPoints.Get(v, id)
		if err != nil || ap == nil {
			return tagged{}, orNotFound(err, id)
		}
		return tagged{id: id, tags: &ap.Tags, save: func() error { return accessPoints.Put(v, ap, id) }}, nil
	}
	fs, err := fileSystems.Get(v, id)
	if err != nil || fs == nil {
		return tagged{}, orNotFound(err, id)
	}
	return tagged{id: id, tags: &fs.Tags, save: func() error { return fileSystems.Put(v, fs, id) }}, nil
}

func orNotFound(err error, id string) error {
	if err != nil {
		return err
	}
	return notFoundOf(id)
}

func notFoundOf(id string) error {
	if strings.HasPrefix(id, "fsap-") {
		return msgPointNotFound.New(id)
	}
	return msgFSNotFound.New(id)
}

// retag changes a resource's tags with change, within the limits.
func (s *Service) retag(ctx context.Context, resource string, change func(tags []tag) ([]tag, error)) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		r, err := taggedOf(c.In(tx), resource)
		if err != nil {
			return nil, err
		}
		tags, err := change(*r.tags)
		if err != nil {
			return nil, err
		}
		if len(tags) > maxTags {
			return nil, msgTooManyTags.New(r.id, len(tags))
		}
		*r.tags = tags
		return &awsmodel.Empty{}, r.save()
	})
}

// addTags sets tags, refusing keys AWS reserves.
func addTags(in []efsapi.Tag) func([]tag) ([]tag, error) {
	return func(tags []tag) ([]tag, error) {
		for _, t := range in {
			if strings.HasPrefix(strings.ToLower(deref(t.Key)), "aws:") {
				return nil, msgAWSTag.New()
			}
			tags = setTag(tags, deref(t.Key), deref(t.Value))
		}
		return tags, nil
	}
}

func dropTags(keys []string) func([]tag) ([]tag, error) {
	return func(tags []tag) ([]tag, error) { return removeTags(tags, keys), nil }
}

func (s *Service) TagResource(ctx context.Context, in *efsapi.TagResourceRequest) (*awsmodel.Empty, error) {
	return s.retag(ctx, *in.ResourceId, addTags(in.Tags))
}

func (s *Service) UntagResource(ctx context.Context, in *efsapi.UntagResourceRequest) (*awsmodel.Empty, error) {
	return s.retag(ctx, *in.ResourceId, dropTags(in.TagKeys))
}

// CreateTags is the legacy tagging of file systems only.
func (s *Service) CreateTags(ctx context.Context, in *efsapi.CreateTagsRequest) (*awsmodel.Empty, error) {
	if strings.HasPrefix(*in.FileSystemId, "fsap-") {
		return nil, msgFSNotFound.New(*in.FileSystemId)
	}
	return s.retag(ctx, *in.FileSystemId, addTags(in.Tags))
}

func (s *Service) DeleteTags(ctx context.Context, in *efsapi.DeleteTagsRequest) (*awsmodel.Empty, error) {
	if strings.HasPrefix(*in.FileSystemId, "fsap-") {
		return nil, msgFSNotFound.New(*in.FileSystemId)
	}
	return s.retag(ctx, *in.FileSystemId, dropTags(in.TagKeys))
}

// pageOfTags reads a resource's tags, sorted by key, one page at a time.
func (s *Service) pageOfTags(ctx context.Context, op, resource string, p kit.Pager, marker *string, limit int) ([]efsapi.Tag, *string, error) {
	c := s.Call(ctx)
	type page struct {
		tags []efsapi.Tag
		next *string
	}
	got, err := kit.Read(s.Kit, func(tx kit.Tx) (page, error) {
		r, err := taggedOf(c.In(tx), resource)
		if err != nil {
			return page{}, err
		}
		tags := slices.Clone(*r.tags)
		slices.SortFunc(tags, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
		l := kit.List{Op: op, Account: c.Account, Region: c.Region, Within: r.id}
		cut, next, err := kit.Page(p, l, tags, marker, limit, func(t tag) string { return t.Key })
		return page{tags: tagsOut(cut), next: next}, err
	})
	return got.tags, got.next, err
}

func (s *Service) ListTagsForResource(ctx context.Context, in *efsapi.ListTagsForResourceRequest) (*efsapi.ListTagsForResourceResponse, error) {
	tags, next, err := s.pageOfTags(ctx, "ListTagsForResource", *in.ResourceId, s.tokens, in.NextToken, pageSize(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	return &efsapi.ListTagsForResourceResponse{Tags: tags, NextToken: next}, nil
}

func (s *Service) DescribeTags(ctx context.Context, in *efsapi.DescribeTagsRequest) (*efsapi.DescribeTagsResponse, error) {
	if strings.HasPrefix(*in.FileSystemId, "fsap-") {
		return nil, msgFSNotFound.New(*in.FileSystemId)
	}
	tags, next, err := s.pageOfTags(ctx, "DescribeTags", *in.FileSystemId, s.markers, in.Marker, pageSize(in.MaxItems, 100))
	if err != nil {
		return nil, err
	}
	return &efsapi.DescribeTagsResponse{Marker: in.Marker, Tags: tags, NextMarker: next}, nil
}
