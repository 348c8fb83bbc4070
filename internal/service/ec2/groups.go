package ec2

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

var groupKind = kindOfResource[groupRecord]{
	table: groups, prefix: prefixGroup, idParam: "GroupId", notFound: msgGroupNotFound, malformed: msgGroupMalformed,
	id:     func(r *groupRecord) string { return r.ID },
	fields: taggedFields[groupRecord](nil),
}

// groupFields adds the filters on a group's rules, "ip-permission.cidr" and the like
// ("egress.ip-permission.*" for its outbound rules).
func groupFields(v kit.View, g *groupRecord) fields {
	f := groupKind.fields(g)
	for _, prefix := range []string{"ip-permission.", "egress.ip-permission."} {
		for _, name := range []string{"cidr", "from-port", "to-port", "protocol", "group-id", "group-name", "ipv6-cidr", "prefix-list-id", "user-id"} {
			f.add(prefix + name)
		}
	}
	if g.ID == "" {
		return f
	}
	all, _ := rules.List(v, g.ID)
	for _, r := range all {
		prefix := "ip-permission."
		if r.Egress {
			prefix = "egress.ip-permission."
		}
		f.add(prefix+"protocol", r.Protocol)
		f.add(prefix+"from-port", strconv.FormatInt(r.FromPort, 10))
		f.add(prefix+"to-port", strconv.FormatInt(r.ToPort, 10))
		f.opt(prefix+"cidr", r.CidrIPv4)
		f.opt(prefix+"ipv6-cidr", r.CidrIPv6)
		f.opt(prefix+"prefix-list-id", r.PrefixList)
		f.opt(prefix+"group-id", r.RefGroupID)
		f.opt(prefix+"user-id", r.RefUserID)
		if ref, _ := groups.Get(v, r.RefGroupID); r.RefGroupID != "" && ref != nil {
			f.add(prefix+"group-name", ref.Name)
		}
	}
	return f
}

func groupOut(v kit.View, g *groupRecord) (ec2api.SecurityGroup, error) {
	in, err := groupRules(v, g.ID, false)
	if err != nil {
		return ec2api.SecurityGroup{}, err
	}
	out, err := groupRules(v, g.ID, true)
	if err != nil {
		return ec2api.SecurityGroup{}, err
	}
	return ec2api.SecurityGroup{
		GroupId: new(g.ID), GroupName: new(g.Name), Description: new(g.Description), VpcId: new(g.VpcID), OwnerId: new(g.Owner),
		SecurityGroupArn: new(resourceARN(v, "security-group", g.ID)), IpPermissions: orEmpty(permissions(in)),
		IpPermissionsEgress: orEmpty(permissions(out)), Tags: tagsOfResource(v, g.ID),
	}, nil
}

// orEmpty makes a nil list an empty one, which the XML writes as an empty element.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// groupByName finds a group by name in a VPC.
func groupByName(v kit.View, vpcID, name string) (*groupRecord, error) {
	var found *groupRecord
	err := groups.Scan(v, func(r *groupRecord) bool {
		if r.VpcID == vpcID && r.Name == name {
			found = r
		}
		return found == nil
	})
	if err == nil && found == nil {
		err = msgGroupNameNotFound.New(name, vpcID)
	}
	return found, err
}

// groupOf finds the group a request names by id, or by name in the default VPC.
func groupOf(v kit.View, id, name *string) (*groupRecord, error) {
	switch {
	case id != nil:
		return groupKind.get(v, *id)
	case name != nil:
		vpc, err := defaultVpc(v)
		if err != nil {
			return nil, err
		}
		if vpc == nil {
			return nil, msgGroupNeedVpc.New()
		}
		return groupByName(v, vpc.ID, *name)
	}
	return nil, msgGroupIDOrName.New()
}

// validText reports whether a group name or description uses only what AWS allows in a
// VPC: fewer than 256 of a-zA-Z0-9, spaces and ._-:/()#,@[]+=&;{}!$*.
func validText(s string) bool {
	if len(s) > 255 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(" ._-:/()#,@[]+=&;{}!$*", c)) {
			return false
		}
	}
	return true
}

func checkGroupRequest(in *ec2api.CreateSecurityGroupRequest) error {
	name := *in.GroupName
	switch {
	case strings.HasPrefix(name, "sg-"):
		return msgGroupNameReserved.New()
	case name == "default":
		return msgGroupDefaultName.New()
	case name == "" || !validText(name):
		return msgGroupNameLength.New()
	case !validText(*in.Description):
		return msgGroupDescription.New()
	}
	return nil
}

