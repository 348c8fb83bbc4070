package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// policiesPerRole is AWS's default quota of managed policies attached to one role.
const policiesPerRole = 10

// AttachRolePolicy attaches a managed policy. Attaching one that is already attached
// succeeds and changes nothing, as in AWS.
func (s *Service) AttachRolePolicy(ctx context.Context, in *iamapi.AttachRolePolicyRequest) (*awsmodel.Empty, error) {
	policyARN := deref(in.PolicyArn)
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(tx kit.Tx, c call, r *roleRecord) error {
		m, ok, err := resolvePolicy(tx, c, policyARN)
		if err != nil {
			return err
		}
		if !ok {
			return msgNotAttachable.New(policyARN)
		}
		i := sort.SearchStrings(r.Attached, m.arn)
		if i < len(r.Attached) && r.Attached[i] == m.arn {
			return nil
		}
		if len(r.Attached) >= policiesPerRole {
			return msgQuota.New(quotaPoliciesPerRole, policiesPerRole)
		}
		r.Attached = append(r.Attached[:i], append([]string{m.arn}, r.Attached[i:]...)...)
		return attachmentIndex.Add(c.in(tx), m.arn, nameKey(r.Name))
	})
	return nil, err
}

func (s *Service) DetachRolePolicy(ctx context.Context, in *iamapi.DetachRolePolicyRequest) (*awsmodel.Empty, error) {
	policyARN := deref(in.PolicyArn)
	if _, _, _, err := parsePolicyARN(policyARN); err != nil {
		return nil, err
	}
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(tx kit.Tx, c call, r *roleRecord) error {
		i := sort.SearchStrings(r.Attached, policyARN)
		if i == len(r.Attached) || r.Attached[i] != policyARN {
			return noSuchPolicy(policyARN)
		}
		r.Attached = append(r.Attached[:i], r.Attached[i+1:]...)
		return attachmentIndex.Remove(c.in(tx), policyARN, nameKey(r.Name))
	})
	return nil, err
}

// attachedPolicy is an attachment as ListAttachedRolePolicies shows it; name and path
// come from the ARN, which stays valid for as long as the policy is attached (a policy
// cannot be deleted while attached).
type attachedPolicy struct {
	arn, path, name string
}

func (a attachedPolicy) sortKey() string { return nameKey(a.name) + sortSep + a.arn }

func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *iamapi.ListAttachedRolePoliciesRequest) (*iamapi.ListAttachedRolePoliciesResponse, error) {
	c := s.newCall(ctx)
	if err := checkPathPrefix(in.PathPrefix); err != nil {
		return nil, err
	}
	prefix := pathOr(in.PathPrefix)
	out := &iamapi.ListAttachedRolePoliciesResponse{AttachedPolicies: []iamapi.AttachedPolicy{}}
	err := s.View(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		var attached []attachedPolicy
		for _, a := range r.Attached {
			_, path, name, err := parsePolicyARN(a)
			if err != nil {
				return err
			}
			if strings.HasPrefix(path, prefix) {
				attached = append(attached, attachedPolicy{arn: a, path: path, name: name})
			}
		}
		sort.Slice(attached, func(i, j int) bool { return attached[i].sortKey() < attached[j].sortKey() })
		p, err := paginate(c, attached, attachedPolicy.sortKey, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for _, a := range p.items {
			out.AttachedPolicies = append(out.AttachedPolicies, iamapi.AttachedPolicy{PolicyName: ptr(a.name), PolicyArn: ptr(a.arn)})
		}
		out.IsTruncated, out.Marker = ptr(p.truncated), p.marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListEntitiesForPolicy lists the roles that use a managed policy. xregion has no users
// or groups, so those lists are always empty.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *iamapi.ListEntitiesForPolicyRequest) (*iamapi.ListEntitiesForPolicyResponse, error) {
	c := s.newCall(ctx)
	if err := checkPathPrefix(in.PathPrefix); err != nil {
		return nil, err
	}
	prefix := pathOr(in.PathPrefix)
	out := &iamapi.ListEntitiesForPolicyResponse{
		PolicyGroups: []iamapi.PolicyGroup{}, PolicyUsers: []iamapi.PolicyUser{}, PolicyRoles: []iamapi.PolicyRole{},
	}
	err := s.View(func(tx kit.Tx) error {
		m, err := mustPolicy(tx, c, deref(in.PolicyArn))
		if err != nil {
			return err
		}
		var roles []*roleRecord
		if filter := deref(in.EntityFilter); filter == "" || filter == iamapi.EntityTypeRole {
			users := attachmentIndex
			if deref(in.PolicyUsageFilter) == iamapi.PolicyUsageTypePermissionsBoundary {
				users = boundaryIndex
			}
			var keys []string
			err := users.Keys(c.in(tx), "", func(e kit.Entry) bool {
				keys = append(keys, e.Last())
				return true
			}, m.arn)
			if err != nil {
				return err
			}
			for _, k := range keys {
				r, ok, err := loadRole(c.in(tx), k)
				if err != nil {
					return err
				}
				if ok && strings.HasPrefix(r.Path, prefix) {
					roles = append(roles, r)
				}
			}
		}
		p, err := paginate(c, roles, roleKey, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for _, r := range p.items {
			out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: ptr(r.Name), RoleId: ptr(r.ID)})
		}
		out.IsTruncated, out.Marker = ptr(p.truncated), p.marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
