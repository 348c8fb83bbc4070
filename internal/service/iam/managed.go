package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// Managed policy quotas (AWS's defaults).
const (
	maxPolicyVersions  = 5
	policiesPerAccount = 1500
)

// managed is a managed policy of either owner: AWS (read-only, shared by every account)
// or the calling account.
type managed struct {
	arn   string
	aws   *awsPolicy
	local *policyRecord
}

func (m managed) name() string {
	if m.aws != nil {
		return m.aws.Name
	}
	return m.local.Name
}

func (m managed) path() string {
	if m.aws != nil {
		return m.aws.Path
	}
	return m.local.Path
}

// sortKey orders policies by name; the ARN tells an account's policy from AWS's one of
// the same name.
func (m managed) sortKey() string { return nameKey(m.name()) + sortSep + m.arn }

func (m managed) versions() []policyVersion {
	if m.aws != nil {
		return []policyVersion{{ID: awsPolicyVersion, Document: m.aws.Document, Created: m.aws.Created}}
	}
	return m.local.Versions
}

func (m managed) defaultVersion() string {
	if m.aws != nil {
		return awsPolicyVersion
	}
	return m.local.Default
}

// writable refuses changes to AWS's own policies.
func (m managed) writable(c call, action string) error {
	if m.aws == nil {
		return nil
	}
	return msgAccessDenied.New(c.caller, action, m.arn)
}

// parsePolicyARN checks the form of a managed policy ARN and splits it.
func parsePolicyARN(s string) (arn.ARN, string, string, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Region != "" || (a.Account != "aws" && !auth.IsAccountID(a.Account)) ||
		!strings.HasPrefix(a.Resource, "policy/") {
		return arn.ARN{}, "", "", msgInvalidARN.New(s)
	}
	path, name := splitPathName(strings.TrimPrefix(a.Resource, "policy"))
	if name == "" {
		return arn.ARN{}, "", "", msgInvalidARN.New(s)
	}
	return a, path, name, nil
}

// resolvePolicy finds the managed policy an ARN names. A malformed ARN is InvalidInput;
// a well-formed one that names nothing this account can see is reported as not found.
func resolvePolicy(tx kit.Tx, c call, policyARN string) (managed, bool, error) {
	a, path, name, err := parsePolicyARN(policyARN)
	if err != nil {
		return managed{}, false, err
	}
	if a.Partition != c.Partition {
		return managed{}, false, nil
	}
	if a.Account == "aws" {
		p, ok := awsPolicyByPathName(path + name)
		if !ok {
			return managed{}, false, nil
		}
		return managed{arn: p.arn(c), aws: p}, true, nil
	}
	if a.Account != c.Account {
		return managed{}, false, nil
	}
	p, ok, err := loadPolicy(c.in(tx), name)
	if err != nil || !ok || p.Path != path || p.Name != name {
		return managed{}, false, err
	}
	return managed{arn: p.arn(c), local: p}, true, nil
}

func noSuchPolicy(policyARN string) error {
	return msgNoSuchPolicy.New(policyARN)
}

func mustPolicy(tx kit.Tx, c call, policyARN string) (managed, error) {
	m, ok, err := resolvePolicy(tx, c, policyARN)
	if err != nil {
		return managed{}, err
	}
	if !ok {
		return managed{}, noSuchPolicy(policyARN)
	}
	return m, nil
}

// usage counts the account's roles that have a policy attached and that use it as their
// permissions boundary.
func usage(tx kit.Tx, c call, policyARN string) (attached, boundary int, err error) {
	if attached, err = count(attachmentIndex, c.in(tx), policyARN); err != nil {
		return 0, 0, err
	}
	boundary, err = count(boundaryIndex, c.in(tx), policyARN)
	return attached, boundary, err
}

