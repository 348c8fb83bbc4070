package rds

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// DB subnet groups on the subnets of EC2 (port.Network). A group a user creates is
// stored with what RDS shows of its subnets (id, zone), checked against EC2 when it is
// created or modified: every subnet exists, all are in one VPC and they cover at least
// two Availability Zones. The "default" group is the default VPC's subnets, one per
// zone; it is not stored, and exists in every account and Region as on AWS. Without an
// EC2 in the server (RDS alone in tests) the default group is the one RDS derives
// (subnetGroupOut) and no other can be made.

const (
	quotaSubnetGroups     = 50 // RDS User Guide, "Quotas in Amazon RDS": DB subnet groups
	quotaSubnetsPerGroup  = 20 // and subnets per DB subnet group
	countSubnetGroups     = "subnet-groups"
	defaultSubnetGroup    = "default"
	maxSubnetGroupName    = 255
	subnetGroupComplete   = "Complete"
	subnetActive          = "Active"
	minSubnetGroupZoneCnt = 2
)

type subnetRef struct {
	ID   string `json:"id"`
	Zone string `json:"zone"`
}

type subnetGroupRec struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	VpcID       string      `json:"vpcId"`
	Subnets     []subnetRef `json:"subnets"`
	Tags        []tagRec    `json:"tags,omitempty"`
}

var (
	subnetGroups  = kit.Table[subnetGroupRec]{Kind: "subgrp"}    // subgrp/<name>
	defaultPlaced = kit.Table[subnetGroupRec]{Kind: "subgrpdef"} // subgrpdef: the default group as instances were last placed in it
)

// validSubnetGroupName: up to 255 letters, digits, periods, underscores, spaces or
// hyphens (API reference, CreateDBSubnetGroup); RDS keeps it in lower case.
func validSubnetGroupName(name string) bool {
	if name == "" || len(name) > maxSubnetGroupName {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLetter(c) && !isDigit(c) && !strings.ContainsRune("._ -", rune(c)) {
			return false
		}
	}
	return true
}

// subnetsOf checks the subnets a create or modify names against EC2, and returns the
// group's VPC and subnets in the order given.
func (s *Service) subnetsOf(tx kit.Tx, v kit.View, ids []string) (string, []subnetRef, error) {
	if len(ids) > quotaSubnetsPerGroup {
		return "", nil, msgSubnetQuota.New(quotaSubnetsPerGroup)
	}
	if s.network == nil {
		return "", nil, msgInvalidSubnets.New(strings.Join(ids, ", "))
	}
	subnets, err := s.network.Subnets(tx, v.Account(), v.Region(), ids)
	if errors.Is(err, port.ErrSubnetNotFound) {
		missing, _ := port.MissingID(err)
		return "", nil, msgInvalidSubnets.New(missing)
	}
	if err != nil {
		return "", nil, err
	}
	zones := map[string]bool{}
	refs := make([]subnetRef, 0, len(subnets))
	for _, sn := range subnets {
		if sn.VpcID != subnets[0].VpcID {
			return "", nil, msgSubnetsVPC.New()
		}
		if !slices.ContainsFunc(refs, func(r subnetRef) bool { return r.ID == sn.ID }) {
			refs = append(refs, subnetRef{ID: sn.ID, Zone: sn.Zone.Name})
			zones[sn.Zone.Name] = true
		}
	}
	if len(zones) < minSubnetGroupZoneCnt {
		return "", nil, msgSubnetGroupAZs.New(len(zones))
	}
	return subnets[0].VpcID, refs, nil
}

