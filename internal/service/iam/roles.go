package iam

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/store"
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

func (s *Service) createRole(ctx context.Context, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	c := newCall(ctx)
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
	err = s.st.Update(func(tx store.Tx) error {
		if existing, ok, err := loadRole(tx, c.scope, r.Name); err != nil {
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
		n, err := count(tx, c.scope.Prefix(kindRole))
		if err != nil {
			return err
		}
		if n >= rolesPerAccount {
			return msgQuota.New(quotaRolesPerAccount, rolesPerAccount)
		}
		if err := saveRole(tx, c.scope, r); err != nil {
			return err
		}
		if r.Boundary != "" {
			if err := tx.Put(c.scope.Key(kindBoundary, r.Boundary, nameKey(r.Name)), nil); err != nil {
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

func (s *Service) getRole(ctx context.Context, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	c := newCall(ctx)
	var out iamapi.Role
	err := s.st.View(func(tx store.Tx) error {
		r, err := mustRole(tx, c.scope, deref(in.RoleName))
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
func allRoles(tx store.Tx, sc store.Scope) ([]*roleRecord, error) {
	var roles []*roleRecord
	err := store.ScanJSON(tx, sc.Prefix(kindRole), func(_ string, r *roleRecord) bool {
		roles = append(roles, r)
		return true
	})
	return roles, err
}

func roleKey(r *roleRecord) string { return nameKey(r.Name) }

func (s *Service) listRoles(ctx context.Context, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	c := newCall(ctx)
	if err := checkPathPrefix(in.PathPrefix); err != nil {
		return nil, err
	}
	prefix := pathOr(in.PathPrefix)
	out := &iamapi.ListRolesResponse{Roles: []iamapi.Role{}}
	err := s.st.View(func(tx store.Tx) error {
		roles, err := allRoles(tx, c.scope)
		if err != nil {
			return err
		}
		var matching []*roleRecord
		for _, r := range roles {
			if strings.HasPrefix(r.Path, prefix) {
				matching = append(matching, r)
			}
		}
		p, err := paginate(matching, roleKey, in.Marker, in.MaxItems)
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

func (s *Service) deleteRole(ctx context.Context, in *iamapi.DeleteRoleRequest) (*awsmodel.Empty, error) {
	c := newCall(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		r, err := mustRole(tx, c.scope, deref(in.RoleName))
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
			if err := tx.Delete(c.scope.Key(kindBoundary, r.Boundary, nameKey(r.Name))); err != nil {
				return err
			}
		}
		return tx.Delete(c.scope.Key(kindRole, nameKey(r.Name)))
	})
}

// updateRoleWith loads a role, lets change alter it, and saves it, all in one write.
func (s *Service) updateRoleWith(ctx context.Context, name string, change func(tx store.Tx, c call, r *roleRecord) error) (call, *roleRecord, error) {
	c := newCall(ctx)
	var role *roleRecord
	err := s.st.Update(func(tx store.Tx) error {
		r, err := mustRole(tx, c.scope, name)
		if err != nil {
			return err
		}
		if err := change(tx, c, r); err != nil {
			return err
		}
		role = r
		return saveRole(tx, c.scope, r)
	})
	return c, role, err
}

func (s *Service) updateRole(ctx context.Context, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ store.Tx, _ call, r *roleRecord) error {
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

func (s *Service) updateRoleDescription(ctx context.Context, in *iamapi.UpdateRoleDescriptionRequest) (*iamapi.UpdateRoleDescriptionResponse, error) {
	c, r, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ store.Tx, _ call, r *roleRecord) error {
		r.Description = deref(in.Description)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := r.apiRole(c, true)
	return &iamapi.UpdateRoleDescriptionResponse{Role: &out}, nil
}

// updateAssumeRolePolicy looks the role up before it reads the document: AWS reports a
// missing role even when the document is bad too.
func (s *Service) updateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ store.Tx, _ call, r *roleRecord) error {
		doc := deref(in.PolicyDocument)
		if err := checkTrustPolicy(doc); err != nil {
			return err
		}
		r.TrustPolicy = doc
		return nil
	})
	return nil, err
}

func (s *Service) putRolePermissionsBoundary(ctx context.Context, in *iamapi.PutRolePermissionsBoundaryRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(tx store.Tx, c call, r *roleRecord) error {
		boundary := deref(in.PermissionsBoundary)
		if err := checkBoundary(tx, c, boundary); err != nil {
			return err
		}
		return setBoundary(tx, c, r, boundary)
	})
	return nil, err
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, in *iamapi.DeleteRolePermissionsBoundaryRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(tx store.Tx, c call, r *roleRecord) error {
		return setBoundary(tx, c, r, "")
	})
	return nil, err
}

// setBoundary replaces a role's permissions boundary and keeps the index of boundary
// uses (which DeletePolicy and PermissionsBoundaryUsageCount read) in step.
func setBoundary(tx store.Tx, c call, r *roleRecord, boundary string) error {
	if r.Boundary != "" {
		if err := tx.Delete(c.scope.Key(kindBoundary, r.Boundary, nameKey(r.Name))); err != nil {
			return err
		}
	}
	r.Boundary = boundary
	if boundary == "" {
		return nil
	}
	return tx.Put(c.scope.Key(kindBoundary, boundary, nameKey(r.Name)), nil)
}

// checkBoundary checks that a permissions boundary names a managed policy that exists.
func checkBoundary(tx store.Tx, c call, policyARN string) error {
	_, ok, err := resolvePolicy(tx, c, policyARN)
	if err != nil {
		return err
	}
	if !ok {
		return msgBoundaryNotAttachable.New(policyARN)
	}
	return nil
}

func (s *Service) tagRole(ctx context.Context, in *iamapi.TagRoleRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ store.Tx, _ call, r *roleRecord) error {
		tags, err := mergeTags(r.Tags, in.Tags, "Role")
		if err != nil {
			return err
		}
		r.Tags = tags
		return nil
	})
	return nil, err
}

func (s *Service) untagRole(ctx context.Context, in *iamapi.UntagRoleRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ store.Tx, _ call, r *roleRecord) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	return nil, err
}

func (s *Service) listRoleTags(ctx context.Context, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	c := newCall(ctx)
	out := &iamapi.ListRoleTagsResponse{}
	err := s.st.View(func(tx store.Tx) error {
		r, err := mustRole(tx, c.scope, deref(in.RoleName))
		if err != nil {
			return err
		}
		out.Tags, out.IsTruncated, out.Marker, err = tagPage(r.Tags, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