// apiPolicy renders a policy. ListPolicies leaves out the description and tags, as AWS
// does.
func apiPolicy(tx kit.Tx, c call, m managed, full bool) (iamapi.Policy, error) {
	attached, boundary, err := usage(tx, c, m.arn)
	if err != nil {
		return iamapi.Policy{}, err
	}
	out := iamapi.Policy{
		PolicyName: ptr(m.name()), Arn: ptr(m.arn), Path: ptr(m.path()), DefaultVersionId: ptr(m.defaultVersion()),
		AttachmentCount: ptr(int64(attached)), PermissionsBoundaryUsageCount: ptr(int64(boundary)), IsAttachable: ptr(true),
	}
	var description string
	if m.aws != nil {
		out.PolicyId, out.CreateDate, out.UpdateDate = ptr(m.aws.id()), ptr(m.aws.Created), ptr(m.aws.Created)
		description = m.aws.Description
	} else {
		out.PolicyId, out.CreateDate, out.UpdateDate = ptr(m.local.ID), ptr(m.local.Created), ptr(m.local.Updated)
		description = m.local.Description
		if full {
			out.Tags = apiTags(m.local.Tags)
		}
	}
	if full && description != "" {
		out.Description = ptr(description)
	}
	return out, nil
}

func checkPolicyDocument(doc string) error {
	if err := validatePermissionsPolicy(doc); err != nil {
		return err
	}
	if policySize(doc) > managedPolicyQuota {
		return msgQuota.New(quotaPolicySize, managedPolicyQuota)
	}
	return nil
}