func (s *Service) CreateDBSubnetGroup(ctx context.Context, in *rdsapi.CreateDBSubnetGroupMessage) (*rdsapi.CreateDBSubnetGroupResult, error) {
	c := s.Call(ctx)
	name := strings.ToLower(deref(in.DBSubnetGroupName))
	if !validSubnetGroupName(name) || name == defaultSubnetGroup {
		return nil, msgSubnetGroupName.New(deref(in.DBSubnetGroupName))
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBSubnetGroupResult, error) {
		v := c.In(tx)
		if subnetGroups.Has(v, name) {
			return nil, msgSubnetGroupExists.New(name)
		}
		n, err := getCount(v, countSubnetGroups)
		if err != nil {
			return nil, err
		}
		if n >= quotaSubnetGroups {
			return nil, msgSubnetGroupQuota.New(quotaSubnetGroups)
		}
		vpc, refs, err := s.subnetsOf(tx, v, in.SubnetIds)
		if err != nil {
			return nil, err
		}
		g := &subnetGroupRec{Name: name, Description: deref(in.DBSubnetGroupDescription), VpcID: vpc, Subnets: refs, Tags: tags}
		if err := addCount(v, countSubnetGroups, 1); err != nil {
			return nil, err
		}
		return &rdsapi.CreateDBSubnetGroupResult{DBSubnetGroup: storedSubnetGroupOut(v, g)}, subnetGroups.Put(v, g, name)
	})
}

func (s *Service) ModifyDBSubnetGroup(ctx context.Context, in *rdsapi.ModifyDBSubnetGroupMessage) (*rdsapi.ModifyDBSubnetGroupResult, error) {
	c := s.Call(ctx)
	name := strings.ToLower(deref(in.DBSubnetGroupName))
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.ModifyDBSubnetGroupResult, error) {
		v := c.In(tx)
		g, err := subnetGroups.Get(v, name)
		if err != nil {
			return nil, err
		}
		if g == nil {
			return nil, msgSubnetGroupNotFound.New(deref(in.DBSubnetGroupName))
		}
		vpc, refs, err := s.subnetsOf(tx, v, in.SubnetIds)
		if err != nil {
			return nil, err
		}
		if err := checkSubnetsInUse(v, g, vpc, refs); err != nil {
			return nil, err
		}
		g.VpcID, g.Subnets = vpc, refs
		if in.DBSubnetGroupDescription != nil {
			g.Description = *in.DBSubnetGroupDescription
		}
		return &rdsapi.ModifyDBSubnetGroupResult{DBSubnetGroup: storedSubnetGroupOut(v, g)}, subnetGroups.Put(v, g, name)
	})
}

// checkSubnetsInUse refuses a change of a group's subnets that would leave an instance
// in it without its Availability Zone, or move the group to another VPC under it.
func checkSubnetsInUse(v kit.View, g *subnetGroupRec, vpc string, refs []subnetRef) error {
	users, err := subnetGroupUsers(v, g.Name)
	if err != nil || len(users) == 0 {
		return err
	}
	for _, inst := range users {
		if vpc != g.VpcID || !slices.ContainsFunc(refs, func(r subnetRef) bool { return r.Zone == inst.AZ }) {
			return msgSubnetInUse.New(inst.ID)
		}
	}
	return nil
}

// subnetGroupUsers lists the instances in the group name.
func subnetGroupUsers(v kit.View, name string) ([]*instanceRec, error) {
	all, err := instances.List(v)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(inst *instanceRec) bool { return inst.SubnetGroup != name }), nil
}

func (s *Service) DeleteDBSubnetGroup(ctx context.Context, in *rdsapi.DeleteDBSubnetGroupMessage) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	name := strings.ToLower(deref(in.DBSubnetGroupName))
	if name == defaultSubnetGroup {
		return nil, msgDeleteDefaultSubnetGroup.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		if !subnetGroups.Has(v, name) {
			return nil, msgSubnetGroupNotFound.New(deref(in.DBSubnetGroupName))
		}
		users, err := subnetGroupUsers(v, name)
		if err != nil {
			return nil, err
		}
		if len(users) > 0 {
			return nil, msgSubnetGroupInUse.New(name, users[0].ID)
		}
		if err := addCount(v, countSubnetGroups, -1); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, subnetGroups.Delete(v, name)
	})
}

