package ec2

import (
	"context"
	"strconv"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// Network ACLs: every VPC has its default ACL, which allows all traffic and which every
// subnet of the VPC is associated with. xregion serves no operation that makes other
// ACLs or changes entries, so the entries are the default ones.

var aclKind = kindOfResource[aclRecord]{
	table: acls, prefix: prefixACL, idParam: "NetworkAclId", notFound: msgACLNotFound, malformed: msgACLMalformed,
	id: func(r *aclRecord) string { return r.ID },
	fields: taggedFields(func(r *aclRecord, f fields) {
		for _, name := range []string{"association.association-id", "association.network-acl-id", "association.subnet-id",
			"entry.cidr", "entry.egress", "entry.protocol", "entry.rule-action", "entry.rule-number"} {
			f.add(name)
		}
		for _, l := range r.Links {
			f.add("association.association-id", l.ID)
			f.add("association.network-acl-id", r.ID)
			f.add("association.subnet-id", l.SubnetID)
		}
	}),
}

// aclEntries are the entries of a default ACL: allow everything (rule 100), then the
// catch-all deny (rule 32767), each way, for IPv4 and, in a VPC with IPv6, for IPv6.
func aclEntries(ipv6 bool) []ec2api.NetworkAclEntry {
	var out []ec2api.NetworkAclEntry
	for _, egress := range []bool{true, false} {
		out = append(out,
			ec2api.NetworkAclEntry{CidrBlock: new(anywhere), Egress: new(egress), Protocol: new("-1"), RuleAction: new("allow"), RuleNumber: new(int64(100))},
			ec2api.NetworkAclEntry{CidrBlock: new(anywhere), Egress: new(egress), Protocol: new("-1"), RuleAction: new("deny"), RuleNumber: new(int64(32767))})
		if ipv6 {
			out = append(out,
				ec2api.NetworkAclEntry{Ipv6CidrBlock: new("::/0"), Egress: new(egress), Protocol: new("-1"), RuleAction: new("allow"), RuleNumber: new(int64(101))},
				ec2api.NetworkAclEntry{Ipv6CidrBlock: new("::/0"), Egress: new(egress), Protocol: new("-1"), RuleAction: new("deny"), RuleNumber: new(int64(32768))})
		}
	}
	return out
}

func hasIPv6(v kit.View, vpcID string) bool {
	vpc, _ := vpcs.Get(v, vpcID)
	return vpc != nil && len(vpc.IPv6) > 0
}

func aclOut(v kit.View, a *aclRecord) ec2api.NetworkAcl {
	out := ec2api.NetworkAcl{
		NetworkAclId: new(a.ID), VpcId: new(a.VpcID), OwnerId: new(a.Owner), IsDefault: new(a.Default),
		Entries: aclEntries(hasIPv6(v, a.VpcID)), Associations: []ec2api.NetworkAclAssociation{}, Tags: tagsOfResource(v, a.ID),
	}
	for _, l := range a.Links {
		out.Associations = append(out.Associations, ec2api.NetworkAclAssociation{NetworkAclAssociationId: new(l.ID), NetworkAclId: new(a.ID), SubnetId: new(l.SubnetID)})
	}
	return out
}

// aclFields adds the filters on entries.
func aclFields(v kit.View, a *aclRecord) fields {
	f := aclKind.fields(a)
	for _, e := range aclEntries(a.ID != "" && hasIPv6(v, a.VpcID)) {
		f.opt("entry.cidr", deref(e.CidrBlock))
		f.bool("entry.egress", *e.Egress)
		f.add("entry.protocol", *e.Protocol)
		f.add("entry.rule-action", *e.RuleAction)
		f.add("entry.rule-number", strconv.FormatInt(*e.RuleNumber, 10))
	}
	return f
}

func defaultACL(v kit.View, vpcID string) (*aclRecord, error) {
	var found *aclRecord
	err := acls.Scan(v, func(r *aclRecord) bool {
		if r.VpcID == vpcID && r.Default {
			found = r
		}
		return found == nil
	})
	return found, err
}

func (s *Service) DescribeNetworkAcls(ctx context.Context, in *ec2api.DescribeNetworkAclsRequest) (*ec2api.DescribeNetworkAclsResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeNetworkAclsResult, error) {
		kind := aclKind
		kind.fields = func(r *aclRecord) fields { return aclFields(v, r) }
		items, next, err := describeOut(s, v, kind, describeQuery{"DescribeNetworkAcls", in.NetworkAclIds, in.Filters, in.MaxResults, in.NextToken}, in.DryRun, aclOut)
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeNetworkAclsResult{NetworkAcls: items, NextToken: next}, nil
	})
}
