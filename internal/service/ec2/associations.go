package ec2

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

var associated = &ec2api.RouteTableAssociationState{State: new(ec2api.RouteTableAssociationStateCodeAssociated)}

func (s *Service) AssociateRouteTable(ctx context.Context, in *ec2api.AssociateRouteTableRequest) (*ec2api.AssociateRouteTableResult, error) {
	c := s.Call(ctx)
	if in.PublicIpv4Pool != nil {
		return nil, msgUnsupportedOption.New(paramPublicIpv4Pool)
	}
	if (in.SubnetId == nil) == (in.GatewayId == nil) {
		return nil, msgAssociateTarget.New()
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.AssociateRouteTableResult, error) {
		t, err := tableKind.get(v, *in.RouteTableId)
		if err != nil {
			return nil, err
		}
		link, err := newTableLink(v, t, in.SubnetId, in.GatewayId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		t.Links = append(t.Links, link)
		return &ec2api.AssociateRouteTableResult{AssociationId: new(link.ID), AssociationState: associated}, routeTables.Put(v, t, t.ID)
	})
}

// newTableLink checks that a subnet or a gateway can be associated with a table: it is
// of the table's VPC and has no explicit association yet.
func newTableLink(v kit.View, t *routeTableRecord, subnetID, gatewayID *string) (tableLink, error) {
	link := tableLink{ID: newID(prefixTableLink), SubnetID: deref(subnetID), GatewayID: deref(gatewayID)}
	vpcID, target := "", ""
	if subnetID != nil {
		sub, err := subnetKind.get(v, *subnetID)
		if err != nil {
			return link, err
		}
		vpcID, target = sub.VpcID, sub.ID
	} else {
		g, err := gatewayKind.get(v, *gatewayID)
		if err != nil {
			return link, err
		}
		vpcID, target = g.VpcID, g.ID
	}
	if vpcID != t.VpcID {
		return link, msgAssociateOtherVpc.New(t.ID, target)
	}
	taken, err := anyOf(v, routeTables, func(r *routeTableRecord) bool {
		return slices.ContainsFunc(r.Links, func(l tableLink) bool {
			return l.SubnetID == target && target != "" || l.GatewayID == target && target != ""
		})
	})
	if err == nil && taken {
		err = msgSubnetAssociated.New(t.ID)
	}
	return link, err
}

// linkByID finds the table that holds an association.
func linkByID(v kit.View, id string) (*routeTableRecord, int, error) {
	var table *routeTableRecord
	at := -1
	err := routeTables.Scan(v, func(r *routeTableRecord) bool {
		if i := slices.IndexFunc(r.Links, func(l tableLink) bool { return l.ID == id }); i >= 0 {
			table, at = r, i
		}
		return table == nil
	})
	if err == nil && table == nil {
		err = msgAssocNotFound.New(id)
	}
	return table, at, err
}

func (s *Service) DisassociateRouteTable(ctx context.Context, in *ec2api.DisassociateRouteTableRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		t, i, err := linkByID(v, *in.AssociationId)
		if err != nil {
			return nil, err
		}
		if t.Links[i].Main {
			return nil, msgDisassociateMain.New(*in.AssociationId)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		t.Links = slices.Delete(t.Links, i, i+1)
		return nil, routeTables.Put(v, t, t.ID)
	})
}

// ReplaceRouteTableAssociation moves an association to another table of the VPC: for
// the main association, that table becomes the VPC's main table.
func (s *Service) ReplaceRouteTableAssociation(ctx context.Context, in *ec2api.ReplaceRouteTableAssociationRequest) (*ec2api.ReplaceRouteTableAssociationResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.ReplaceRouteTableAssociationResult, error) {
		from, i, err := linkByID(v, *in.AssociationId)
		if err != nil {
			return nil, err
		}
		to, err := tableKind.get(v, *in.RouteTableId)
		if err != nil {
			return nil, err
		}
		if to.VpcID != from.VpcID {
			return nil, msgAssociateOtherVpc.New(to.ID, from.VpcID)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		link := from.Links[i]
		link.ID = newID(prefixTableLink)
		from.Links = slices.Delete(from.Links, i, i+1)
		if err := routeTables.Put(v, from, from.ID); err != nil {
			return nil, err
		}
		if from.ID == to.ID {
			to = from
		}
		to.Links = append(to.Links, link)
		return &ec2api.ReplaceRouteTableAssociationResult{NewAssociationId: new(link.ID), AssociationState: associated}, routeTables.Put(v, to, to.ID)
	})
}
