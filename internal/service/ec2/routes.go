package ec2

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// Route targets and origins.
const (
	targetGateway   = "GatewayId"
	targetInterface = "NetworkInterfaceId"
	originTable     = "CreateRouteTable"
	originRoute     = "CreateRoute"
	localTarget     = "local"
)

var tableKind = kindOfResource[routeTableRecord]{
	table: routeTables, prefix: prefixTable, idParam: "RouteTableId", notFound: msgTableNotFound, malformed: msgTableMalformed,
	id: func(r *routeTableRecord) string { return r.ID },
	fields: taggedFields(func(r *routeTableRecord, f fields) {
		for _, name := range []string{"association.route-table-association-id", "association.route-table-id", "association.subnet-id",
			"association.gateway-id", "association.main", "route.destination-cidr-block", "route.destination-ipv6-cidr-block",
			"route.destination-prefix-list-id", "route.gateway-id", "route.network-interface-id", "route.origin", "route.state"} {
			f.add(name)
		}
		for _, l := range r.Links {
			f.add("association.route-table-association-id", l.ID)
			f.add("association.route-table-id", r.ID)
			f.opt("association.subnet-id", l.SubnetID)
			f.opt("association.gateway-id", l.GatewayID)
			if l.Main {
				f.add("association.main", "true")
			}
		}
		for _, rt := range r.Routes {
			f.opt("route.destination-cidr-block", rt.Destination)
			f.opt("route.destination-ipv6-cidr-block", rt.DestinationIPv6)
			f.opt("route.destination-prefix-list-id", rt.PrefixList)
			f.add("route.origin", rt.Origin)
			if rt.TargetKind == targetGateway {
				f.add("route.gateway-id", rt.Target)
			} else {
				f.add("route.network-interface-id", rt.Target)
			}
		}
	}),
}

func (r *routeTableRecord) main() bool {
	return slices.ContainsFunc(r.Links, func(l tableLink) bool { return l.Main })
}

// dropLinks removes the links drop picks and returns how many are left.
func (r *routeTableRecord) dropLinks(drop func(tableLink) bool) int {
	r.Links = slices.DeleteFunc(r.Links, drop)
	return len(r.Links)
}

func (rt routeRec) key() string { return rt.Destination + rt.DestinationIPv6 + rt.PrefixList }

// routeState is "active" while the route's target exists (an internet gateway attached to
// the table's VPC, a network interface), else "blackhole".
func routeState(v kit.View, t *routeTableRecord, rt routeRec) string {
	switch {
	case rt.Target == localTarget:
		return "active"
	case rt.TargetKind == targetGateway:
		if g, _ := gateways.Get(v, rt.Target); g != nil && g.VpcID == t.VpcID {
			return "active"
		}
	case interfaces.Has(v, rt.Target):
		return "active"
	}
	return "blackhole"
}

func tableOut(v kit.View, t *routeTableRecord) ec2api.RouteTable {
	out := ec2api.RouteTable{
		RouteTableId: new(t.ID), VpcId: new(t.VpcID), OwnerId: new(t.Owner), Tags: tagsOfResource(v, t.ID),
		Associations: []ec2api.RouteTableAssociation{}, Routes: []ec2api.Route{}, PropagatingVgws: []ec2api.PropagatingVgw{},
	}
	for _, l := range t.Links {
		out.Associations = append(out.Associations, ec2api.RouteTableAssociation{
			RouteTableAssociationId: new(l.ID), RouteTableId: new(t.ID), Main: new(l.Main), SubnetId: optional(l.SubnetID),
			GatewayId: optional(l.GatewayID), AssociationState: &ec2api.RouteTableAssociationState{State: new(ec2api.RouteTableAssociationStateCodeAssociated)},
		})
	}
	for _, rt := range t.Routes {
		r := ec2api.Route{
			DestinationCidrBlock: optional(rt.Destination), DestinationIpv6CidrBlock: optional(rt.DestinationIPv6),
			DestinationPrefixListId: optional(rt.PrefixList), Origin: new(rt.Origin), State: new(routeState(v, t, rt)),
		}
		if rt.TargetKind == targetGateway {
			r.GatewayId = new(rt.Target)
		} else {
			r.NetworkInterfaceId = new(rt.Target)
		}
		out.Routes = append(out.Routes, r)
	}
	return out
}

// localRoutes are the routes of a VPC's own blocks, which every table of it has.
func localRoutes(vpc *vpcRecord) []routeRec {
	var out []routeRec
	for _, c := range vpc.Cidrs {
		out = append(out, routeRec{Destination: c.Block, TargetKind: targetGateway, Target: localTarget, Origin: originTable})
	}
	for _, c := range vpc.IPv6 {
		out = append(out, routeRec{DestinationIPv6: c.Block, TargetKind: targetGateway, Target: localTarget, Origin: originTable})
	}
	return out
}