func (s *Service) CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyRequest) (*iamapi.CreatePolicyResponse, error) {
	c := s.newCall(ctx)
	if err := checkPath(in.Path); err != nil {
		return nil, err
	}
	doc := deref(in.PolicyDocument)
	if err := checkPolicyDocument(doc); err != nil {
		return nil, err
	}
	tags, err := requestTags(in.Tags)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &policyRecord{
		Name: deref(in.PolicyName), ID: "ANPA" + ids.Upper(17), Path: pathOr(in.Path), Description: deref(in.Description),
		Created: now, Updated: now, Default: "v1", Next: 2, Versions: []policyVersion{{ID: "v1", Document: doc, Created: now}}, Tags: tags,
	}
	var out iamapi.Policy
	err = s.Update(func(tx kit.Tx) error {
		if existing, ok, err := loadPolicy(c.in(tx), p.Name); err != nil {
			return err
		} else if ok {
			return msgPolicyExists.New(existing.Name)
		}
		if err := roomFor(policyTable, c.in(tx), policiesPerAccount, quotaPoliciesPerAccount); err != nil {
			return err
		}
		if err := savePolicy(c.in(tx), p); err != nil {
			return err
		}
		out, err = apiPolicy(tx, c, managed{arn: p.arn(c), local: p}, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyResponse{Policy: &out}, nil
}

func (s *Service) GetPolicy(ctx context.Context, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	c := s.newCall(ctx)
	var out iamapi.Policy
	err := s.View(func(tx kit.Tx) error {
		m, err := mustPolicy(tx, c, deref(in.PolicyArn))
		if err != nil {
			return err
		}
		out, err = apiPolicy(tx, c, m, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyResponse{Policy: &out}, nil
}

func (s *Service) DeletePolicy(ctx context.Context, in *iamapi.DeletePolicyRequest) (*awsmodel.Empty, error) {
	c := s.newCall(ctx)
	return nil, s.Update(func(tx kit.Tx) error {
		m, err := mustPolicy(tx, c, deref(in.PolicyArn))
		if err != nil {
			return err
		}
		if err := m.writable(c, "DeletePolicy"); err != nil {
			return err
		}
		attached, boundary, err := usage(tx, c, m.arn)
		if err != nil {
			return err
		}
		if attached+boundary > 0 {
			return msgPolicyAttached.New()
		}
		if len(m.local.Versions) > 1 {
			return msgPolicyHasVersions.New()
		}
		return policyTable.Delete(c.in(tx), nameKey(m.local.Name))
	})
}

// Policy scopes of ListPolicies (the model's enum constants are unexported).
const (
	scopeAll   = "All"
	scopeAWS   = "AWS"
	scopeLocal = "Local"
)

// allPolicies returns the managed policies of a ListPolicies scope.
func allPolicies(tx kit.Tx, c call, scope string) ([]managed, error) {
	var out []managed
	if scope != scopeLocal {
		policies := awsPolicies()
		for i := range policies {
			p := &policies[i]
			out = append(out, managed{arn: p.arn(c), aws: p})
		}
	}
	if scope != scopeAWS {
		err := policyTable.Scan(c.in(tx), func(p *policyRecord) bool {
			out = append(out, managed{arn: p.arn(c), local: p})
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sortKey() < out[j].sortKey() })
	return out, nil
}

// ListPolicies lists managed policies. PolicyUsageFilter keeps the policies in use in that
// way (attached as a permissions policy, or set as some role's permissions boundary).
func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	c := s.newCall(ctx)
	scope := deref(in.Scope)
	if scope == "" {
		scope = scopeAll
	}
	if err := checkPathPrefix(in.PathPrefix); err != nil {
		return nil, err
	}
	prefix := pathOr(in.PathPrefix)
	usageFilter := deref(in.PolicyUsageFilter)
	out := &iamapi.ListPoliciesResponse{Policies: []iamapi.Policy{}}
	err := s.View(func(tx kit.Tx) error {
		policies, err := allPolicies(tx, c, scope)
		if err != nil {
			return err
		}
		var matching []managed
		for _, m := range policies {
			if !strings.HasPrefix(m.path(), prefix) {
				continue
			}
			attached, boundary, err := usage(tx, c, m.arn)
			if err != nil {
				return err
			}
			if deref(in.OnlyAttached) && attached == 0 {
				continue
			}
			if (usageFilter == iamapi.PolicyUsageTypePermissionsPolicy && attached == 0) ||
				(usageFilter == iamapi.PolicyUsageTypePermissionsBoundary && boundary == 0) {
				continue
			}
			matching = append(matching, m)
		}
		p, err := paginate(c, matching, managed.sortKey, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for _, m := range p.items {
			pol, err := apiPolicy(tx, c, m, false)
			if err != nil {
				return err
			}
			out.Policies = append(out.Policies, pol)
		}
		out.IsTruncated, out.Marker = ptr(p.truncated), p.marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updatePolicyWith loads a customer managed policy, lets change alter it and saves it.
func (s *Service) updatePolicyWith(ctx context.Context, policyARN, action string, change func(c call, p *policyRecord) error) error {
	c := s.newCall(ctx)
	return s.Update(func(tx kit.Tx) error {
		m, err := mustPolicy(tx, c, policyARN)
		if err != nil {
			return err
		}
		if err := m.writable(c, action); err != nil {
			return err
		}
		if err := change(c, m.local); err != nil {
			return err
		}
		return savePolicy(c.in(tx), m.local)
	})
}

func (s *Service) TagPolicy(ctx context.Context, in *iamapi.TagPolicyRequest) (*awsmodel.Empty, error) {
	return nil, s.updatePolicyWith(ctx, deref(in.PolicyArn), "TagPolicy", func(_ call, p *policyRecord) error {
		tags, err := mergeTags(p.Tags, in.Tags, "Policy")
		if err != nil {
			return err
		}
		p.Tags = tags
		return nil
	})
}

func (s *Service) UntagPolicy(ctx context.Context, in *iamapi.UntagPolicyRequest) (*awsmodel.Empty, error) {
	return nil, s.updatePolicyWith(ctx, deref(in.PolicyArn), "UntagPolicy", func(_ call, p *policyRecord) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
}

func (s *Service) ListPolicyTags(ctx context.Context, in *iamapi.ListPolicyTagsRequest) (*iamapi.ListPolicyTagsResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListPolicyTagsResponse{}
	err := s.View(func(tx kit.Tx) error {
		m, err := mustPolicy(tx, c, deref(in.PolicyArn))
		if err != nil {
			return err
		}
		var tags []tag
		if m.local != nil {
			tags = m.local.Tags
		}
		out.Tags, out.IsTruncated, out.Marker, err = tagPage(c, tags, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
