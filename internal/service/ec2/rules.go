package ec2

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// protocolNames are the protocols EC2 names, by the names and numbers clients send.
var protocolNames = map[string]string{
	"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp",
	"icmpv6": "icmpv6", "58": "icmpv6", "-1": "-1", "all": "-1",
}

// normalProtocol is the protocol as EC2 stores it: a name for the four it names, "-1"
// for all, else the number.
func normalProtocol(p string) (string, error) {
	if name, ok := protocolNames[strings.ToLower(p)]; ok {
		return name, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 255 {
		return "", msgBadProtocol.New(p)
	}
	return strconv.Itoa(n), nil
}

// ports checks the port range of a protocol: TCP and UDP need both ends, ICMP takes a
// type and a code (-1 for any), and other protocols have none (-1).
func ports(protocol string, from, to *int64) (int64, int64, error) {
	switch protocol {
	case "tcp", "udp":
		if from == nil || to == nil {
			return 0, 0, msgPortsRequired.New()
		}
		if *from < 0 || *to > 65535 || *from > *to {
			return 0, 0, msgBadPortRange.New(*from, *to)
		}
		return *from, *to, nil
	case "icmp", "icmpv6":
		f, t := int64(-1), int64(-1)
		if from != nil {
			f = *from
		}
		if to != nil {
			t = *to
		}
		if f < -1 || f > 255 {
			return 0, 0, msgBadICMP.New(f)
		}
		if t < -1 || t > 255 {
			return 0, 0, msgBadICMP.New(t)
		}
		return f, t, nil
	}
	return -1, -1, nil
}

// expand turns IpPermissions into rules of group g: one rule per source or destination.
// Groups named in UserIdGroupPairs must exist in the account and share g's VPC.
func expand(v kit.View, g *groupRecord, egress bool, perms []ec2api.IpPermission) ([]ruleRecord, error) {
	var out []ruleRecord
	for _, p := range perms {
		base, err := ruleBase(g, egress, p)
		if err != nil {
			return nil, err
		}
		peers, err := peersOf(v, g, p)
		if err != nil {
			return nil, err
		}
		for _, peer := range peers {
			r := base
			peer(&r)
			out = append(out, r)
		}
	}
	return out, nil
}

// ruleBase is a permission's protocol and ports, without a peer.
func ruleBase(g *groupRecord, egress bool, p ec2api.IpPermission) (ruleRecord, error) {
	if p.IpProtocol == nil {
		return ruleRecord{}, msgNoAttribute.New(paramIpPermissionsIpProtocol)
	}
	proto, err := normalProtocol(*p.IpProtocol)
	if err != nil {
		return ruleRecord{}, err
	}
	from, to, err := ports(proto, p.FromPort, p.ToPort)
	if err != nil {
		return ruleRecord{}, err
	}
	return ruleRecord{GroupID: g.ID, Egress: egress, Protocol: proto, FromPort: from, ToPort: to}, nil
}

// peersOf returns a setter per source or destination of a permission.
func peersOf(v kit.View, g *groupRecord, p ec2api.IpPermission) ([]func(*ruleRecord), error) {
	var peers []func(*ruleRecord)
	for _, r := range p.IpRanges {
		cidr, desc := deref(r.CidrIp), deref(r.Description)
		if _, ok := parseIPv4Block(cidr); !ok {
			return nil, msgBadRuleCidr.New(cidr)
		}
		peers = append(peers, func(x *ruleRecord) { x.CidrIPv4, x.Description = cidr, desc })
	}
	for _, r := range p.Ipv6Ranges {
		cidr, desc := deref(r.CidrIpv6), deref(r.Description)
		if b, ok := parseBlock(cidr); !ok || !b.Addr().Is6() {
			return nil, msgBadRuleCidr.New(cidr)
		}
		peers = append(peers, func(x *ruleRecord) { x.CidrIPv6, x.Description = cidr, desc })
	}
	for _, r := range p.PrefixListIds {
		id, desc := deref(r.PrefixListId), deref(r.Description)
		peers = append(peers, func(x *ruleRecord) { x.PrefixList, x.Description = id, desc })
	}
	for _, pair := range p.UserIdGroupPairs {
		ref, err := referencedGroup(v, g, pair)
		if err != nil {
			return nil, err
		}
		desc := deref(pair.Description)
		peers = append(peers, func(x *ruleRecord) { x.RefGroupID, x.RefUserID, x.Description = ref.ID, ref.Owner, desc })
	}
	if len(peers) == 0 {
		return nil, msgRulePeerMissing.New()
	}
	return peers, nil
}

// referencedGroup finds the group a UserIdGroupPair names, by id or (in the default
// VPC) by name; it must be in g's VPC.
func referencedGroup(v kit.View, g *groupRecord, pair ec2api.UserIdGroupPair) (*groupRecord, error) {
	var ref *groupRecord
	var err error
	switch {
	case pair.GroupId != nil:
		ref, err = groupKind.get(v, *pair.GroupId)
	case pair.GroupName != nil:
		ref, err = groupByName(v, g.VpcID, *pair.GroupName)
	default:
		return nil, msgRulePeerMissing.New()
	}
	if err != nil {
		return nil, err
	}
	if ref.VpcID != g.VpcID {
		return nil, msgReferencedAcrossVp.New()
	}
	return ref, nil
}

// sameRule reports whether two rules allow the same traffic (their ids and descriptions
// aside).
func sameRule(a, b *ruleRecord) bool {
	return a.GroupID == b.GroupID && a.Egress == b.Egress && a.Protocol == b.Protocol && a.FromPort == b.FromPort &&
		a.ToPort == b.ToPort && a.CidrIPv4 == b.CidrIPv4 && a.CidrIPv6 == b.CidrIPv6 && a.PrefixList == b.PrefixList &&
		a.RefGroupID == b.RefGroupID
}

// describeRule writes a rule as AWS's duplicate-rule message does: "peer: 0.0.0.0/0,
// TCP, from port: 22, to port: 22, ALLOW".
func describeRule(r *ruleRecord) string {
	peer := r.CidrIPv4 + r.CidrIPv6 + r.PrefixList + r.RefGroupID
	proto := strings.ToUpper(r.Protocol)
	if r.Protocol == "-1" {
		proto = "ALL"
	}
	return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", peer, proto, r.FromPort, r.ToPort)
}

// groupRules lists a group's rules in one direction, in the order they were made.
func groupRules(v kit.View, groupID string, egress bool) ([]*ruleRecord, error) {
	all, err := rules.List(v, groupID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r *ruleRecord) bool { return r.Egress != egress }), nil
}

