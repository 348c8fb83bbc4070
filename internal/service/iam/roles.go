package iam

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// Role defaults and quotas (AWS's defaults).
const (
	defaultSessionDuration = 3600
	rolesPerAccount        = 1000
)

func noSuchRole(name string) error {
	return msgNoSuchRole.New(name)
}

func pathOr(p *string) string {
	if p == nil {
		return "/"
	}
	return *p
}

func checkTrustPolicy(doc string) error {
	if err := validateTrustPolicy(doc); err != nil {
		return err
	}
	if policySize(doc) > trustPolicyQuota {
		return msgQuota.New(quotaACLSizePerRole, trustPolicyQuota)
	}
	return nil
}

func (s *Service) CreateRole(ctx context.Context, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	c := s.newCall(ctx)
	if err := checkPath(in.Path); err != nil {
		return nil, err
	}
	doc := deref(in.AssumeRolePolicyDocument)
	if err := checkTrustPolicy(doc); err != nil {
		return nil, err
	}
	tags, err := requestTags(in.Tags)
	if err != nil {
		return nil, err
	}
	r := &roleRecord{
		Name: deref(in.RoleName), ID: "AROA" + ids.Upper(17), Path: pathOr(in.Path), Created: s.now(),
		TrustPolicy: doc, Description: deref(in.Description), MaxSessionDuration: defaultSessionDuration, Tags: tags,
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = *in.MaxSessionDuration
	}
	var out iamapi.Role
	err = s.Update(func(tx kit.Tx) error {
		if existing, ok, err := loadRole(c.in(tx), r.Name); err != nil {
			return err
		} else if ok {
			return msgRoleExists.New(existing.Name)
		}
		if in.PermissionsBoundary != nil {
			if err := checkBoundary(tx, c, *in.PermissionsBoundary); err != nil {
				return err
			}
			r.Boundary = *in.PermissionsBoundary
		}
		if err := roomFor(roleTable, c.in(tx), rolesPerAccount, quotaRolesPerAccount); err != nil {
			return err
		}
		if err := saveRole(c.in(tx), r); err != nil {
			return err
		}
		if r.Boundary != "" {
			if err := boundaryIndex.Add(c.in(tx), r.Boundary, nameKey(r.Name)); err != nil {
				return err
			}
		}
		out = r.apiRole(c, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateRoleResponse{Role: &out}, nil
}

func (s *Service) GetRole(ctx context.Context, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	c := s.newCall(ctx)
	var out iamapi.Role
	err := s.View(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		out = r.apiRole(c, true)
		// xregion does not track role use; AWS answers an empty element in that case.
		out.RoleLastUsed = &iamapi.RoleLastUsed{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRoleResponse{Role: &out}, nil
}

// allRoles returns the account's roles in name order.
func allRoles(v kit.View) ([]*roleRecord, error) { return roleTable.List(v) }

func roleKey(r *roleRecord) string { return nameKey(r.Name) }

func (s *Service) ListRoles(ctx context.Context, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	c := s.newCall(ctx)
	if err := checkPathPrefix(in.PathPrefix); err != nil {
		return nil, err
	}
	prefix := pathOr(in.PathPrefix)
	out := &iamapi.ListRolesResponse{Roles: []iamapi.Role{}}
	err := s.View(func(tx kit.Tx) error {
		roles, err := allRoles(c.in(tx))
		if err != nil {
			return err
		}
		var matching []*roleRecord
		for _, r := range roles {
			if strings.HasPrefix(r.Path, prefix) {
				matching = append(matching, r)
			}
		}
		p, err := paginate(c, matching, roleKey, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for _, r := range p.items {
			out.Roles = append(out.Roles, r.apiRole(c, false))
		}
		out.IsTruncated, out.Marker = ptr(p.truncated), p.marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) DeleteRole(ctx context.Context, in *iamapi.DeleteRoleRequest) (*awsmodel.Empty, error) {
	c := s.newCall(ctx)
	return nil, s.Update(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		switch {
		case len(r.Profiles) > 0:
			return msgInProfile.New()
		case len(r.Attached) > 0:
			return msgRoleHasAttached.New()
		case len(r.Inline) > 0:
			return msgRoleHasInline.New()
		}
		if r.Boundary != "" {
			if err := boundaryIndex.Remove(c.in(tx), r.Boundary, nameKey(r.Name)); err != nil {
				return err
			}
		}
		return roleTable.Delete(c.in(tx), nameKey(r.Name))
	})
}

// updateRoleWith loads a role, lets change alter it, and saves it, all in one write.
func (s *Service) updateRoleWith(ctx context.Context, name string, change func(tx kit.Tx, c call, r *roleRecord) error) (call, *roleRecord, error) {
	c := s.newCall(ctx)
	var role *roleRecord
	err := s.Update(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), name)
		if err != nil {
			return err
		}
		if err := change(tx, c, r); err != nil {
			return err
		}
		role = r
		return saveRole(c.in(tx), r)
	})
	return c, role, err
}

func (s *Service) UpdateRole(ctx context.Context, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ kit.Tx, _ call, r *roleRecord) error {
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleResponse{}, nil
}

func (s *Service) UpdateRoleDescription(ctx context.Context, in *iamapi.UpdateRoleDescriptionRequest) (*iamapi.UpdateRoleDescriptionResponse, error) {
	c, r, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ kit.Tx, _ call, r *roleRecord) error {
		r.Description = deref(in.Description)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := r.apiRole(c, true)
	return &iamapi.UpdateRoleDescriptionResponse{Role: &out}, nil
}

// UpdateAssumeRolePolicy looks the role up before it reads the document: AWS reports a
// missing role even when the document is bad too.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ kit.Tx, _ call, r *roleRecord) error {
		doc := deref(in.PolicyDocument)
		if err := checkTrustPolicy(doc); err != nil {
			return err
		}
		r.TrustPolicy = doc
		return nil
	})
	return nil, err
}

func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *iamapi.PutRolePermissionsBoundaryRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(tx kit.Tx, c call, r *roleRecord) error {
		boundary := deref(in.PermissionsBoundary)
		if err := checkBoundary(tx, c, boundary); err != nil {
			return err
		}
		return setBoundary(tx, c, r, boundary)
	})
	return nil, err
}

