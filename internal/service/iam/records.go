package iam

import (
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/store"
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
	return arn.New(c.partition, "iam", "", c.account, "role"+r.Path+r.Name)
}

func loadRole(tx store.Tx, sc store.Scope, name string) (*roleRecord, bool, error) {
	var r roleRecord
	ok, err := store.GetJSON(tx, sc.Key(kindRole, nameKey(name)), &r)
	if !ok || err != nil {
		return nil, false, err
	}
	return &r, true, nil
}

// mustRole loads a role or answers AWS's NoSuchEntity.
func mustRole(tx store.Tx, sc store.Scope, name string) (*roleRecord, error) {
	r, ok, err := loadRole(tx, sc, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchRole(name)
	}
	return r, nil
}

func saveRole(tx store.Tx, sc store.Scope, r *roleRecord) error {
	return store.PutJSON(tx, sc.Key(kindRole, nameKey(r.Name)), r)
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
	return arn.New(c.partition, "iam", "", c.account, "policy"+p.Path+p.Name)
}

func loadPolicy(tx store.Tx, sc store.Scope, name string) (*policyRecord, bool, error) {
	var p policyRecord
	ok, err := store.GetJSON(tx, sc.Key(kindPolicy, nameKey(name)), &p)
	if !ok || err != nil {
		return nil, false, err
	}
	return &p, true, nil
}

func savePolicy(tx store.Tx, sc store.Scope, p *policyRecord) error {
	return store.PutJSON(tx, sc.Key(kindPolicy, nameKey(p.Name)), p)
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
	return arn.New(c.partition, "iam", "", c.account, "instance-profile"+p.Path+p.Name)
}

func loadProfile(tx store.Tx, sc store.Scope, name string) (*profileRecord, bool, error) {
	var p profileRecord
	ok, err := store.GetJSON(tx, sc.Key(kindProfile, nameKey(name)), &p)
	if !ok || err != nil {
		return nil, false, err
	}
	return &p, true, nil
}

func mustProfile(tx store.Tx, sc store.Scope, name string) (*profileRecord, error) {
	p, ok, err := loadProfile(tx, sc, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, msgNoSuchProfile.New(name)
	}
	return p, nil
}

func saveProfile(tx store.Tx, sc store.Scope, p *profileRecord) error {
	return store.PutJSON(tx, sc.Key(kindProfile, nameKey(p.Name)), p)
}

// count is the number of records under prefix.
func count(tx store.Tx, prefix string) (int, error) {
	n := 0
	err := tx.Scan(prefix, "", func(string, []byte) bool { n++; return true })
	return n, err
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
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }
