package rds

import (
	"context"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// The parameter group operations: each is a thin translation between the API's shapes,
// which differ for DB and DB cluster parameter groups, and the rules of paramgroups.go.

func (s *Service) CreateDBParameterGroup(ctx context.Context, in *rdsapi.CreateDBParameterGroupMessage) (*rdsapi.CreateDBParameterGroupResult, error) {
	g, err := s.createParamGroup(ctx, dbParams, *in.DBParameterGroupName, *in.DBParameterGroupFamily, *in.Description, in.Tags)
	if err != nil {
		return nil, err
	}
	return &rdsapi.CreateDBParameterGroupResult{DBParameterGroup: new(dbParamGroupOut(s.Call(ctx), g))}, nil
}

func (s *Service) CreateDBClusterParameterGroup(ctx context.Context, in *rdsapi.CreateDBClusterParameterGroupMessage) (*rdsapi.CreateDBClusterParameterGroupResult, error) {
	g, err := s.createParamGroup(ctx, clusterParams, *in.DBClusterParameterGroupName, *in.DBParameterGroupFamily, *in.Description, in.Tags)
	if err != nil {
		return nil, err
	}
	return &rdsapi.CreateDBClusterParameterGroupResult{DBClusterParameterGroup: new(clusterParamGroupOut(s.Call(ctx), g))}, nil
}

func (s *Service) createParamGroup(ctx context.Context, k paramGroupKind, name, family, description string, tags []rdsapi.Tag) (*paramGroupRec, error) {
	return s.newParamGroup(ctx, tags, func(v kit.View, t []tagRec) (*paramGroupRec, error) {
		return k.create(v, name, family, description, t)
	})
}

// newParamGroup checks the tags of a group a create or copy makes, and makes it with
// them in one transaction.
func (s *Service) newParamGroup(ctx context.Context, tags []rdsapi.Tag, make func(v kit.View, t []tagRec) (*paramGroupRec, error)) (*paramGroupRec, error) {
	c := s.Call(ctx)
	t, err := checkTags(tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*paramGroupRec, error) {
		return make(c.In(tx), t)
	})
}

func (s *Service) CopyDBParameterGroup(ctx context.Context, in *rdsapi.CopyDBParameterGroupMessage) (*rdsapi.CopyDBParameterGroupResult, error) {
	g, err := s.copyParamGroup(ctx, dbParams, *in.SourceDBParameterGroupIdentifier, *in.TargetDBParameterGroupIdentifier, *in.TargetDBParameterGroupDescription, in.Tags)
	if err != nil {
		return nil, err
	}
	return &rdsapi.CopyDBParameterGroupResult{DBParameterGroup: new(dbParamGroupOut(s.Call(ctx), g))}, nil
}

func (s *Service) CopyDBClusterParameterGroup(ctx context.Context, in *rdsapi.CopyDBClusterParameterGroupMessage) (*rdsapi.CopyDBClusterParameterGroupResult, error) {
	g, err := s.copyParamGroup(ctx, clusterParams, *in.SourceDBClusterParameterGroupIdentifier, *in.TargetDBClusterParameterGroupIdentifier, *in.TargetDBClusterParameterGroupDescription, in.Tags)
	if err != nil {
		return nil, err
	}
	return &rdsapi.CopyDBClusterParameterGroupResult{DBClusterParameterGroup: new(clusterParamGroupOut(s.Call(ctx), g))}, nil
}

func (s *Service) copyParamGroup(ctx context.Context, k paramGroupKind, source, target, description string, tags []rdsapi.Tag) (*paramGroupRec, error) {
	return s.newParamGroup(ctx, tags, func(v kit.View, t []tagRec) (*paramGroupRec, error) {
		return k.copyGroup(v, source, target, description, t)
	})
}

func (s *Service) ModifyDBParameterGroup(ctx context.Context, in *rdsapi.ModifyDBParameterGroupMessage) (*rdsapi.DBParameterGroupNameMessage, error) {
	name, err := s.changeParamGroup(ctx, dbParams, *in.DBParameterGroupName, func(tx kit.Tx, v kit.View) error {
		return dbParams.modify(s, tx, v, *in.DBParameterGroupName, in.Parameters)
	})
	return &rdsapi.DBParameterGroupNameMessage{DBParameterGroupName: name}, err
}

func (s *Service) ModifyDBClusterParameterGroup(ctx context.Context, in *rdsapi.ModifyDBClusterParameterGroupMessage) (*rdsapi.DBClusterParameterGroupNameMessage, error) {
	name, err := s.changeParamGroup(ctx, clusterParams, *in.DBClusterParameterGroupName, func(tx kit.Tx, v kit.View) error {
		return clusterParams.modify(s, tx, v, *in.DBClusterParameterGroupName, in.Parameters)
	})
	return &rdsapi.DBClusterParameterGroupNameMessage{DBClusterParameterGroupName: name}, err
}

