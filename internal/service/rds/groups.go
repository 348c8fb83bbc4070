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

type paramGroup struct{ Name, Family, Engine string }

type optionGroup struct{ Name, Engine, Major string }

var defaultParamGroups, defaultOptionGroups = func() ([]paramGroup, []optionGroup) {
	var pgs []paramGroup
	var ogs []optionGroup
	for _, name := range engineNames {
		e := engines[name]
		for _, v := range e.Versions {
			pg := paramGroup{defaultParameterGroup(v.Family), v.Family, e.Name}
			if !slices.Contains(pgs, pg) {
				pgs = append(pgs, pg)
			}
			og := optionGroup{defaultOptionGroup(e.Name, v.Major), e.Name, v.Major}
			if !slices.Contains(ogs, og) {
				ogs = append(ogs, og)
			}
		}
	}
	slices.SortFunc(pgs, func(a, b paramGroup) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(ogs, func(a, b optionGroup) int { return strings.Compare(a.Name, b.Name) })
	return pgs, ogs
}()

func familyOfParameterGroup(name string) (string, bool) {
	for _, pg := range defaultParamGroups {
		if pg.Name == name {
			return pg.Family, true
		}
	}
	return "", false
}

func optionGroupExists(name string) bool {
	return slices.ContainsFunc(defaultOptionGroups, func(og optionGroup) bool { return og.Name == name })
}

func groupARN(account, region, kind, name string) *string {
	return new(arn.New(partitionOf(region), serviceName, region, account, kind+":"+name))
}

func (s *Service) describeDBParameterGroups(ctx context.Context, in *rdsapi.DescribeDBParameterGroupsMessage) (*rdsapi.DBParameterGroupsMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	pg, err := s.describePage(c, "DescribeDBParameterGroups", in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	var list []*paramGroup
	for i := range defaultParamGroups {
		if in.DBParameterGroupName == nil || *in.DBParameterGroupName == defaultParamGroups[i].Name {
			list = append(list, &defaultParamGroups[i])
		}
	}
	if in.DBParameterGroupName != nil && len(list) == 0 {
		return nil, msgParamGroupNotFound.New(*in.DBParameterGroupName)
	}
	page, next := sortedCut(pg, list, func(g *paramGroup) string { return g.Name })
	out := &rdsapi.DBParameterGroupsMessage{DBParameterGroups: []rdsapi.DBParameterGroup{}, Marker: next}
	for _, g := range page {
		out.DBParameterGroups = append(out.DBParameterGroups, rdsapi.DBParameterGroup{
			DBParameterGroupName: new(g.Name), DBParameterGroupFamily: new(g.Family),
			Description: new(textDefaultParamGroup.with(g.Family)), DBParameterGroupArn: groupARN(c.Account, c.Region, "pg", g.Name),
		})
	}
	return out, nil
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