func (s *Service) CreateSecurityGroup(ctx context.Context, in *ec2api.CreateSecurityGroupRequest) (*ec2api.CreateSecurityGroupResult, error) {
	c := s.Call(ctx)
	if err := checkGroupRequest(in); err != nil {
		return nil, err
	}
	tags, err := specTags(in.TagSpecifications, "security-group")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.CreateSecurityGroupResult, error) {
		vpc, err := groupVpc(v, in.VpcId)
		if err != nil {
			return nil, err
		}
		if _, err := groupByName(v, vpc.ID, *in.GroupName); err == nil {
			return nil, msgGroupDuplicate.New(*in.GroupName, vpc.ID)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		g := &groupRecord{ID: newID(prefixGroup), Owner: c.Account, Name: *in.GroupName, Description: *in.Description, VpcID: vpc.ID}
		if err := putGroup(v, g, vpc); err != nil {
			return nil, err
		}
		if err := setTags(v, g.ID, tags); err != nil {
			return nil, err
		}
		return &ec2api.CreateSecurityGroupResult{GroupId: new(g.ID), SecurityGroupArn: new(resourceARN(v, "security-group", g.ID)), Tags: apiTags(tagsOf(v, g.ID))}, nil
	})
}

// groupVpc is the VPC a new group goes in: the one named, or the default VPC.
func groupVpc(v kit.View, id *string) (*vpcRecord, error) {
	if id != nil {
		return vpcKind.get(v, *id)
	}
	vpc, err := defaultVpc(v)
	if err == nil && vpc == nil {
		err = msgGroupNeedVpc.New()
	}
	return vpc, err
}

// putGroup writes a new group with the rule AWS gives every new group: all traffic out
// (to ::/0 as well in a VPC with IPv6).
func putGroup(v kit.View, g *groupRecord, vpc *vpcRecord) error {
	if err := groups.Put(v, g, g.ID); err != nil {
		return err
	}
	out := []ruleRecord{{ID: newID(prefixRule), GroupID: g.ID, Egress: true, Protocol: "-1", FromPort: -1, ToPort: -1, CidrIPv4: anywhere}}
	if len(vpc.IPv6) > 0 {
		out = append(out, ruleRecord{ID: newID(prefixRule), GroupID: g.ID, Egress: true, Protocol: "-1", FromPort: -1, ToPort: -1, CidrIPv6: "::/0"})
	}
	for i := range out {
		if err := rules.Put(v, &out[i], g.ID, out[i].ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) DescribeSecurityGroups(ctx context.Context, in *ec2api.DescribeSecurityGroupsRequest) (*ec2api.DescribeSecurityGroupsResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeSecurityGroupsResult, error) {
		ids, err := groupIDs(v, in.GroupIds, in.GroupNames)
		if err != nil {
			return nil, err
		}
		kind := groupKind
		kind.fields = func(r *groupRecord) fields { return groupFields(v, r) }
		p, err := kind.describe(s, v, describeQuery{"DescribeSecurityGroups", ids, in.Filters, in.MaxResults, in.NextToken})
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		out := &ec2api.DescribeSecurityGroupsResult{SecurityGroups: []ec2api.SecurityGroup{}, NextToken: p.next}
		for _, g := range p.items {
			sg, err := groupOut(v, g)
			if err != nil {
				return nil, err
			}
			out.SecurityGroups = append(out.SecurityGroups, sg)
		}
		return out, nil
	})
}

// groupIDs adds the groups GroupNames names (in the default VPC) to GroupIds.
func groupIDs(v kit.View, ids, names []string) ([]string, error) {
	for _, name := range names {
		g, err := groupOf(v, nil, &name)
		if err != nil {
			return nil, err
		}
		ids = append(ids, g.ID)
	}
	return ids, nil
}

func (s *Service) DeleteSecurityGroup(ctx context.Context, in *ec2api.DeleteSecurityGroupRequest) (*ec2api.DeleteSecurityGroupResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.DeleteSecurityGroupResult, error) {
		g, err := groupOf(v, in.GroupId, in.GroupName)
		if err != nil {
			return nil, err
		}
		if g.Name == "default" {
			return nil, msgCannotDeleteGroup.New(g.ID)
		}
		if err := groupInUse(v, g.ID); err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		return &ec2api.DeleteSecurityGroupResult{Return: new(true), GroupId: new(g.ID)}, deleteGroupRecords(v, g.ID)
	})
}

// groupInUse refuses to delete a group that another group's rules name or that a
// network interface uses.
func groupInUse(v kit.View, id string) error {
	referenced, err := anyOf(v, rules, func(r *ruleRecord) bool { return r.RefGroupID == id && r.GroupID != id })
	if err == nil && !referenced {
		referenced, err = anyOf(v, interfaces, func(r *interfaceRecord) bool { return slices.Contains(r.Groups, id) })
	}
	if err == nil && referenced {
		err = msgGroupInUse.New(id)
	}
	return err
}

// deleteGroupRecords deletes a group, its rules and their tags.
func deleteGroupRecords(v kit.View, id string) error {
	all, err := rules.List(v, id)
	if err != nil {
		return err
	}
	for _, r := range all {
		if err := tagSets.Delete(v, r.ID); err != nil {
			return err
		}
	}
	if err := rules.DeleteAll(v, id); err != nil {
		return err
	}
	if err := groups.Delete(v, id); err != nil {
		return err
	}
	return tagSets.Delete(v, id)
}