func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *iamapi.DeleteRolePermissionsBoundaryRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(tx kit.Tx, c call, r *roleRecord) error {
		return setBoundary(tx, c, r, "")
	})
	return nil, err
}

// setBoundary replaces a role's permissions boundary and keeps the index of boundary
// uses (which DeletePolicy and PermissionsBoundaryUsageCount read) in step.
func setBoundary(tx kit.Tx, c call, r *roleRecord, boundary string) error {
	if r.Boundary != "" {
		if err := boundaryIndex.Remove(c.in(tx), r.Boundary, nameKey(r.Name)); err != nil {
			return err
		}
	}
	r.Boundary = boundary
	if boundary == "" {
		return nil
	}
	return boundaryIndex.Add(c.in(tx), boundary, nameKey(r.Name))
}

// checkBoundary checks that a permissions boundary names a managed policy that exists.
func checkBoundary(tx kit.Tx, c call, policyARN string) error {
	_, ok, err := resolvePolicy(tx, c, policyARN)
	if err != nil {
		return err
	}
	if !ok {
		return msgBoundaryNotAttachable.New(policyARN)
	}
	return nil
}

func (s *Service) TagRole(ctx context.Context, in *iamapi.TagRoleRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ kit.Tx, _ call, r *roleRecord) error {
		tags, err := mergeTags(r.Tags, in.Tags, "Role")
		if err != nil {
			return err
		}
		r.Tags = tags
		return nil
	})
	return nil, err
}

func (s *Service) UntagRole(ctx context.Context, in *iamapi.UntagRoleRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ kit.Tx, _ call, r *roleRecord) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	return nil, err
}

func (s *Service) ListRoleTags(ctx context.Context, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListRoleTagsResponse{}
	err := s.View(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		out.Tags, out.IsTruncated, out.Marker, err = tagPage(c, r.Tags, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