// permissions groups rules back into IpPermissions, as DescribeSecurityGroups shows
// them: one per protocol and port range, with its peers.
func permissions(rs []*ruleRecord) []ec2api.IpPermission {
	var out []ec2api.IpPermission
	index := map[string]int{}
	for _, r := range rs {
		key := fmt.Sprintf("%s/%d/%d", r.Protocol, r.FromPort, r.ToPort)
		i, ok := index[key]
		if !ok {
			p := ec2api.IpPermission{IpProtocol: new(r.Protocol)}
			if r.Protocol != "-1" {
				p.FromPort, p.ToPort = new(r.FromPort), new(r.ToPort)
			}
			out = append(out, p)
			i = len(out) - 1
			index[key] = i
		}
		addPeer(&out[i], r)
	}
	return out
}

func addPeer(p *ec2api.IpPermission, r *ruleRecord) {
	desc := optional(r.Description)
	switch {
	case r.CidrIPv4 != "":
		p.IpRanges = append(p.IpRanges, ec2api.IpRange{CidrIp: new(r.CidrIPv4), Description: desc})
	case r.CidrIPv6 != "":
		p.Ipv6Ranges = append(p.Ipv6Ranges, ec2api.Ipv6Range{CidrIpv6: new(r.CidrIPv6), Description: desc})
	case r.PrefixList != "":
		p.PrefixListIds = append(p.PrefixListIds, ec2api.PrefixListId{PrefixListId: new(r.PrefixList), Description: desc})
	default:
		p.UserIdGroupPairs = append(p.UserIdGroupPairs, ec2api.UserIdGroupPair{GroupId: new(r.RefGroupID), UserId: new(r.RefUserID), Description: desc})
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ruleOut is a rule as DescribeSecurityGroupRules shows it.
func ruleOut(v kit.View, g *groupRecord, r *ruleRecord) ec2api.SecurityGroupRule {
	out := ec2api.SecurityGroupRule{
		SecurityGroupRuleId: new(r.ID), SecurityGroupRuleArn: new(resourceARN(v, "security-group-rule", r.ID)),
		GroupId: new(r.GroupID), GroupOwnerId: new(g.Owner), IsEgress: new(r.Egress), IpProtocol: new(r.Protocol),
		FromPort: new(r.FromPort), ToPort: new(r.ToPort), CidrIpv4: optional(r.CidrIPv4), CidrIpv6: optional(r.CidrIPv6),
		PrefixListId: optional(r.PrefixList), Description: optional(r.Description), Tags: tagsOfResource(v, r.ID),
	}
	if r.RefGroupID != "" {
		out.ReferencedGroupInfo = &ec2api.ReferencedSecurityGroup{GroupId: new(r.RefGroupID), UserId: new(r.RefUserID)}
	}
	return out
}

// ruleExists reports whether a security group rule id names a rule of the view.
func ruleExists(v kit.View, id string) bool {
	r, _ := findRule(v, id)
	return r != nil
}

// findRule finds a rule by id, in whatever group it is.
func findRule(v kit.View, id string) (*ruleRecord, error) {
	var found *ruleRecord
	err := rules.Scan(v, func(r *ruleRecord) bool {
		if r.ID == id {
			found = r
		}
		return found == nil
	})
	return found, err
}

// legacyPermission is the one IpPermission the top-level parameters of Authorize and
// Revoke requests describe (CidrIp, IpProtocol, FromPort, ToPort, SourceSecurityGroupName),
// which older clients send instead of IpPermissions.
func legacyPermission(cidr, proto *string, from, to *int64, sourceGroup, sourceOwner *string) []ec2api.IpPermission {
	if cidr == nil && proto == nil && sourceGroup == nil {
		return nil
	}
	p := ec2api.IpPermission{IpProtocol: proto, FromPort: from, ToPort: to}
	if p.IpProtocol == nil {
		p.IpProtocol = new("-1")
	}
	if cidr != nil {
		p.IpRanges = []ec2api.IpRange{{CidrIp: cidr}}
	}
	if sourceGroup != nil {
		p.UserIdGroupPairs = []ec2api.UserIdGroupPair{{GroupName: sourceGroup, UserId: sourceOwner}}
	}
	return []ec2api.IpPermission{p}
}