func (s *Service) DescribeDBSubnetGroups(ctx context.Context, in *rdsapi.DescribeDBSubnetGroupsMessage) (*rdsapi.DBSubnetGroupMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	pg, err := s.describePage(c, "DescribeDBSubnetGroups", in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBSubnetGroupMessage, error) {
		v := c.In(tx)
		var list []*rdsapi.DBSubnetGroup
		if name := strings.ToLower(deref(in.DBSubnetGroupName)); name != "" {
			g, err := s.subnetGroupOut(tx, v, name)
			if err != nil {
				return nil, err
			}
			if g == nil {
				return nil, msgSubnetGroupNotFound.New(deref(in.DBSubnetGroupName))
			}
			list = append(list, g)
		} else if list, err = s.allSubnetGroups(tx, v); err != nil {
			return nil, err
		}
		page, next := cut(pg, list, func(g *rdsapi.DBSubnetGroup) string { return *g.DBSubnetGroupName })
		out := &rdsapi.DBSubnetGroupMessage{DBSubnetGroups: []rdsapi.DBSubnetGroup{}, Marker: next}
		for _, g := range page {
			out.DBSubnetGroups = append(out.DBSubnetGroups, *g)
		}
		return out, nil
	})
}

// allSubnetGroups is the default group and the stored ones, in name order.
func (s *Service) allSubnetGroups(tx kit.Tx, v kit.View) ([]*rdsapi.DBSubnetGroup, error) {
	def, err := s.subnetGroupOut(tx, v, defaultSubnetGroup)
	if err != nil {
		return nil, err
	}
	stored, err := subnetGroups.List(v)
	if err != nil {
		return nil, err
	}
	list := []*rdsapi.DBSubnetGroup{}
	if def != nil {
		list = append(list, def)
	}
	for _, g := range stored {
		list = append(list, storedSubnetGroupOut(v, g))
	}
	slices.SortFunc(list, func(a, b *rdsapi.DBSubnetGroup) int {
		return strings.Compare(*a.DBSubnetGroupName, *b.DBSubnetGroupName)
	})
	return list, nil
}

// subnetGroupOut is the group name as RDS shows it, or nil when there is none (the
// default group of an account that deleted its default VPC).
func (s *Service) subnetGroupOut(tx kit.Tx, v kit.View, name string) (*rdsapi.DBSubnetGroup, error) {
	if name != defaultSubnetGroup {
		g, err := subnetGroups.Get(v, name)
		if err != nil || g == nil {
			return nil, err
		}
		return storedSubnetGroupOut(v, g), nil
	}
	g, err := s.defaultSubnetGroup(tx, v)
	if err != nil || g == nil {
		return nil, err
	}
	return storedSubnetGroupOut(v, g), nil
}

// defaultSubnetGroup is the default group: the default VPC's subnets, from EC2, or the
// ones RDS derives when the server has no EC2; nil when the default VPC was deleted.
func (s *Service) defaultSubnetGroup(tx kit.Tx, v kit.View) (*subnetGroupRec, error) {
	g := &subnetGroupRec{Name: defaultSubnetGroup, Description: defaultSubnetGroup}
	if s.network == nil {
		g.VpcID = defaultVPC(v.Account(), v.Region())
		for _, z := range zones(v.Region()) {
			g.Subnets = append(g.Subnets, subnetRef{ID: defaultSubnet(v.Account(), v.Region(), z), Zone: z})
		}
		return g, nil
	}
	subnets, err := s.network.DefaultSubnets(tx, v.Account(), v.Region())
	if err != nil || len(subnets) == 0 {
		return nil, err
	}
	g.VpcID = subnets[0].VpcID
	for _, sn := range subnets {
		g.Subnets = append(g.Subnets, subnetRef{ID: sn.ID, Zone: sn.Zone.Name})
	}
	return g, nil
}

