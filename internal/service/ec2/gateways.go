package ec2

import (
	"context"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

var gatewayKind = kindOfResource[gatewayRecord]{
	table: gateways, prefix: prefixGateway, idParam: "InternetGatewayId", notFound: msgGatewayNotFound, malformed: msgGatewayMalformed,
	id: func(r *gatewayRecord) string { return r.ID },
	fields: taggedFields(func(r *gatewayRecord, f fields) {
		f.add("attachment.state")
		if r.VpcID != "" {
			f.add("attachment.state", "available")
		}
	}),
}

func gatewayOut(v kit.View, g *gatewayRecord) ec2api.InternetGateway {
	out := ec2api.InternetGateway{InternetGatewayId: new(g.ID), OwnerId: new(g.Owner), Tags: tagsOfResource(v, g.ID), Attachments: []ec2api.InternetGatewayAttachment{}}
	if g.VpcID != "" {
		out.Attachments = append(out.Attachments, ec2api.InternetGatewayAttachment{VpcId: new(g.VpcID), State: new("available")})
	}
	return out
}

func (s *Service) CreateInternetGateway(ctx context.Context, in *ec2api.CreateInternetGatewayRequest) (*ec2api.CreateInternetGatewayResult, error) {
	c := s.Call(ctx)
	tags, err := specTags(in.TagSpecifications, "internet-gateway")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.CreateInternetGatewayResult, error) {
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		g := &gatewayRecord{ID: newID(prefixGateway), Owner: c.Account}
		if err := gateways.Put(v, g, g.ID); err != nil {
			return nil, err
		}
		if err := setTags(v, g.ID, tags); err != nil {
			return nil, err
		}
		return &ec2api.CreateInternetGatewayResult{InternetGateway: new(gatewayOut(v, g))}, nil
	})
}

func (s *Service) DescribeInternetGateways(ctx context.Context, in *ec2api.DescribeInternetGatewaysRequest) (*ec2api.DescribeInternetGatewaysResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeInternetGatewaysResult, error) {
		items, next, err := describeOut(s, v, gatewayKind, describeQuery{"DescribeInternetGateways", in.InternetGatewayIds, in.Filters, in.MaxResults, in.NextToken}, in.DryRun, gatewayOut)
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeInternetGatewaysResult{InternetGateways: items, NextToken: next}, nil
	})
}

func (s *Service) AttachInternetGateway(ctx context.Context, in *ec2api.AttachInternetGatewayRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		g, err := gatewayKind.get(v, *in.InternetGatewayId)
		if err != nil {
			return nil, err
		}
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		if g.VpcID != "" {
			return nil, msgGatewayAttached.New(g.ID, g.VpcID)
		}
		if has, err := anyOf(v, gateways, func(r *gatewayRecord) bool { return r.VpcID == vpc.ID }); err != nil || has {
			if err == nil {
				err = msgVpcHasGateway.New(vpc.ID)
			}
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		g.VpcID = vpc.ID
		return nil, gateways.Put(v, g, g.ID)
	})
}

func (s *Service) DetachInternetGateway(ctx context.Context, in *ec2api.DetachInternetGatewayRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		g, err := gatewayKind.get(v, *in.InternetGatewayId)
		if err != nil {
			return nil, err
		}
		if _, err := vpcKind.get(v, *in.VpcId); err != nil {
			return nil, err
		}
		if g.VpcID != *in.VpcId {
			return nil, msgGatewayNotAttached.New(g.ID, *in.VpcId)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		g.VpcID = ""
		return nil, gateways.Put(v, g, g.ID)
	})
}

func (s *Service) DeleteInternetGateway(ctx context.Context, in *ec2api.DeleteInternetGatewayRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		g, err := gatewayKind.get(v, *in.InternetGatewayId)
		if err != nil {
			return nil, err
		}
		if g.VpcID != "" {
			return nil, msgGatewayHasDependency.New(g.ID)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if err := gateways.Delete(v, g.ID); err != nil {
			return nil, err
		}
		return nil, tagSets.Delete(v, g.ID)
	})
}
