// Package auth resolves the access key of a request to the identity behind it — account,
// ARN, secret key — from the static keys xregion is configured with and from the temporary
// credentials STS hands out.
package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
)

// Modes of authentication.
const (
	// Permissive accepts any well-formed SigV4 request, as other local clouds do. A
	// 12-digit access key id names its account; other unknown keys act in the default
	// account.
	Permissive = "permissive"
	// Strict verifies every signature against a known secret key.
	Strict = "strict"
)

// Identity is who an access key belongs to.
type Identity struct {
	AccessKeyID  string    `json:"accessKeyId"`
	SecretKey    string    `json:"-"` // sealed at rest, see record
	SessionToken string    `json:"sessionToken,omitempty"`
	Account      string    `json:"account"`
	ARN          string    `json:"arn"`
	UserID       string    `json:"userId"`
	Expiration   time.Time `json:"expiration,omitzero"`
	// The session's policies and, for a federated user, who federated it: see
	// request.Session.
	SessionPolicy     string   `json:"sessionPolicy,omitempty"`
	SessionPolicyARNs []string `json:"sessionPolicyArns,omitempty"`
	FederatedBy       string   `json:"federatedBy,omitempty"`
}

// TemporaryPrefix starts every access key id STS issues, here as in AWS.
const TemporaryPrefix = "ASIA"

// IsTemporary reports whether accessKeyID may name STS session credentials: STS hands
// out ASIA… keys only, so no other key needs a lookup in the store.
func IsTemporary(accessKeyID string) bool { return strings.HasPrefix(accessKeyID, TemporaryPrefix) }

// Temporary reports whether these are STS session credentials.
func (id Identity) Temporary() bool { return id.SessionToken != "" }

// Errors of Resolve; the gateway answers them with each protocol's code.
var (
	ErrUnknownKey   = errors.New("the security token included in the request is invalid")
	ErrExpiredToken = errors.New("the security token included in the request is expired")
	ErrBadToken     = errors.New("the security token included in the request is invalid")
)

// Config describes a Resolver.
type Config struct {
	Mode           string     // Permissive or Strict
	DefaultAccount string     // the account of keys that name none
	Static         []Identity // the configured long-term keys
	Sealer         *seal.Sealer
	Store          store.Store // where temporary credentials live
	// WebIdentityKeys verify the tokens of AssumeRoleWithWebIdentity in strict mode;
	// nil means none are configured (jwks.go).
	WebIdentityKeys *WebIdentityKeys
}

// Resolver finds identities.
type Resolver struct {
	mode           string
	defaultAccount string
	static         map[string]Identity
	sealer         *seal.Sealer
	st             store.Store
	webKeys        *WebIdentityKeys
}

// NewResolver returns a resolver.
func NewResolver(cfg Config) (*Resolver, error) {
	mode := cfg.Mode
	if mode != Permissive && mode != Strict {
		return nil, fmt.Errorf("auth: unknown mode %q (want %s or %s)", mode, Permissive, Strict)
	}
	if mode == Strict && len(cfg.Static) == 0 {
		return nil, errors.New("auth: strict mode needs at least one access key (--credentials or --credentials-file)")
	}
	if cfg.Sealer == nil || cfg.Store == nil {
		return nil, errors.New("auth: a resolver needs a sealer and a store")
	}
	r := &Resolver{mode: mode, defaultAccount: cfg.DefaultAccount, static: map[string]Identity{}, sealer: cfg.Sealer, st: cfg.Store,
		webKeys: cfg.WebIdentityKeys}
	for _, id := range cfg.Static {
		if id.Account == "" {
			id.Account = cfg.DefaultAccount
		}
		if id.ARN == "" {
			id.ARN = "arn:aws:iam::" + id.Account + ":root"
		}
		if id.UserID == "" {
			id.UserID = id.Account
		}
		r.static[id.AccessKeyID] = id
	}
	return r, nil
}

// Mode is the resolver's mode.
func (r *Resolver) Mode() string { return r.mode }