func storedSubnetGroupOut(v kit.View, g *subnetGroupRec) *rdsapi.DBSubnetGroup {
	subnets := make([]rdsapi.Subnet, 0, len(g.Subnets))
	for _, sn := range g.Subnets {
		subnets = append(subnets, rdsapi.Subnet{
			SubnetIdentifier: new(sn.ID), SubnetAvailabilityZone: &rdsapi.AvailabilityZone{Name: new(sn.Zone)},
			SubnetOutpost: &rdsapi.Outpost{}, SubnetStatus: new(subnetActive),
		})
	}
	return &rdsapi.DBSubnetGroup{
		DBSubnetGroupName: new(g.Name), DBSubnetGroupDescription: new(g.Description), VpcId: new(g.VpcID),
		SubnetGroupStatus: new(subnetGroupComplete), Subnets: subnets,
		DBSubnetGroupArn: groupARN(v.Account(), v.Region(), "subgrp", g.Name), SupportedNetworkTypes: []string{"IPV4"},
	}
}

// placeInSubnetGroup checks the subnet group a new instance names and keeps, for the
// instance's answers, what RDS shows of it: a stored group, or the default one, which
// is stored the first time an instance uses it so that reads need no EC2. The instance
// goes to a zone of the group: the one it asks for, which must be the group's, or the
// group's first.
func (s *Service) placeInSubnetGroup(tx kit.Tx, v kit.View, inst *instanceRec) error {
	name := strings.ToLower(inst.SubnetGroup)
	g, err := s.subnetGroup(tx, v, name)
	if err != nil {
		return err
	}
	if name == defaultSubnetGroup {
		if err := defaultPlaced.Put(v, g); err != nil {
			return err
		}
	}
	if inst.VpcSGs, err = s.vpcSecurityGroups(tx, v, g.VpcID, inst.VpcSGs); err != nil {
		return err
	}
	inst.SubnetGroup = name
	if !slices.ContainsFunc(g.Subnets, func(r subnetRef) bool { return r.Zone == inst.AZ }) {
		if inst.azAsked {
			return msgZoneNotInSubnetGroup.New(inst.AZ, name)
		}
		inst.AZ = g.Subnets[0].Zone
	}
	return nil
}

// checkNewSubnetGroup checks the subnet group a ModifyDBInstance moves an instance to:
// it exists, and has a subnet in the instance's Availability Zone (moving an instance to
// another zone or VPC is beyond what xregion models).
func checkNewSubnetGroup(v kit.View, inst, draft *instanceRec) error {
	name := strings.ToLower(draft.SubnetGroup)
	if name == inst.SubnetGroup || name == defaultSubnetGroup {
		draft.SubnetGroup = name
		return nil
	}
	g, err := subnetGroups.Get(v, name)
	if err != nil {
		return err
	}
	if g == nil {
		return msgSubnetGroupNotFound.New(draft.SubnetGroup)
	}
	if !slices.ContainsFunc(g.Subnets, func(r subnetRef) bool { return r.Zone == inst.AZ }) {
		return msgZoneNotInSubnetGroup.New(inst.AZ, name)
	}
	draft.SubnetGroup = name
	return nil
}

// subnetGroupTaggable is a stored group's tags; the default group has none to change.
func subnetGroupTaggable(v kit.View, name string) (taggable, error) {
	g, err := subnetGroups.Get(v, name)
	switch {
	case err != nil:
		return taggable{}, err
	case g == nil && name == defaultSubnetGroup:
		return taggable{tags: &[]tagRec{}, save: func() error { return msgDeleteDefaultSubnetGroup.New() }}, nil
	case g == nil:
		return taggable{}, msgSubnetGroupNotFound.New(name)
	}
	return taggable{tags: &g.Tags, save: func() error { return subnetGroups.Put(v, g, g.Name) }}, nil
}

// instanceSubnetGroup is the subnet group an instance's answer shows.
func instanceSubnetGroup(v kit.View, inst *instanceRec) *rdsapi.DBSubnetGroup {
	table := subnetGroups
	if inst.SubnetGroup == defaultSubnetGroup {
		table = defaultPlaced
	}
	id := []string{inst.SubnetGroup}
	if inst.SubnetGroup == defaultSubnetGroup {
		id = nil
	}
	if g, err := table.Get(v, id...); err == nil && g != nil {
		return storedSubnetGroupOut(v, g)
	}
	return subnetGroupOut(v.Account(), v.Region())
}
