package iam

import (
	"context"
	"sort"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// A role's inline policies: documents embedded in the role, named within it.

func noSuchRolePolicy(name string) error {
	return msgNoSuchRolePolicy.New(name)
}

func findInline(r *roleRecord, name string) int {
	for i, p := range r.Inline {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// PutRolePolicy adds or replaces an inline policy. The role is looked up first: AWS
// reports a missing role even when the document is bad too.
func (s *Service) PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyRequest) (*awsmodel.Empty, error) {
	name, doc := deref(in.PolicyName), deref(in.PolicyDocument)
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ kit.Tx, _ call, r *roleRecord) error {
		if err := validatePermissionsPolicy(doc); err != nil {
			return err
		}
		i := findInline(r, name)
		total := policySize(doc)
		for j, p := range r.Inline {
			if j != i {
				total += policySize(p.Document)
			}
		}
		if total > inlineRoleQuota {
			return msgInlineTooLarge.New(inlineRoleQuota, r.Name)
		}
		if i >= 0 {
			r.Inline[i].Document = doc
			return nil
		}
		r.Inline = append(r.Inline, inlinePolicy{Name: name, Document: doc})
		sort.Slice(r.Inline, func(a, b int) bool { return r.Inline[a].Name < r.Inline[b].Name })
		return nil
	})
	return nil, err
}

func (s *Service) GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyRequest) (*iamapi.GetRolePolicyResponse, error) {
	c := s.newCall(ctx)
	var out *iamapi.GetRolePolicyResponse
	err := s.View(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		i := findInline(r, deref(in.PolicyName))
		if i < 0 {
			return noSuchRolePolicy(deref(in.PolicyName))
		}
		p := r.Inline[i]
		out = &iamapi.GetRolePolicyResponse{RoleName: ptr(r.Name), PolicyName: ptr(p.Name), PolicyDocument: ptr(encodeDocument(p.Document))}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) DeleteRolePolicy(ctx context.Context, in *iamapi.DeleteRolePolicyRequest) (*awsmodel.Empty, error) {
	_, _, err := s.updateRoleWith(ctx, deref(in.RoleName), func(_ kit.Tx, _ call, r *roleRecord) error {
		i := findInline(r, deref(in.PolicyName))
		if i < 0 {
			return noSuchRolePolicy(deref(in.PolicyName))
		}
		r.Inline = append(r.Inline[:i], r.Inline[i+1:]...)
		return nil
	})
	return nil, err
}

func (s *Service) ListRolePolicies(ctx context.Context, in *iamapi.ListRolePoliciesRequest) (*iamapi.ListRolePoliciesResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListRolePoliciesResponse{PolicyNames: []string{}}
	err := s.View(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		p, err := paginate(c, r.Inline, func(p inlinePolicy) string { return p.Name }, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for _, pol := range p.items {
			out.PolicyNames = append(out.PolicyNames, pol.Name)
		}
		out.IsTruncated, out.Marker = ptr(p.truncated), p.marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