// Strict reports whether signatures must be verified.
func (r *Resolver) Strict() bool { return r.mode == Strict }

// DefaultAccount is the account of unknown keys in permissive mode.
func (r *Resolver) DefaultAccount() string { return r.defaultAccount }

// Resolve returns the identity of an access key. securityToken is the request's
// X-Amz-Security-Token, checked against temporary credentials in strict mode. Only
// temporary credentials live in the store, so a request signed with any other key opens
// no transaction: on the durable store a read transaction is a measurable share of a
// GetSecretValue.
//
// An empty access key id is unknown in both modes: permissive mode lets any key act, but
// a request that names no key at all was not signed by a client, and AWS refuses it as
// it refuses any key it does not know.
func (r *Resolver) Resolve(accessKeyID, securityToken string, now time.Time) (Identity, error) {
	if accessKeyID == "" {
		return Identity{}, ErrUnknownKey
	}
	if id, ok := r.static[accessKeyID]; ok {
		return id, nil
	}
	var id Identity
	var ok bool
	if IsTemporary(accessKeyID) {
		err := r.st.View(func(tx store.Tx) error {
			var err error
			id, ok, err = r.temporary(tx, accessKeyID)
			return err
		})
		if err != nil {
			return Identity{}, err
		}
	}
	if ok {
		if r.Strict() {
			if securityToken != id.SessionToken {
				return Identity{}, ErrBadToken
			}
			if now.After(id.Expiration) {
				return Identity{}, ErrExpiredToken
			}
		}
		return id, nil
	}
	if r.Strict() {
		return Identity{}, ErrUnknownKey
	}
	account := r.defaultAccount
	if IsAccountID(accessKeyID) {
		account = accessKeyID
	}
	return Identity{AccessKeyID: accessKeyID, Account: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account}, nil
}

// VerifyWebToken checks a web identity token's signature with the keys configured for
// its issuer (ErrNoVerificationKey, ErrBadSignature).
func (r *Resolver) VerifyWebToken(t *WebToken) error { return r.webKeys.Verify(t) }

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// record is how temporary credentials are stored: the secret key sealed under the root
// key and bound to its access key id.
type record struct {
	Identity
	SealedSecret []byte `json:"sealedSecret"`
}

func credentialKey(accessKeyID string) string {
	return store.Key("_xregion", "credentials", accessKeyID)
}

// PutTemporary stores STS session credentials.
func (r *Resolver) PutTemporary(tx store.Tx, id Identity) error {
	rec := record{Identity: id, SealedSecret: r.sealer.Seal([]byte(id.SecretKey), []byte(id.AccessKeyID))}
	return store.PutJSON(tx, credentialKey(id.AccessKeyID), rec)
}

// ForgetTemporary deletes stored session credentials.
func (r *Resolver) ForgetTemporary(tx store.Tx, accessKeyID string) error {
	return tx.Delete(credentialKey(accessKeyID))
}

// Lookup returns the identity of an access key without checking anything, for
// sts:GetAccessKeyInfo and the admin API.
func (r *Resolver) Lookup(tx store.Tx, accessKeyID string) (Identity, bool, error) {
	if id, ok := r.static[accessKeyID]; ok {
		return id, true, nil
	}
	return r.temporary(tx, accessKeyID)
}

func (r *Resolver) temporary(tx store.Tx, accessKeyID string) (Identity, bool, error) {
	if !IsTemporary(accessKeyID) {
		return Identity{}, false, nil
	}
	var rec record
	ok, err := store.GetJSON(tx, credentialKey(accessKeyID), &rec)
	if err != nil || !ok {
		return Identity{}, false, err
	}
	secret, err := r.sealer.Open(rec.SealedSecret, []byte(accessKeyID))
	if err != nil {
		return Identity{}, false, fmt.Errorf("auth: credentials of %s: %w", accessKeyID, err)
	}
	rec.Identity.SecretKey = string(secret)
	return rec.Identity, true, nil
}
