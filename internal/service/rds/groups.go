package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// The default DB parameter groups, option groups and DB subnet group exist in every
// account and Region without being created, as on AWS; they are derived from the engine
// table, not stored. xregion serves no operation that creates other groups: those answer
// an error naming the operation, and naming another group is its NotFound fault.

type optionGroup struct{ Name, Engine, Major string }

var defaultOptionGroups = func() []optionGroup {
	var ogs []optionGroup
	for _, name := range engineNames {
		e := engines[name]
		for _, v := range e.Versions {
			og := optionGroup{defaultOptionGroup(e.Name, v.Major), e.Name, v.Major}
			if !slices.Contains(ogs, og) {
				ogs = append(ogs, og)
			}
		}
	}
	slices.SortFunc(ogs, func(a, b optionGroup) int { return strings.Compare(a.Name, b.Name) })
	return ogs
}()

func optionGroupExists(name string) bool {
	return slices.ContainsFunc(defaultOptionGroups, func(og optionGroup) bool { return og.Name == name })
}

func groupARN(account, region, kind, name string) *string {
	return new(arn.New(partitionOf(region), serviceName, region, account, kind+":"+name))
}

func (s *Service) describeOptionGroups(ctx context.Context, in *rdsapi.DescribeOptionGroupsMessage) (*rdsapi.OptionGroups, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	if in.MajorEngineVersion != nil && in.EngineName == nil {
		return nil, msgMajorNeedsEngineName.New()
	}
	pg, err := s.describePage(c, "DescribeOptionGroups", in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	var list []*optionGroup
	for i := range defaultOptionGroups {
		g := &defaultOptionGroups[i]
		if (in.OptionGroupName == nil || *in.OptionGroupName == g.Name) && (in.EngineName == nil || *in.EngineName == g.Engine) &&
			(in.MajorEngineVersion == nil || *in.MajorEngineVersion == g.Major) {
			list = append(list, g)
		}
	}
	if in.OptionGroupName != nil && len(list) == 0 {
		return nil, msgOptionGroupNotFound.New(*in.OptionGroupName)
	}
	page, next := sortedCut(pg, list, func(g *optionGroup) string { return g.Name })
	out := &rdsapi.OptionGroups{OptionGroupsList: []rdsapi.OptionGroup{}, Marker: next}
	for _, g := range page {
		out.OptionGroupsList = append(out.OptionGroupsList, rdsapi.OptionGroup{
			OptionGroupName: new(g.Name), OptionGroupDescription: new(textDefaultOptionGroup.with(g.Engine, g.Major)),
			EngineName: new(g.Engine), MajorEngineVersion: new(g.Major), Options: []rdsapi.Option{},
			AllowsVpcAndNonVpcInstanceMemberships: new(true), OptionGroupArn: groupARN(c.Account, c.Region, "og", g.Name),
		})
	}
	return out, nil
}

func (s *Service) describeDBSubnetGroups(ctx context.Context, in *rdsapi.DescribeDBSubnetGroupsMessage) (*rdsapi.DBSubnetGroupMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	if _, err := s.describePage(c, "DescribeDBSubnetGroups", in.MaxRecords, in.Marker); err != nil {
		return nil, err
	}
	if name := deref(in.DBSubnetGroupName); name != "" && name != "default" {
		return nil, msgSubnetGroupNotFound.New(name)
	}
	return &rdsapi.DBSubnetGroupMessage{DBSubnetGroups: []rdsapi.DBSubnetGroup{*subnetGroupOut(c.Account, c.Region)}}, nil
}