func (s *Service) ResetDBParameterGroup(ctx context.Context, in *rdsapi.ResetDBParameterGroupMessage) (*rdsapi.DBParameterGroupNameMessage, error) {
	name, err := s.changeParamGroup(ctx, dbParams, *in.DBParameterGroupName, func(tx kit.Tx, v kit.View) error {
		return dbParams.reset(s, tx, v, *in.DBParameterGroupName, deref(in.ResetAllParameters), in.Parameters)
	})
	return &rdsapi.DBParameterGroupNameMessage{DBParameterGroupName: name}, err
}

func (s *Service) ResetDBClusterParameterGroup(ctx context.Context, in *rdsapi.ResetDBClusterParameterGroupMessage) (*rdsapi.DBClusterParameterGroupNameMessage, error) {
	name, err := s.changeParamGroup(ctx, clusterParams, *in.DBClusterParameterGroupName, func(tx kit.Tx, v kit.View) error {
		return clusterParams.reset(s, tx, v, *in.DBClusterParameterGroupName, deref(in.ResetAllParameters), in.Parameters)
	})
	return &rdsapi.DBClusterParameterGroupNameMessage{DBClusterParameterGroupName: name}, err
}

// changeParamGroup runs a change of a group and answers the group's name as RDS keeps
// it.
func (s *Service) changeParamGroup(ctx context.Context, k paramGroupKind, name string, change func(tx kit.Tx, v kit.View) error) (*string, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*string, error) {
		v := c.In(tx)
		if err := change(tx, v); err != nil {
			return nil, err
		}
		g, err := k.find(v, name)
		if err != nil {
			return nil, err
		}
		return new(g.Name), nil
	})
}

func (s *Service) DeleteDBParameterGroup(ctx context.Context, in *rdsapi.DeleteDBParameterGroupMessage) (*awsmodel.Empty, error) {
	return s.deleteParamGroup(ctx, dbParams, *in.DBParameterGroupName)
}

func (s *Service) DeleteDBClusterParameterGroup(ctx context.Context, in *rdsapi.DeleteDBClusterParameterGroupMessage) (*awsmodel.Empty, error) {
	return s.deleteParamGroup(ctx, clusterParams, *in.DBClusterParameterGroupName)
}

func (s *Service) deleteParamGroup(ctx context.Context, k paramGroupKind, name string) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		return &awsmodel.Empty{}, k.delete(c.In(tx), name)
	})
}

