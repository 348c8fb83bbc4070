package iam

import (
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Kinds of records in an account's IAM scope. Names are keyed in lower case because IAM
// does not distinguish names by case (there cannot be both "Admin" and "admin"); the record
// keeps the name as it was given.
const (
	kindRole       = "role"
	kindPolicy     = "policy"
	kindProfile    = "instance-profile"
	kindAttachment = "attachment" // attachment/<policy ARN>/<role key>: who uses a policy
	kindBoundary   = "boundary"   // boundary/<policy ARN>/<role key>: whose boundary it is
)

func nameKey(name string) string { return strings.ToLower(name) }

// The tables and indexes of an account's IAM records.
var (
	roleTable       = kit.Table[roleRecord]{Kind: kindRole}
	policyTable     = kit.Table[policyRecord]{Kind: kindPolicy}
	profileTable    = kit.Table[profileRecord]{Kind: kindProfile}
	providerTable   = kit.Table[oidcRecord]{Kind: kindOIDC}
	attachmentIndex = kit.Index{Kind: kindAttachment}
	boundaryIndex   = kit.Index{Kind: kindBoundary}
)

// roleRecord is a role with everything that hangs off it. Inline and attached policies
// are few (a role's inline policies total at most 10 KB, at most ten are attached), so
// they live in the role's own record and change in the same write.
type roleRecord struct {
	Name               string
	ID                 string
	Path               string
	Created            time.Time
	TrustPolicy        string // as the client sent it
	Description        string
	MaxSessionDuration int64
	Boundary           string         `json:",omitempty"` // permissions boundary policy ARN
	Tags               []tag          `json:",omitempty"`
	Inline             []inlinePolicy `json:",omitempty"` // sorted by name
	Attached           []string       `json:",omitempty"` // managed policy ARNs, sorted
	Profiles           []string       `json:",omitempty"` // instance profile keys, sorted
}

type inlinePolicy struct {
	Name     string
	Document string
}

type tag struct {
	Key   string
	Value string
}

func (r *roleRecord) arn(c call) string {
	return arn.New(c.Partition, "iam", "", c.Account, "role"+r.Path+r.Name)
}

func loadRole(v kit.View, name string) (*roleRecord, bool, error) {
	rec, err := roleTable.Get(v, nameKey(name))
	return rec, rec != nil, err
}

// mustRole loads a role or answers AWS's NoSuchEntity.
func mustRole(v kit.View, name string) (*roleRecord, error) {
	r, ok, err := loadRole(v, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchRole(name)
	}
	return r, nil
}

func saveRole(v kit.View, r *roleRecord) error {
	return roleTable.Put(v, r, nameKey(r.Name))
}

// apiRole renders a role. ListRoles and the roles inside instance profiles leave out the
// tags, the permissions boundary and the last use, as AWS does; GetRole shows them all.
func (r *roleRecord) apiRole(c call, full bool) iamapi.Role {
	created := r.Created
	out := iamapi.Role{
		Path: &r.Path, RoleName: &r.Name, RoleId: &r.ID, Arn: ptr(r.arn(c)), CreateDate: &created,
		AssumeRolePolicyDocument: ptr(encodeDocument(r.TrustPolicy)),
		MaxSessionDuration:       ptr(r.MaxSessionDuration),
	}
	if r.Description != "" {
		out.Description = ptr(r.Description)
	}
	if full {
		out.Tags = apiTags(r.Tags)
		if r.Boundary != "" {
			out.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{
				PermissionsBoundaryType: ptr(iamapi.PermissionsBoundaryAttachmentTypePermissionsBoundaryPolicy),
				PermissionsBoundaryArn:  ptr(r.Boundary),
			}
		}
	}
	return out
}

// policyRecord is a customer managed policy with its versions (at most five).
type policyRecord struct {
	Name        string
	ID          string
	Path        string
	Description string
	Created     time.Time
	Updated     time.Time
	Default     string // id of the default version
	Next        int    // number of the next version: ids are never reused
	Versions    []policyVersion
	Tags        []tag `json:",omitempty"`
}

type policyVersion struct {
	ID       string
	Document string
	Created  time.Time
}

func (p *policyRecord) arn(c call) string {
	return arn.New(c.Partition, "iam", "", c.Account, "policy"+p.Path+p.Name)
}

func loadPolicy(v kit.View, name string) (*policyRecord, bool, error) {
	rec, err := policyTable.Get(v, nameKey(name))
	return rec, rec != nil, err
}

func savePolicy(v kit.View, p *policyRecord) error {
	return policyTable.Put(v, p, nameKey(p.Name))
}

// profileRecord is an instance profile. AWS lets a profile hold one role.
type profileRecord struct {
	Name    string
	ID      string
	Path    string
	Created time.Time
	Roles   []string `json:",omitempty"` // role keys
	Tags    []tag    `json:",omitempty"`
}

func (p *profileRecord) arn(c call) string {
	return arn.New(c.Partition, "iam", "", c.Account, "instance-profile"+p.Path+p.Name)
}

func loadProfile(v kit.View, name string) (*profileRecord, bool, error) {
	rec, err := profileTable.Get(v, nameKey(name))
	return rec, rec != nil, err
}

func mustProfile(v kit.View, name string) (*profileRecord, error) {
	p, ok, err := loadProfile(v, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, msgNoSuchProfile.New(name)
	}
	return p, nil
}

func saveProfile(v kit.View, p *profileRecord) error {
	return profileTable.Put(v, p, nameKey(p.Name))
}

// count is the number of records of src below within.
func count(src kit.Keyed, v kit.View, within ...string) (int, error) {
	n := 0
	err := src.Keys(v, "", func(kit.Entry) bool { n++; return true }, within...)
	return n, err
}

// roomFor refuses one more record of src when the account has limit of them already,
// with IAM's answer naming the quota.
func roomFor(src kit.Keyed, v kit.View, limit int, quota string) error {
	n, err := count(src, v)
	if err != nil {
		return err
	}
	if n >= limit {
		return msgQuota.New(quota, limit)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// now is the service clock to the second: IAM dates carry no fractions.
func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Second) }
