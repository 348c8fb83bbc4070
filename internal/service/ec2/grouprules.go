package ec2

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// authorize adds rules to a group: ingress or egress, from IpPermissions or the legacy
// parameters. A rule the group already has is refused, as are two equal rules in one
// request.
func (s *Service) authorize(c kit.Call, egress bool, groupID, groupName *string, perms []ec2api.IpPermission,
	specs []ec2api.TagSpecification, dry *bool) ([]ec2api.SecurityGroupRule, error) {
	tags, err := specTags(specs, "security-group-rule")
	if err != nil {
		return nil, err
	}
	if len(perms) == 0 {
		return nil, msgNoPermissions.New()
	}
	return write(s, c, func(tx kit.Tx, v kit.View) ([]ec2api.SecurityGroupRule, error) {
		g, err := groupOf(v, groupID, groupName)
		if err != nil {
			return nil, err
		}
		fresh, err := expand(v, g, egress, perms)
		if err != nil {
			return nil, err
		}
		existing, err := groupRules(v, g.ID, egress)
		if err != nil {
			return nil, err
		}
		for i := range fresh {
			for _, other := range append(existing, ptrs(fresh[:i])...) {
				if sameRule(&fresh[i], other) {
					return nil, msgRuleDuplicate.New(describeRule(&fresh[i]))
				}
			}
		}
		if err := dryRun(dry); err != nil {
			return nil, err
		}
		out := []ec2api.SecurityGroupRule{}
		for i := range fresh {
			r := &fresh[i]
			r.ID = newID(prefixRule)
			if err := rules.Put(v, r, g.ID, r.ID); err != nil {
				return nil, err
			}
			if err := setTags(v, r.ID, tags); err != nil {
				return nil, err
			}
			out = append(out, ruleOut(v, g, r))
		}
		return out, nil
	})
}

func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