func (s *Service) DescribeDBParameterGroups(ctx context.Context, in *rdsapi.DescribeDBParameterGroupsMessage) (*rdsapi.DBParameterGroupsMessage, error) {
	c := s.Call(ctx)
	page, next, err := s.describeParamGroups(c, dbParams, in.DBParameterGroupName, in.Filters, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	out := &rdsapi.DBParameterGroupsMessage{DBParameterGroups: []rdsapi.DBParameterGroup{}, Marker: next}
	for _, g := range page {
		out.DBParameterGroups = append(out.DBParameterGroups, dbParamGroupOut(c, g))
	}
	return out, nil
}

func (s *Service) DescribeDBClusterParameterGroups(ctx context.Context, in *rdsapi.DescribeDBClusterParameterGroupsMessage) (*rdsapi.DBClusterParameterGroupsMessage, error) {
	c := s.Call(ctx)
	page, next, err := s.describeParamGroups(c, clusterParams, in.DBClusterParameterGroupName, in.Filters, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	out := &rdsapi.DBClusterParameterGroupsMessage{DBClusterParameterGroups: []rdsapi.DBClusterParameterGroup{}, Marker: next}
	for _, g := range page {
		out.DBClusterParameterGroups = append(out.DBClusterParameterGroups, clusterParamGroupOut(c, g))
	}
	return out, nil
}

// describeParamGroups answers the page of groups a describe asks for: one group by name
// (its NotFound fault when there is none), or all of them.
func (s *Service) describeParamGroups(c kit.Call, k paramGroupKind, name *string, filters []rdsapi.Filter, max *int64, marker *string) ([]*paramGroupRec, *string, error) {
	if len(filters) > 0 {
		return nil, nil, msgNoFilters.New(c.Operation)
	}
	pg, err := s.describePage(c, c.Operation, max, marker)
	if err != nil {
		return nil, nil, err
	}
	type result struct {
		page []*paramGroupRec
		next *string
	}
	r, err := kit.Read(s.Kit, func(tx kit.Tx) (result, error) {
		v := c.In(tx)
		if name != nil {
			g, err := k.find(v, *name)
			if err != nil {
				return result{}, err
			}
			return result{page: []*paramGroupRec{g}}, nil
		}
		list, err := k.list(v)
		if err != nil {
			return result{}, err
		}
		page, next := cut(pg, list, func(g *paramGroupRec) string { return g.Name })
		return result{page, next}, nil
	})
	return r.page, r.next, err
}

func (s *Service) DescribeDBParameters(ctx context.Context, in *rdsapi.DescribeDBParametersMessage) (*rdsapi.DBParameterGroupDetails, error) {
	params, next, err := s.describeParams(ctx, dbParams, *in.DBParameterGroupName, in.Source, in.Filters, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return &rdsapi.DBParameterGroupDetails{Parameters: params, Marker: next}, nil
}

func (s *Service) DescribeDBClusterParameters(ctx context.Context, in *rdsapi.DescribeDBClusterParametersMessage) (*rdsapi.DBClusterParameterGroupDetails, error) {
	params, next, err := s.describeParams(ctx, clusterParams, *in.DBClusterParameterGroupName, in.Source, in.Filters, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return &rdsapi.DBClusterParameterGroupDetails{Parameters: params, Marker: next}, nil
}

func (s *Service) describeParams(ctx context.Context, k paramGroupKind, name string, source *string, filters []rdsapi.Filter, max *int64, marker *string) ([]rdsapi.Parameter, *string, error) {
	c := s.Call(ctx)
	if len(filters) > 0 {
		return nil, nil, msgNoFilters.New(c.Operation)
	}
	src := deref(source)
	switch src {
	case "", sourceUser, sourceSystem, sourceEngine:
	default:
		return nil, nil, msgParamSource.New(src)
	}
	pg, err := s.openPage(kit.List{Op: c.Operation, Account: c.Account, Region: c.Region, Within: name}, max, marker, 20, 100, 100)
	if err != nil {
		return nil, nil, err
	}
	g, err := kit.Read(s.Kit, func(tx kit.Tx) (*paramGroupRec, error) { return k.find(c.In(tx), name) })
	if err != nil {
		return nil, nil, err
	}
	page, next := cut(pg, k.parameters(g, src), paramName)
	return orEmpty(page), next, nil
}

func (s *Service) DescribeEngineDefaultParameters(ctx context.Context, in *rdsapi.DescribeEngineDefaultParametersMessage) (*rdsapi.DescribeEngineDefaultParametersResult, error) {
	d, err := s.engineDefaults(ctx, dbParams, *in.DBParameterGroupFamily, in.Filters, in.MaxRecords, in.Marker)
	return &rdsapi.DescribeEngineDefaultParametersResult{EngineDefaults: d}, err
}

func (s *Service) DescribeEngineDefaultClusterParameters(ctx context.Context, in *rdsapi.DescribeEngineDefaultClusterParametersMessage) (*rdsapi.DescribeEngineDefaultClusterParametersResult, error) {
	d, err := s.engineDefaults(ctx, clusterParams, *in.DBParameterGroupFamily, in.Filters, in.MaxRecords, in.Marker)
	return &rdsapi.DescribeEngineDefaultClusterParametersResult{EngineDefaults: d}, err
}

func (s *Service) engineDefaults(ctx context.Context, k paramGroupKind, family string, filters []rdsapi.Filter, max *int64, marker *string) (*rdsapi.EngineDefaults, error) {
	c := s.Call(ctx)
	if len(filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	fam, ok := k.family(family)
	if !ok {
		return nil, msgParamGroupBadFamily.New(family)
	}
	pg, err := s.openPage(kit.List{Op: c.Operation, Account: c.Account, Region: c.Region, Within: family}, max, marker, 20, 100, 100)
	if err != nil {
		return nil, err
	}
	var all []rdsapi.Parameter
	for _, d := range fam.defs(k.cluster) {
		all = append(all, paramOut(d))
	}
	page, next := cut(pg, all, paramName)
	return &rdsapi.EngineDefaults{DBParameterGroupFamily: new(family), Parameters: orEmpty(page), Marker: next}, nil
}

func paramName(p rdsapi.Parameter) string { return *p.ParameterName }

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func dbParamGroupOut(c kit.Call, g *paramGroupRec) rdsapi.DBParameterGroup {
	return rdsapi.DBParameterGroup{
		DBParameterGroupName: new(g.Name), DBParameterGroupFamily: new(g.Family), Description: new(g.Description),
		DBParameterGroupArn: groupARN(c.Account, c.Region, dbParams.arnKind, g.Name),
	}
}

func clusterParamGroupOut(c kit.Call, g *paramGroupRec) rdsapi.DBClusterParameterGroup {
	return rdsapi.DBClusterParameterGroup{
		DBClusterParameterGroupName: new(g.Name), DBParameterGroupFamily: new(g.Family), Description: new(g.Description),
		DBClusterParameterGroupArn: groupARN(c.Account, c.Region, clusterParams.arnKind, g.Name),
	}
}
