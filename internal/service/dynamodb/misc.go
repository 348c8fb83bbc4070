package dynamodb

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// DescribeEndpoints answers as DynamoDB does, with the Region's public endpoint: SDKs
// use it only for endpoint discovery, which they do not do against a custom endpoint.
func (s *Service) DescribeEndpoints(ctx context.Context, _ *ddb.DescribeEndpointsRequest) (*ddb.DescribeEndpointsResponse, error) {
	c := s.Call(ctx)
	suffix := "amazonaws.com"
	if c.Partition == "aws-cn" {
		suffix = "amazonaws.com.cn"
	}
	return &ddb.DescribeEndpointsResponse{Endpoints: []ddb.Endpoint{{
		Address: new("dynamodb." + c.Region + "." + suffix), CachePeriodInMinutes: new(int64(1440)),
	}}}, nil
}

// The default quotas DescribeLimits reports.
const (
	accountMaxUnits = 80000
	tableMaxUnits   = 40000
)

func (s *Service) DescribeLimits(context.Context, *ddb.DescribeLimitsInput) (*ddb.DescribeLimitsOutput, error) {
	return &ddb.DescribeLimitsOutput{
		AccountMaxReadCapacityUnits: new(int64(accountMaxUnits)), AccountMaxWriteCapacityUnits: new(int64(accountMaxUnits)),
		TableMaxReadCapacityUnits: new(int64(tableMaxUnits)), TableMaxWriteCapacityUnits: new(int64(tableMaxUnits)),
	}, nil
}

// tableOfARN returns the table a ResourceArn names in the caller's account and Region.
func tableOfARN(c kit.Call, v kit.View, resourceARN string) (*tableRecord, error) {
	a, err := arn.Parse(resourceARN)
	name, ok := strings.CutPrefix(a.Resource, "table/")
	if err != nil || !ok || a.Service != serviceName || strings.Contains(name, "/") {
		return nil, msgBadARN.New(resourceARN)
	}
	if a.Account != c.Account || a.Region != c.Region {
		return nil, msgResourceARN.New(resourceARN)
	}
	rec, err := tables.Get(v, name)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.Status == ddb.TableStatusDeleting {
		return nil, msgResourceARN.New(resourceARN)
	}
	return rec, nil
}

// mergeTags adds tags to a table's, replacing values of keys it has, within DynamoDB's
// rules: no aws: prefix, at most 50.
func mergeTags(have []tag, add []ddb.Tag) ([]tag, error) {
	out := append([]tag(nil), have...)
	for _, t := range add {
		if strings.HasPrefix(*t.Key, "aws:") {
			return nil, msgTagNotAllowed.New()
		}
		replaced := false
		for i := range out {
			if out[i].Key == *t.Key {
				out[i].Value, replaced = *t.Value, true
			}
		}
		if !replaced {
			out = append(out, tag{Key: *t.Key, Value: *t.Value})
		}
	}
	if len(out) > maxTags {
		return nil, msgTagKeys.New()
	}
	return out, nil
}

func (s *Service) TagResource(ctx context.Context, in *ddb.TagResourceInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		rec, err := tableOfARN(c, v, *in.ResourceArn)
		if err != nil {
			return nil, err
		}
		if rec.Tags, err = mergeTags(rec.Tags, in.Tags); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, tables.Put(v, rec, rec.Name)
	})
}

func (s *Service) UntagResource(ctx context.Context, in *ddb.UntagResourceInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		rec, err := tableOfARN(c, v, *in.ResourceArn)
		if err != nil {
			return nil, err
		}
		rec.Tags = slices.DeleteFunc(rec.Tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return &awsmodel.Empty{}, tables.Put(v, rec, rec.Name)
	})
}

// ListTagsOfResource answers every tag in one page: a table has at most 50.
func (s *Service) ListTagsOfResource(ctx context.Context, in *ddb.ListTagsOfResourceInput) (*ddb.ListTagsOfResourceOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.ListTagsOfResourceOutput, error) {
		rec, err := tableOfARN(c, c.In(tx), *in.ResourceArn)
		if err != nil {
			return nil, err
		}
		out := &ddb.ListTagsOfResourceOutput{Tags: []ddb.Tag{}}
		for _, t := range rec.Tags {
			out.Tags = append(out.Tags, ddb.Tag{Key: new(t.Key), Value: new(t.Value)})
		}
		return out, nil
	})
}