func (s *Service) CreateRouteTable(ctx context.Context, in *ec2api.CreateRouteTableRequest) (*ec2api.CreateRouteTableResult, error) {
	c := s.Call(ctx)
	tags, err := specTags(in.TagSpecifications, "route-table")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.CreateRouteTableResult, error) {
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if in.ClientToken != nil {
			if t, err := tableByToken(v, *in.ClientToken, vpc.ID); err != nil || t != nil {
				if err != nil {
					return nil, err
				}
				return &ec2api.CreateRouteTableResult{RouteTable: new(tableOut(v, t)), ClientToken: in.ClientToken}, nil
			}
		}
		t := &routeTableRecord{ID: newID(prefixTable), Owner: c.Account, VpcID: vpc.ID, Routes: localRoutes(vpc), ClientToken: deref(in.ClientToken)}
		if err := routeTables.Put(v, t, t.ID); err != nil {
			return nil, err
		}
		if err := setTags(v, t.ID, tags); err != nil {
			return nil, err
		}
		return &ec2api.CreateRouteTableResult{RouteTable: new(tableOut(v, t)), ClientToken: in.ClientToken}, nil
	})
}

// tableByToken finds the table an earlier CreateRouteTable with the same client token
// made; the same token for another VPC is refused.
func tableByToken(v kit.View, token, vpcID string) (*routeTableRecord, error) {
	var found *routeTableRecord
	err := routeTables.Scan(v, func(r *routeTableRecord) bool {
		if r.ClientToken == token {
			found = r
		}
		return found == nil
	})
	if err == nil && found != nil && found.VpcID != vpcID {
		return nil, msgIdempotency.New(token)
	}
	return found, err
}

func (s *Service) DescribeRouteTables(ctx context.Context, in *ec2api.DescribeRouteTablesRequest) (*ec2api.DescribeRouteTablesResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeRouteTablesResult, error) {
		kind := tableKind
		kind.fields = func(r *routeTableRecord) fields {
			f := tableKind.fields(r)
			for _, rt := range r.Routes {
				f.add("route.state", routeState(v, r, rt))
			}
			return f
		}
		items, next, err := describeOut(s, v, kind, describeQuery{"DescribeRouteTables", in.RouteTableIds, in.Filters, in.MaxResults, in.NextToken}, in.DryRun, tableOut)
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeRouteTablesResult{RouteTables: items, NextToken: next}, nil
	})
}

func (s *Service) DeleteRouteTable(ctx context.Context, in *ec2api.DeleteRouteTableRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		t, err := tableKind.get(v, *in.RouteTableId)
		if err != nil {
			return nil, err
		}
		if len(t.Links) > 0 {
			return nil, msgTableHasDependencies.New(t.ID)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if err := routeTables.Delete(v, t.ID); err != nil {
			return nil, err
		}
		return nil, tagSets.Delete(v, t.ID)
	})
}

