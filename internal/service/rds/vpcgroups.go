package rds

import (
	"errors"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// VPC security groups of instances and clusters, checked against EC2 (port.Network, which
// the DB subnet groups already stand on): each group a request names must exist in the
// account and Region and be in the VPC of the DB subnet group the instance or cluster is
// in. A request that names none gets the VPC's default security group, as RDS gives it.

// vpcSecurityGroups returns the security groups ids names once checked against the VPC
// vpcID: ids itself, or the VPC's default group when ids is none (or is the placeholder a
// new instance starts with).
func (s *Service) vpcSecurityGroups(tx kit.Tx, v kit.View, vpcID string, ids []string) ([]string, error) {
	if s.network == nil {
		return ids, nil // no EC2 in this server: the ids stay as given
	}
	if len(ids) == 0 || slices.Equal(ids, []string{defaultSecurityGroup(v.Account(), v.Region())}) {
		sg, err := s.network.DefaultSecurityGroup(tx, v.Account(), v.Region(), vpcID)
		if err != nil {
			return nil, err
		}
		return []string{sg.ID}, nil
	}
	groups, err := s.network.SecurityGroups(tx, v.Account(), v.Region(), ids)
	if errors.Is(err, port.ErrSecurityGroupNotFound) {
		id, _ := port.MissingID(err)
		return nil, msgSecurityGroupNotFound.New(id)
	}
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.VpcID != vpcID {
			return nil, msgSecurityGroupVPC.New(vpcID, g.ID, g.VpcID)
		}
	}
	return ids, nil
}

// subnetGroupVPC is the VPC of the DB subnet group name (the default one included); a
// group that does not exist is DBSubnetGroupNotFoundFault.
func (s *Service) subnetGroupVPC(tx kit.Tx, v kit.View, name string) (string, error) {
	g, err := s.subnetGroup(tx, v, name)
	if err != nil {
		return "", err
	}
	return g.VpcID, nil
}

// subnetGroup finds the DB subnet group name, the default one included.
func (s *Service) subnetGroup(tx kit.Tx, v kit.View, name string) (*subnetGroupRec, error) {
	var g *subnetGroupRec
	var err error
	if strings.EqualFold(name, defaultSubnetGroup) {
		g, err = s.defaultSubnetGroup(tx, v)
	} else {
		g, err = subnetGroups.Get(v, strings.ToLower(name))
	}
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, msgSubnetGroupNotFound.New(name)
	}
	return g, nil
}

// checkModifiedGroups checks the security groups a ModifyDBInstance gives an instance
// (asked) against the VPC of its subnet group, as it will be after the modification.
func (s *Service) checkModifiedGroups(tx kit.Tx, v kit.View, draft *instanceRec, asked bool) error {
	if !asked {
		return nil
	}
	vpc, err := s.subnetGroupVPC(tx, v, draft.SubnetGroup)
	if err != nil {
		return err
	}
	draft.VpcSGs, err = s.vpcSecurityGroups(tx, v, vpc, draft.VpcSGs)
	return err
}

// placeClusterNetwork checks a new cluster's DB subnet group (the default one, or one a
// user made) and its security groups against that group's VPC, and spreads its storage
// over the group's Availability Zones (three at most, as Aurora keeps its copies).
func (s *Service) placeClusterNetwork(tx kit.Tx, v kit.View, cl *clusterRec) error {
	g, err := s.subnetGroup(tx, v, cl.SubnetGroup)
	if err != nil {
		return err
	}
	cl.SubnetGroup = g.Name
	if cl.VpcSGs, err = s.vpcSecurityGroups(tx, v, g.VpcID, cl.VpcSGs); err != nil {
		return err
	}
	var zones []string
	for _, sn := range g.Subnets {
		if !slices.Contains(zones, sn.Zone) {
			zones = append(zones, sn.Zone)
		}
	}
	slices.Sort(zones)
	cl.AZs = zones[:min(len(zones), 3)]
	return nil
}
