package rds

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// DB security groups belong to EC2-Classic, which AWS retired on August 15, 2022. Every
// account is VPC-only now, and there RDS answers the calls as it has always answered
// them in such accounts: CreateDBSecurityGroup makes a VPC DB security group in the
// Region's default VPC, which can be described, tagged and deleted, but which the
// ingress calls cannot change ("VPC DB Security Groups cannot be modified with this API
// version", as quoted in users' reports) and which no DB instance can use (CreateDBInstance
// refuses DBSecurityGroups, msgDBSecurityGroupsVPC). There is no "default" DB security
// group in a VPC-only account.

const (
	quotaDBSecurityGroups = 25 // RDS User Guide, "Quotas in Amazon RDS"
	countDBSecurityGroups = "db-security-groups"
	maxDBSecurityGroup    = 255
	paramDBSecurityGroup  = "DBSecurityGroupName"
)

type dbSecurityGroupRec struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []tagRec `json:"tags,omitempty"`
}

var dbSecurityGroups = kit.Table[dbSecurityGroupRec]{Kind: "secgrp"} // secgrp/<name>

func findDBSecurityGroup(v kit.View, name string) (*dbSecurityGroupRec, error) {
	g, err := dbSecurityGroups.Get(v, strings.ToLower(name))
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, msgDBSecurityGroupNotFound.New(name)
	}
	return g, nil
}

func (s *Service) CreateDBSecurityGroup(ctx context.Context, in *rdsapi.CreateDBSecurityGroupMessage) (*rdsapi.CreateDBSecurityGroupResult, error) {
	c := s.Call(ctx)
	name := *in.DBSecurityGroupName
	if !validIdentifier(name, maxDBSecurityGroup) || strings.EqualFold(name, "default") {
		return nil, msgInvalidIdentifier.New(paramDBSecurityGroup)
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBSecurityGroupResult, error) {
		v := c.In(tx)
		g := &dbSecurityGroupRec{Name: strings.ToLower(name), Description: *in.DBSecurityGroupDescription, Tags: tags}
		if dbSecurityGroups.Has(v, g.Name) {
			return nil, msgDBSecurityGroupExists.New(g.Name)
		}
		n, err := getCount(v, countDBSecurityGroups)
		if err != nil {
			return nil, err
		}
		if n >= quotaDBSecurityGroups {
			return nil, msgDBSecurityGroupQuota.New(quotaDBSecurityGroups)
		}
		if err := addCount(v, countDBSecurityGroups, 1); err != nil {
			return nil, err
		}
		return &rdsapi.CreateDBSecurityGroupResult{DBSecurityGroup: new(dbSecurityGroupOut(v, g))}, dbSecurityGroups.Put(v, g, g.Name)
	})
}

func (s *Service) DescribeDBSecurityGroups(ctx context.Context, in *rdsapi.DescribeDBSecurityGroupsMessage) (*rdsapi.DBSecurityGroupMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	pg, err := s.describePage(c, c.Operation, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBSecurityGroupMessage, error) {
		v := c.In(tx)
		var list []*dbSecurityGroupRec
		if in.DBSecurityGroupName != nil {
			g, err := findDBSecurityGroup(v, *in.DBSecurityGroupName)
			if err != nil {
				return nil, err
			}
			list = []*dbSecurityGroupRec{g}
		} else if list, err = dbSecurityGroups.List(v); err != nil {
			return nil, err
		}
		page, next := cut(pg, list, func(g *dbSecurityGroupRec) string { return g.Name })
		out := &rdsapi.DBSecurityGroupMessage{DBSecurityGroups: []rdsapi.DBSecurityGroup{}, Marker: next}
		for _, g := range page {
			out.DBSecurityGroups = append(out.DBSecurityGroups, dbSecurityGroupOut(v, g))
		}
		return out, nil
	})
}

func (s *Service) DeleteDBSecurityGroup(ctx context.Context, in *rdsapi.DeleteDBSecurityGroupMessage) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		g, err := findDBSecurityGroup(v, *in.DBSecurityGroupName)
		if err != nil {
			return nil, err
		}
		if err := addCount(v, countDBSecurityGroups, -1); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, dbSecurityGroups.Delete(v, g.Name)
	})
}

func (s *Service) AuthorizeDBSecurityGroupIngress(ctx context.Context, in *rdsapi.AuthorizeDBSecurityGroupIngressMessage) (*rdsapi.AuthorizeDBSecurityGroupIngressResult, error) {
	return nil, s.refuseIngress(ctx, *in.DBSecurityGroupName)
}

func (s *Service) RevokeDBSecurityGroupIngress(ctx context.Context, in *rdsapi.RevokeDBSecurityGroupIngressMessage) (*rdsapi.RevokeDBSecurityGroupIngressResult, error) {
	return nil, s.refuseIngress(ctx, *in.DBSecurityGroupName)
}

// refuseIngress answers the ingress calls: a group that is not there is its NotFound
// fault, one that is cannot be modified.
func (s *Service) refuseIngress(ctx context.Context, name string) error {
	c := s.Call(ctx)
	_, err := kit.Read(s.Kit, func(tx kit.Tx) (*dbSecurityGroupRec, error) { return findDBSecurityGroup(c.In(tx), name) })
	if err != nil {
		return err
	}
	return msgVPCDBSecurityGroup.New()
}

func dbSecurityGroupOut(v kit.View, g *dbSecurityGroupRec) rdsapi.DBSecurityGroup {
	return rdsapi.DBSecurityGroup{
		OwnerId: new(v.Account()), DBSecurityGroupName: new(g.Name), DBSecurityGroupDescription: new(g.Description),
		VpcId: new(defaultVPC(v.Account(), v.Region())), EC2SecurityGroups: []rdsapi.EC2SecurityGroup{}, IPRanges: []rdsapi.IPRange{},
		DBSecurityGroupArn: groupARN(v.Account(), v.Region(), "secgrp", g.Name),
	}
}