func (s *Service) AuthorizeSecurityGroupIngress(ctx context.Context, in *ec2api.AuthorizeSecurityGroupIngressRequest) (*ec2api.AuthorizeSecurityGroupIngressResult, error) {
	perms := append(in.IpPermissions, legacyPermission(in.CidrIp, in.IpProtocol, in.FromPort, in.ToPort, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerId)...)
	out, err := s.authorize(s.Call(ctx), false, in.GroupId, in.GroupName, perms, in.TagSpecifications, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &ec2api.AuthorizeSecurityGroupIngressResult{Return: new(true), SecurityGroupRules: out}, nil
}

func (s *Service) AuthorizeSecurityGroupEgress(ctx context.Context, in *ec2api.AuthorizeSecurityGroupEgressRequest) (*ec2api.AuthorizeSecurityGroupEgressResult, error) {
	perms := append(in.IpPermissions, legacyPermission(in.CidrIp, in.IpProtocol, in.FromPort, in.ToPort, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerId)...)
	out, err := s.authorize(s.Call(ctx), true, in.GroupId, nil, perms, in.TagSpecifications, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &ec2api.AuthorizeSecurityGroupEgressResult{Return: new(true), SecurityGroupRules: out}, nil
}

// revokeResult is what a revoke removed, and the permissions it matched no rule for.
type revokeResult struct {
	revoked []ec2api.RevokedSecurityGroupRule
	unknown []ec2api.IpPermission
}

// revoke removes rules of a group, named by id or by IpPermissions. Permissions that
// match no rule are answered back as unknown, as AWS does; when nothing at all matches,
// the request is refused (InvalidPermission.NotFound), which is what a caller who
// revoked the wrong thing needs to hear.
func (s *Service) revoke(c kit.Call, egress bool, groupID, groupName *string, ids []string, perms []ec2api.IpPermission, dry *bool) (revokeResult, error) {
	if len(ids) == 0 && len(perms) == 0 {
		return revokeResult{}, msgNoPermissions.New()
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (revokeResult, error) {
		g, err := groupOf(v, groupID, groupName)
		if err != nil {
			return revokeResult{}, err
		}
		doomed, res, err := rulesToRevoke(v, g, egress, ids, perms)
		if err != nil {
			return revokeResult{}, err
		}
		if err := dryRun(dry); err != nil {
			return revokeResult{}, err
		}
		for _, r := range doomed {
			if err := rules.Delete(v, g.ID, r.ID); err != nil {
				return revokeResult{}, err
			}
			if err := tagSets.Delete(v, r.ID); err != nil {
				return revokeResult{}, err
			}
			res.revoked = append(res.revoked, ec2api.RevokedSecurityGroupRule{
				SecurityGroupRuleId: new(r.ID), GroupId: new(g.ID), IsEgress: new(r.Egress), IpProtocol: new(r.Protocol),
				FromPort: new(r.FromPort), ToPort: new(r.ToPort), CidrIpv4: optional(r.CidrIPv4), CidrIpv6: optional(r.CidrIPv6),
				PrefixListId: optional(r.PrefixList), ReferencedGroupId: optional(r.RefGroupID), Description: optional(r.Description),
			})
		}
		return res, nil
	})
}

// rulesToRevoke finds the rules a revoke names.
func rulesToRevoke(v kit.View, g *groupRecord, egress bool, ids []string, perms []ec2api.IpPermission) ([]*ruleRecord, revokeResult, error) {
	var res revokeResult
	existing, err := groupRules(v, g.ID, egress)
	if err != nil {
		return nil, res, err
	}
	var doomed []*ruleRecord
	for _, id := range ids {
		r, err := ruleIn(v, g, id)
		if err != nil {
			return nil, res, err
		}
		doomed = append(doomed, r)
	}
	for _, p := range perms {
		asked, err := expand(v, g, egress, []ec2api.IpPermission{p})
		if err != nil {
			return nil, res, err
		}
		for i := range asked {
			match := firstMatch(existing, &asked[i])
			if match == nil {
				res.unknown = append(res.unknown, permissions([]*ruleRecord{&asked[i]})...)
				continue
			}
			doomed = append(doomed, match)
		}
	}
	if len(doomed) == 0 {
		return nil, res, msgRuleNotFound.New()
	}
	return doomed, res, nil
}

func firstMatch(rs []*ruleRecord, want *ruleRecord) *ruleRecord {
	for _, r := range rs {
		if sameRule(r, want) {
			return r
		}
	}
	return nil
}

// ruleIn finds a rule of group g by id.
func ruleIn(v kit.View, g *groupRecord, id string) (*ruleRecord, error) {
	if !wellFormed(id, prefixRule) {
		return nil, msgRuleIDMalformed.New(id)
	}
	r, err := rules.Get(v, g.ID, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		if ruleExists(v, id) {
			return nil, msgRuleNotInGroup.New(id, g.ID)
		}
		return nil, msgRuleIDNotFound.New(id)
	}
	return r, nil
}

func (s *Service) RevokeSecurityGroupIngress(ctx context.Context, in *ec2api.RevokeSecurityGroupIngressRequest) (*ec2api.RevokeSecurityGroupIngressResult, error) {
	perms := append(in.IpPermissions, legacyPermission(in.CidrIp, in.IpProtocol, in.FromPort, in.ToPort, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerId)...)
	res, err := s.revoke(s.Call(ctx), false, in.GroupId, in.GroupName, in.SecurityGroupRuleIds, perms, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &ec2api.RevokeSecurityGroupIngressResult{Return: new(true), RevokedSecurityGroupRules: res.revoked, UnknownIpPermissions: res.unknown}, nil
}

func (s *Service) RevokeSecurityGroupEgress(ctx context.Context, in *ec2api.RevokeSecurityGroupEgressRequest) (*ec2api.RevokeSecurityGroupEgressResult, error) {
	perms := append(in.IpPermissions, legacyPermission(in.CidrIp, in.IpProtocol, in.FromPort, in.ToPort, in.SourceSecurityGroupName, in.SourceSecurityGroupOwnerId)...)
	res, err := s.revoke(s.Call(ctx), true, in.GroupId, nil, in.SecurityGroupRuleIds, perms, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &ec2api.RevokeSecurityGroupEgressResult{Return: new(true), RevokedSecurityGroupRules: res.revoked, UnknownIpPermissions: res.unknown}, nil
}

// ruleRow is a rule with its group, for DescribeSecurityGroupRules.
type ruleRow struct {
	rule  *ruleRecord
	group *groupRecord
}

func (r *ruleRow) id() string { return r.rule.ID }

func (s *Service) DescribeSecurityGroupRules(ctx context.Context, in *ec2api.DescribeSecurityGroupRulesRequest) (*ec2api.DescribeSecurityGroupRulesResult, error) {
	c := s.Call(ctx)
	known := fields{"group-id": nil, "security-group-rule-id": nil}
	if err := checkFilters(in.Filters, known); err != nil {
		return nil, err
	}
	if len(in.SecurityGroupRuleIds) > 0 && in.MaxResults != nil {
		return nil, msgIDsWithMaxResults.New(paramSecurityGroupRuleId)
	}
	return read(s, c, func(v kit.View) (*ec2api.DescribeSecurityGroupRulesResult, error) {
		rows, err := ruleRows(v, in.SecurityGroupRuleIds, in.Filters)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		p, err := paginate(s, v, describeQuery{op: "DescribeSecurityGroupRules", maxResults: in.MaxResults, nextToken: in.NextToken}, rows, (*ruleRow).id)
		if err != nil {
			return nil, err
		}
		out := &ec2api.DescribeSecurityGroupRulesResult{SecurityGroupRules: []ec2api.SecurityGroupRule{}, NextToken: p.next}
		for _, r := range p.items {
			out.SecurityGroupRules = append(out.SecurityGroupRules, ruleOut(v, r.group, r.rule))
		}
		return out, nil
	})
}

// ruleRows lists the rules ids names (all when none), that pass the filters, in id
// order.
func ruleRows(v kit.View, ids []string, filters []ec2api.Filter) ([]*ruleRow, error) {
	for _, id := range ids {
		if !wellFormed(id, prefixRule) {
			return nil, msgRuleIDMalformed.New(id)
		}
		if !ruleExists(v, id) {
			return nil, msgRuleIDNotFound.New(id)
		}
	}
	all, err := rules.List(v)
	if err != nil {
		return nil, err
	}
	var rows []*ruleRow
	for _, r := range all {
		if len(ids) > 0 && !slices.Contains(ids, r.ID) {
			continue
		}
		f := fields{"group-id": {r.GroupID}, "security-group-rule-id": {r.ID}}
		if !matches(filters, f, tagsOf(v, r.ID)) {
			continue
		}
		g, err := groups.Get(v, r.GroupID)
		if err != nil || g == nil {
			return nil, err
		}
		rows = append(rows, &ruleRow{rule: r, group: g})
	}
	slices.SortFunc(rows, func(a, b *ruleRow) int { return strings.Compare(a.id(), b.id()) })
	return rows, nil
}

func (s *Service) ModifySecurityGroupRules(ctx context.Context, in *ec2api.ModifySecurityGroupRulesRequest) (*ec2api.ModifySecurityGroupRulesResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.ModifySecurityGroupRulesResult, error) {
		g, err := groupKind.get(v, *in.GroupId)
		if err != nil {
			return nil, err
		}
		var changed []*ruleRecord
		for _, u := range in.SecurityGroupRules {
			r, err := ruleIn(v, g, *u.SecurityGroupRuleId)
			if err != nil {
				return nil, err
			}
			next, err := replaceRule(v, g, r, u.SecurityGroupRule)
			if err != nil {
				return nil, err
			}
			changed = append(changed, next)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		for _, r := range changed {
			if err := rules.Put(v, r, g.ID, r.ID); err != nil {
				return nil, err
			}
		}
		return &ec2api.ModifySecurityGroupRulesResult{Return: new(true)}, nil
	})
}

// replaceRule is rule r with what req says, checked as a new rule would be.
func replaceRule(v kit.View, g *groupRecord, r *ruleRecord, req *ec2api.SecurityGroupRuleRequest) (*ruleRecord, error) {
	if req == nil {
		return nil, msgNoAttribute.New(paramSecurityGroupRule)
	}
	peers := 0
	for _, p := range []*string{req.CidrIpv4, req.CidrIpv6, req.PrefixListId, req.ReferencedGroupId} {
		if p != nil {
			peers++
		}
	}
	switch {
	case peers == 0:
		return nil, msgRulePeerMissing.New()
	case peers > 1:
		return nil, msgRuleOneSource.New()
	}
	perm := ec2api.IpPermission{IpProtocol: req.IpProtocol, FromPort: req.FromPort, ToPort: req.ToPort}
	switch {
	case req.CidrIpv4 != nil:
		perm.IpRanges = []ec2api.IpRange{{CidrIp: req.CidrIpv4, Description: req.Description}}
	case req.CidrIpv6 != nil:
		perm.Ipv6Ranges = []ec2api.Ipv6Range{{CidrIpv6: req.CidrIpv6, Description: req.Description}}
	case req.PrefixListId != nil:
		perm.PrefixListIds = []ec2api.PrefixListId{{PrefixListId: req.PrefixListId, Description: req.Description}}
	default:
		perm.UserIdGroupPairs = []ec2api.UserIdGroupPair{{GroupId: req.ReferencedGroupId, Description: req.Description}}
	}
	next, err := expand(v, g, r.Egress, []ec2api.IpPermission{perm})
	if err != nil {
		return nil, err
	}
	next[0].ID = r.ID
	return &next[0], nil
}

// updateDescriptions updates the descriptions of rules named by IpPermissions (the description of
// each range or pair) or by rule id.
func (s *Service) updateDescriptions(c kit.Call, egress bool, groupID, groupName *string, perms []ec2api.IpPermission,
	byID []ec2api.SecurityGroupRuleDescription, dry *bool) error {
	_, err := write(s, c, func(tx kit.Tx, v kit.View) (bool, error) {
		g, err := groupOf(v, groupID, groupName)
		if err != nil {
			return false, err
		}
		changed, err := describedRules(v, g, egress, perms, byID)
		if err != nil {
			return false, err
		}
		if err := dryRun(dry); err != nil {
			return false, err
		}
		for _, r := range changed {
			if err := rules.Put(v, r, g.ID, r.ID); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	return err
}

func describedRules(v kit.View, g *groupRecord, egress bool, perms []ec2api.IpPermission, byID []ec2api.SecurityGroupRuleDescription) ([]*ruleRecord, error) {
	var changed []*ruleRecord
	for _, d := range byID {
		r, err := ruleIn(v, g, deref(d.SecurityGroupRuleId))
		if err != nil {
			return nil, err
		}
		r.Description = deref(d.Description)
		changed = append(changed, r)
	}
	existing, err := groupRules(v, g.ID, egress)
	if err != nil {
		return nil, err
	}
	asked, err := expand(v, g, egress, perms)
	if err != nil {
		return nil, err
	}
	for i := range asked {
		match := firstMatch(existing, &asked[i])
		if match == nil {
			return nil, msgRuleNotFound.New()
		}
		match.Description = asked[i].Description
		changed = append(changed, match)
	}
	return changed, nil
}

func (s *Service) UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, in *ec2api.UpdateSecurityGroupRuleDescriptionsIngressRequest) (*ec2api.UpdateSecurityGroupRuleDescriptionsIngressResult, error) {
	if err := s.updateDescriptions(s.Call(ctx), false, in.GroupId, in.GroupName, in.IpPermissions, in.SecurityGroupRuleDescriptions, in.DryRun); err != nil {
		return nil, err
	}
	return &ec2api.UpdateSecurityGroupRuleDescriptionsIngressResult{Return: new(true)}, nil
}

func (s *Service) UpdateSecurityGroupRuleDescriptionsEgress(ctx context.Context, in *ec2api.UpdateSecurityGroupRuleDescriptionsEgressRequest) (*ec2api.UpdateSecurityGroupRuleDescriptionsEgressResult, error) {
	if err := s.updateDescriptions(s.Call(ctx), true, in.GroupId, in.GroupName, in.IpPermissions, in.SecurityGroupRuleDescriptions, in.DryRun); err != nil {
		return nil, err
	}
	return &ec2api.UpdateSecurityGroupRuleDescriptionsEgressResult{Return: new(true)}, nil
}