// routeOf builds the route a CreateRoute or ReplaceRoute asks for, checking its
// destination and its one target.
func routeOf(v kit.View, t *routeTableRecord, dest, dest6, prefixList *string, targets map[string]*string) (routeRec, error) {
	rt := routeRec{Destination: deref(dest), DestinationIPv6: deref(dest6), PrefixList: deref(prefixList), Origin: originRoute}
	if rt.key() == "" {
		return rt, msgRouteDestination.New()
	}
	if dest != nil {
		if _, ok := parseIPv4Block(*dest); !ok {
			return rt, msgRouteBadDestination.New(*dest)
		}
	}
	var kinds []string
	for k, p := range targets {
		if p != nil {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return rt, msgRouteTarget.New()
	}
	rt.TargetKind, rt.Target = kinds[0], *targets[kinds[0]]
	return rt, checkTarget(v, t, rt)
}

// checkTarget checks that a route's target exists and is of the table's VPC. xregion
// serves internet gateways and network interfaces; the other kinds of target cannot
// exist here.
func checkTarget(v kit.View, t *routeTableRecord, rt routeRec) error {
	switch rt.TargetKind {
	case targetGateway:
		g, err := gatewayKind.get(v, rt.Target)
		if err != nil {
			return err
		}
		if g.VpcID != t.VpcID {
			return msgRouteGatewayVpc.New(t.ID, g.ID)
		}
	case targetInterface:
		e, err := interfaceKind.get(v, rt.Target)
		if err != nil {
			return err
		}
		if e.VpcID != t.VpcID {
			return msgInterfaceNotInVpc.New(t.ID, e.ID)
		}
	default:
		return msgUnknownRouteTarget.New(rt.Target)
	}
	return nil
}

func createTargets(in *ec2api.CreateRouteRequest) map[string]*string {
	return map[string]*string{
		targetGateway: in.GatewayId, targetInterface: in.NetworkInterfaceId, "NatGatewayId": in.NatGatewayId,
		"TransitGatewayId": in.TransitGatewayId, "VpcPeeringConnectionId": in.VpcPeeringConnectionId,
		"EgressOnlyInternetGatewayId": in.EgressOnlyInternetGatewayId, "InstanceId": in.InstanceId,
		"LocalGatewayId": in.LocalGatewayId, "CarrierGatewayId": in.CarrierGatewayId, "VpcEndpointId": in.VpcEndpointId,
		"CoreNetworkArn": in.CoreNetworkArn, "OdbNetworkArn": in.OdbNetworkArn,
	}
}

func (s *Service) CreateRoute(ctx context.Context, in *ec2api.CreateRouteRequest) (*ec2api.CreateRouteResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.CreateRouteResult, error) {
		t, err := tableKind.get(v, *in.RouteTableId)
		if err != nil {
			return nil, err
		}
		rt, err := routeOf(v, t, in.DestinationCidrBlock, in.DestinationIpv6CidrBlock, in.DestinationPrefixListId, createTargets(in))
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(t.Routes, func(r routeRec) bool { return r.key() == rt.key() }) {
			return nil, msgRouteExists.New(rt.key())
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		t.Routes = append(t.Routes, rt)
		return &ec2api.CreateRouteResult{Return: new(true)}, routeTables.Put(v, t, t.ID)
	})
}

// routeIndex finds a table's route to a destination.
func routeIndex(t *routeTableRecord, dest, dest6, prefixList *string) (int, string, error) {
	key := deref(dest) + deref(dest6) + deref(prefixList)
	if key == "" {
		return 0, "", msgRouteDestination.New()
	}
	return slices.IndexFunc(t.Routes, func(r routeRec) bool { return r.key() == key }), key, nil
}

func (s *Service) DeleteRoute(ctx context.Context, in *ec2api.DeleteRouteRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		t, err := tableKind.get(v, *in.RouteTableId)
		if err != nil {
			return nil, err
		}
		i, key, err := routeIndex(t, in.DestinationCidrBlock, in.DestinationIpv6CidrBlock, in.DestinationPrefixListId)
		switch {
		case err != nil:
			return nil, err
		case i < 0:
			return nil, msgRouteNotFound.New(key, t.ID)
		case t.Routes[i].Target == localTarget:
			return nil, msgRouteLocal.New(key)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		t.Routes = slices.Delete(t.Routes, i, i+1)
		return nil, routeTables.Put(v, t, t.ID)
	})
}

func (s *Service) ReplaceRoute(ctx context.Context, in *ec2api.ReplaceRouteRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		t, err := tableKind.get(v, *in.RouteTableId)
		if err != nil {
			return nil, err
		}
		i, key, err := routeIndex(t, in.DestinationCidrBlock, in.DestinationIpv6CidrBlock, in.DestinationPrefixListId)
		if err != nil {
			return nil, err
		}
		if i < 0 {
			return nil, msgReplaceMissing.New(key)
		}
		var rt routeRec
		if deref(in.LocalTarget) {
			rt = routeRec{Destination: t.Routes[i].Destination, DestinationIPv6: t.Routes[i].DestinationIPv6, TargetKind: targetGateway, Target: localTarget}
		} else {
			targets := createTargets(&ec2api.CreateRouteRequest{GatewayId: in.GatewayId, NetworkInterfaceId: in.NetworkInterfaceId,
				NatGatewayId: in.NatGatewayId, TransitGatewayId: in.TransitGatewayId, VpcPeeringConnectionId: in.VpcPeeringConnectionId,
				EgressOnlyInternetGatewayId: in.EgressOnlyInternetGatewayId, InstanceId: in.InstanceId, LocalGatewayId: in.LocalGatewayId,
				CarrierGatewayId: in.CarrierGatewayId, VpcEndpointId: in.VpcEndpointId, CoreNetworkArn: in.CoreNetworkArn, OdbNetworkArn: in.OdbNetworkArn})
			if rt, err = routeOf(v, t, in.DestinationCidrBlock, in.DestinationIpv6CidrBlock, in.DestinationPrefixListId, targets); err != nil {
				return nil, err
			}
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		rt.Origin = t.Routes[i].Origin
		t.Routes[i] = rt
		return nil, routeTables.Put(v, t, t.ID)
	})
}
