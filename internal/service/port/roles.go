package port

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/service/kit"
)

// Roles is how services find IAM roles and ask their trust policies (STS's AssumeRole and
// AssumeRoleWithWebIdentity, AWS Backup's IamRoleArn checks); IAM provides it.
type Roles interface {
	// RoleByARN returns the role an ARN names, in the ARN's account. ok is false when
	// there is no such role.
	RoleByARN(tx kit.Tx, roleARN string) (role RoleInfo, ok bool, err error)
	// AuthorizeAssumeRole checks that the role exists (ErrNoSuchRole) and that its trust
	// policy allows every one of reqs (a *NotTrustedError names the first refused).
	AuthorizeAssumeRole(tx kit.Tx, roleARN string, reqs ...TrustRequest) (RoleInfo, error)
	// TrustsService checks that the role exists and that its trust policy lets a service
	// principal (backup.amazonaws.com) assume it, with the condition keys a service's job
	// carries (aws:SourceAccount, aws:SourceArn).
	TrustsService(tx kit.Tx, roleARN, servicePrincipal string, keys ConditionKeys) (RoleInfo, error)
	// OIDCProviderFor finds the OpenID Connect provider of an account (in a partition)
	// whose URL is a web identity token's issuer.
	OIDCProviderFor(tx kit.Tx, account, partition, issuer string) (OIDCProvider, bool, error)
	// SAMLProviderByARN finds an IAM SAML provider, for AssumeRoleWithSAML.
	SAMLProviderByARN(tx kit.Tx, providerARN string) (SAMLProvider, bool, error)
}

// RoleInfo is what another service needs to know about a role.
type RoleInfo struct {
	ARN, RoleID, Name, Path, Account string
	MaxSessionDuration               int64
	AssumeRolePolicyDocument         string // the trust policy, decoded JSON
}

// Principal is who asks to assume a role.
type Principal struct {
	// Type is the key a trust policy names such a principal under: PrincipalAWS,
	// PrincipalService or PrincipalFederated.
	Type string
	// ID is the principal as a policy names it: for AWS, the caller's ARN (an account's
	// root, a user, or a role session arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION); for
	// Service, a service principal such as backup.amazonaws.com; for Federated, an
	// identity provider's ARN.
	ID string
}

// Principal types.
const (
	PrincipalAWS       = "AWS"
	PrincipalService   = "Service"
	PrincipalFederated = "Federated"
)

// TrustRequest is one action a principal asks a role's trust policy for.
type TrustRequest struct {
	Action    string // sts:AssumeRole, sts:AssumeRoleWithWebIdentity, sts:TagSession, ...
	Principal Principal
	// Keys are the request's condition keys (sts:ExternalId, aws:SourceArn, an identity
	// provider's aud and sub, ...). The keys that follow from the principal
	// (aws:PrincipalAccount, aws:PrincipalArn, ...) and the time are added by the
	// evaluation.
	Keys ConditionKeys
}

// ConditionKeys holds a request's condition keys, by lower-case name: IAM compares key
// names without regard to case.
type ConditionKeys map[string][]string

// Set adds a key (any case).
func (c ConditionKeys) Set(key string, values ...string) { c[strings.ToLower(key)] = values }

// Values returns a key's values; ok is false when the request has none.
func (c ConditionKeys) Values(key string) (values []string, ok bool) {
	v, ok := c[strings.ToLower(key)]
	return v, ok && len(v) > 0
}

// OIDCProvider is what STS needs of an IAM OpenID Connect provider.
type OIDCProvider struct {
	ARN       string
	Name      string // the URL without https://, which prefixes its condition keys (NAME:aud)
	ClientIDs []string
}

// SAMLProvider is what STS needs of an IAM SAML provider: the certificates whose keys
// sign its assertions, and the private keys (opened, in memory only) that decrypt its
// encrypted ones.
type SAMLProvider struct {
	ARN, Name      string
	Certificates   [][]byte // DER
	DecryptionKeys []*rsa.PrivateKey
	// RequireEncryption is AssertionEncryptionMode Required: plain assertions are refused.
	RequireEncryption bool
}

// ErrNoSuchRole is a Roles' answer for a role that does not exist.
var ErrNoSuchRole = errors.New("iam: the role does not exist")

// NotTrustedError is a Roles' answer when a role's trust policy does not allow an action.
type NotTrustedError struct {
	Action string
	Reason string // why, for the log: a Deny, no Allow, or a condition that cannot be evaluated
}

func (e *NotTrustedError) Error() string {
	return fmt.Sprintf("iam: the trust policy does not allow %s: %s", e.Action, e.Reason)
}
