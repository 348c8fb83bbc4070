package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
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

func groupARN(sc store.Scope, kind, name string) *string {
	return str("arn:" + partitionOf(sc.Region) + ":rds:" + sc.Region + ":" + sc.Account + ":" + kind + ":" + name)
}

func (s *Service) describeDBParameterGroups(ctx context.Context, in *rdsapi.DescribeDBParameterGroupsMessage) (*rdsapi.DBParameterGroupsMessage, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	if len(in.Filters) > 0 {
		return nil, invalidValue("DescribeDBParameterGroups does not support filters.")
	}
	size, from, err := pageArgs(in.MaxRecords, in.Marker)
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
		return nil, rdsapi.ErrDBParameterGroupNotFoundFault.New("DBParameterGroup not found: %s", *in.DBParameterGroupName)
	}
	page, next := pageOf(list, func(g *paramGroup) string { return g.Name }, from, size)
	out := &rdsapi.DBParameterGroupsMessage{DBParameterGroups: []rdsapi.DBParameterGroup{}, Marker: optStr(next)}
	for _, g := range page {
		out.DBParameterGroups = append(out.DBParameterGroups, rdsapi.DBParameterGroup{
			DBParameterGroupName: str(g.Name), DBParameterGroupFamily: str(g.Family),
			Description: str("Default parameter group for " + g.Family), DBParameterGroupArn: groupARN(sc, "pg", g.Name),
		})
	}
	return out, nil
}

func (s *Service) describeOptionGroups(ctx context.Context, in *rdsapi.DescribeOptionGroupsMessage) (*rdsapi.OptionGroups, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	if len(in.Filters) > 0 {
		return nil, invalidValue("DescribeOptionGroups does not support filters.")
	}
	if in.MajorEngineVersion != nil && in.EngineName == nil {
		return nil, invalidCombination("If MajorEngineVersion is supplied, EngineName must also be supplied.")
	}
	size, from, err := pageArgs(in.MaxRecords, in.Marker)
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
		return nil, rdsapi.ErrOptionGroupNotFoundFault.New("Specified OptionGroupName: %s not found.", *in.OptionGroupName)
	}
	page, next := pageOf(list, func(g *optionGroup) string { return g.Name }, from, size)
	out := &rdsapi.OptionGroups{OptionGroupsList: []rdsapi.OptionGroup{}, Marker: optStr(next)}
	for _, g := range page {
		out.OptionGroupsList = append(out.OptionGroupsList, rdsapi.OptionGroup{
			OptionGroupName: str(g.Name), OptionGroupDescription: str("Default option group for " + g.Engine + " " + g.Major),
			EngineName: str(g.Engine), MajorEngineVersion: str(g.Major), Options: []rdsapi.Option{},
			AllowsVpcAndNonVpcInstanceMemberships: boolp(true), OptionGroupArn: groupARN(sc, "og", g.Name),
		})
	}
	return out, nil
}

func (s *Service) describeDBSubnetGroups(ctx context.Context, in *rdsapi.DescribeDBSubnetGroupsMessage) (*rdsapi.DBSubnetGroupMessage, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	if len(in.Filters) > 0 {
		return nil, invalidValue("DescribeDBSubnetGroups does not support filters.")
	}
	if _, _, err := pageArgs(in.MaxRecords, in.Marker); err != nil {
		return nil, err
	}
	if name := deref(in.DBSubnetGroupName); name != "" && name != "default" {
		return nil, rdsapi.ErrDBSubnetGroupNotFoundFault.New("DBSubnetGroup '%s' not found.", name)
	}
	return &rdsapi.DBSubnetGroupMessage{DBSubnetGroups: []rdsapi.DBSubnetGroup{*subnetGroupOut(sc)}}, nil
}
