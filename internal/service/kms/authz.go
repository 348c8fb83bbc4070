package kms

import (
	"maps"
	"slices"
	"strconv"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Who may call what. In permissive mode every caller acts as its account's root, and
// only the AWS managed keys refuse what their policies refuse to the account
// (checkManaged). In strict mode each call is evaluated as AWS evaluates KMS requests:
//
//   - the key policy first: an applying Deny refuses; a statement naming the caller (or
//     everyone) allows; one naming the caller's account delegates to IAM, so the
//     caller's IAM policies must allow as well;
//   - an explicit Deny in the caller's IAM policies refuses whatever else allows;
//   - otherwise a grant for the caller and the operation, whose encryption context
//     constraint the request meets, allows.
//
// Operations on no key (CreateKey, ListKeys, ListAliases, GenerateRandom,
// ListRetirableGrants) need only the caller's IAM policies. Calls that other services
// make through the key ring are the services' own and are not evaluated here.

// strict reports whether calls are evaluated against policies.
func (s *Service) strict() bool {
	return s.creds != nil && s.creds.Strict() && s.perms != nil
}

// allow decides whether the caller may run action on key k with encryption context
// encCtx.
func (s *Service) allow(tx kit.Tx, c kit.Call, k *keyRecord, action string, encCtx map[string]string) error {
	return s.allowWith(tx, c, k, action, encCtx, nil)
}

// allowWith is allow with condition keys of the request's own (CreateGrant's).
func (s *Service) allowWith(tx kit.Tx, c kit.Call, k *keyRecord, action string, encCtx map[string]string, extra port.ConditionKeys) error {
	if !s.strict() {
		return checkManaged(c, k, action)
	}
	req := s.accessRequest(c, k, action, encCtx)
	maps.Copy(req.Keys, extra)
	byKey, err := s.perms.ResourcePolicy(k.Policy, req)
	if err != nil {
		return err
	}
	if byKey == port.Deny {
		return msgDeniedByKeyPolicy.New(c.Caller.ARN, action, k.ARN())
	}
	byIAM, err := s.perms.IdentityPolicies(tx, req)
	if err != nil {
		return err
	}
	if byIAM == port.Deny {
		return msgDeniedByIAM.New(c.Caller.ARN, action, k.ARN())
	}
	if byKey == port.Allow || byKey == port.AllowAccount && byIAM == port.Allow {
		return nil
	}
	granted, err := grantAllows(k.in(tx), k, c.Caller.ARN, action, encCtx)
	if err != nil || granted {
		return err
	}
	return msgAccessDenied.New(c.Caller.ARN, action, k.ARN(), action)
}

// allowAccount decides the operations on no key, which IAM policies alone allow.
func (s *Service) allowAccount(tx kit.Tx, c kit.Call, action string) error {
	if !s.strict() {
		return nil
	}
	resource := "*"
	d, err := s.perms.IdentityPolicies(tx, s.accessRequest(c, nil, action, nil))
	if err != nil || d == port.Allow {
		return err
	}
	return msgNoIdentityPolicy.New(c.Caller.ARN, action, resource, action)
}

// accessRequest is a KMS call as a policy sees it, with KMS's condition keys.
func (s *Service) accessRequest(c kit.Call, k *keyRecord, action string, encCtx map[string]string) port.AccessRequest {
	keys := port.ConditionKeys{}
	keys.Set("kms:CallerAccount", c.Account)
	resource := "*"
	if k != nil {
		resource = k.ARN()
		keys.Set("kms:KeyOrigin", k.Origin)
		keys.Set("kms:KeySpec", k.Spec)
		keys.Set("kms:KeyUsage", k.Usage)
		keys.Set("kms:KeyManager", k.Manager)
		keys.Set("kms:MultiRegion", strconv.FormatBool(k.MultiRegion))
	}
	if len(encCtx) > 0 {
		names := slices.Sorted(maps.Keys(encCtx))
		keys.Set("kms:EncryptionContextKeys", names...)
		for _, n := range names {
			keys.Set("kms:EncryptionContext:"+n, encCtx[n])
		}
	}
	return port.AccessRequest{
		Action: "kms:" + action, Resource: resource,
		Principal: port.Principal{Type: port.PrincipalAWS, ID: c.Caller.ARN}, Keys: keys, Session: c.Caller.Session,
	}
}

// lockoutSafe is AWS's policy lockout safety check: the caller must be able to change
// the key policy under the new one, so that nobody is locked out of the key. It runs in
// both modes, as AWS runs it for every CreateKey and PutKeyPolicy, unless the request
// sets BypassPolicyLockoutSafetyCheck.
func (s *Service) lockoutSafe(tx kit.Tx, c kit.Call, k *keyRecord, policy string, bypass *bool) error {
	if s.perms == nil || bypass != nil && *bypass {
		return nil
	}
	req := s.accessRequest(c, k, "PutKeyPolicy", nil)
	byKey, err := s.perms.ResourcePolicy(policy, req)
	if err != nil {
		return msgLockout.New()
	}
	if byKey == port.Allow {
		return nil
	}
	if byKey == port.AllowAccount {
		byIAM, err := s.perms.IdentityPolicies(tx, req)
		if err != nil || byIAM == port.Allow {
			return err
		}
	}
	return msgLockout.New()
}
