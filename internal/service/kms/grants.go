package kms

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Grants: a grant lets a grantee principal use a key for a list of operations, perhaps
// only with some encryption context. Grants live beside their key (grant/<key>/<grant>)
// and go with it when it is deleted. xregion's grants are consistent at once, so a grant
// token is only needed to name a grant (RetireGrant); one passed in GrantTokens must still
// be a token xregion issued.

const (
	// maxGrantsPerKey is AWS's quota of grants on one key.
	maxGrantsPerKey  = 50000
	defaultGrantPage = 50
)

// grantOperationsOf lists the grant operations a key supports, by key usage (and for
// encryption keys, by spec): AWS refuses a grant for an operation the key cannot do.
func grantOperationsOf(k *keyRecord) []string {
	common := []string{kmsapi.GrantOperationCreateGrant, kmsapi.GrantOperationRetireGrant, kmsapi.GrantOperationDescribeKey}
	switch {
	case k.Spec == kmsapi.KeySpecSymmetricDefault:
		return append(common, kmsapi.GrantOperationDecrypt, kmsapi.GrantOperationEncrypt,
			kmsapi.GrantOperationGenerateDataKey, kmsapi.GrantOperationGenerateDataKeyWithoutPlaintext,
			kmsapi.GrantOperationGenerateDataKeyPair, kmsapi.GrantOperationGenerateDataKeyPairWithoutPlaintext,
			kmsapi.GrantOperationReEncryptFrom, kmsapi.GrantOperationReEncryptTo)
	case k.Usage == kmsapi.KeyUsageTypeEncryptDecrypt:
		return append(common, kmsapi.GrantOperationDecrypt, kmsapi.GrantOperationEncrypt,
			kmsapi.GrantOperationReEncryptFrom, kmsapi.GrantOperationReEncryptTo, kmsapi.GrantOperationGetPublicKey)
	case k.Usage == kmsapi.KeyUsageTypeSignVerify:
		return append(common, kmsapi.GrantOperationSign, kmsapi.GrantOperationVerify, kmsapi.GrantOperationGetPublicKey)
	case k.Usage == kmsapi.KeyUsageTypeGenerateVerifyMac:
		return append(common, kmsapi.GrantOperationGenerateMac, kmsapi.GrantOperationVerifyMac)
	case k.Usage == kmsapi.KeyUsageTypeKeyAgreement:
		return append(common, kmsapi.GrantOperationDeriveSharedSecret, kmsapi.GrantOperationGetPublicKey)
	}
	return common
}

// validPrincipal reports whether a grantee or retiring principal is one AWS accepts: an
// account id, or the ARN of an account, IAM user or role, assumed-role session or
// federated user. A service principal (rds.amazonaws.com) is accepted too, as the AWS
// services that hold grants name themselves so.
func validPrincipal(p string) bool {
	if auth.IsAccountID(p) || strings.HasSuffix(p, ".amazonaws.com") {
		return true
	}
	a, err := arn.Parse(p)
	if err != nil || !auth.IsAccountID(a.Account) {
		return false
	}
	switch a.Service {
	case "iam":
		return a.Resource == "root" || strings.HasPrefix(a.Resource, "user/") || strings.HasPrefix(a.Resource, "role/")
	case "sts":
		return strings.HasPrefix(a.Resource, "assumed-role/") || strings.HasPrefix(a.Resource, "federated-user/")
	}
	return false
}

// checkGrantRequest applies CreateGrant's rules that the model does not hold.
func checkGrantRequest(k *keyRecord, in *kmsapi.CreateGrantRequest) error {
	if !validPrincipal(*in.GranteePrincipal) {
		return msgBadPrincipal.New(*in.GranteePrincipal)
	}
	if in.RetiringPrincipal != nil && !validPrincipal(*in.RetiringPrincipal) {
		return msgBadPrincipal.New(*in.RetiringPrincipal)
	}
	if len(in.Operations) == 0 {
		return msgNoGrantOperations.New()
	}
	supported := grantOperationsOf(k)
	for _, op := range in.Operations {
		if !slices.Contains(supported, op) {
			return msgGrantOperation.New(op, k.ARN(), k.Spec, k.Usage)
		}
	}
	if c := in.Constraints; c != nil && (len(c.EncryptionContextEquals) > 0 || len(c.EncryptionContextSubset) > 0) {
		// Encryption context constraints only mean something for operations that take an
		// encryption context: those of symmetric encryption keys.
		if k.Spec != kmsapi.KeySpecSymmetricDefault {
			return msgGrantConstraintKey.New(k.ARN(), k.Spec)
		}
	}
	return nil
}

func (s *Service) CreateGrant(ctx context.Context, in *kmsapi.CreateGrantRequest) (*kmsapi.CreateGrantResponse, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*kmsapi.CreateGrantResponse, error) {
		k, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return nil, err
		}
		if err := s.checkGrantTokens(c, in.GrantTokens); err != nil {
			return nil, err
		}
		if err := s.allowWith(tx, c, k, "CreateGrant", grantContext(in), grantConditionKeys(in)); err != nil {
			return nil, err
		}
		if err := requireGrantable(k); err != nil {
			return nil, err
		}
		if err := checkGrantRequest(k, in); err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		g, err := s.addGrant(tx, k, newGrant(k, c.Account, c.Now(), in))
		if err != nil {
			return nil, err
		}
		return &kmsapi.CreateGrantResponse{GrantId: new(g.ID), GrantToken: new(s.grantToken(k, g.ID))}, nil
	})
}

// grantConditionKeys are the condition keys of a CreateGrant request that policies can
// test. Grants made through the API are never for an AWS resource: the services that
// make those do not go through it.
func grantConditionKeys(in *kmsapi.CreateGrantRequest) port.ConditionKeys {
	keys := port.ConditionKeys{}
	keys.Set("kms:GranteePrincipal", *in.GranteePrincipal)
	keys.Set("kms:GrantOperations", in.Operations...)
	keys.Set("kms:GrantIsForAWSResource", "false")
	if in.RetiringPrincipal != nil {
		keys.Set("kms:RetiringPrincipal", *in.RetiringPrincipal)
	}
	if in.Constraints != nil && len(in.Constraints.EncryptionContextEquals) > 0 {
		keys.Set("kms:GrantConstraintType", "EncryptionContextEquals")
	} else if in.Constraints != nil && len(in.Constraints.EncryptionContextSubset) > 0 {
		keys.Set("kms:GrantConstraintType", "EncryptionContextSubset")
	}
	return keys
}

// grantContext is the encryption context a CreateGrant request asks for, which a grant
// that allows CreateGrant with a constraint must cover.
func grantContext(in *kmsapi.CreateGrantRequest) map[string]string {
	if in.Constraints == nil {
		return nil
	}
	if len(in.Constraints.EncryptionContextEquals) > 0 {
		return in.Constraints.EncryptionContextEquals
	}
	return in.Constraints.EncryptionContextSubset
}

// requireGrantable is CreateGrant's key state rule: any state but those on the way out or
// in transition.
func requireGrantable(k *keyRecord) error {
	switch k.State {
	case kmsapi.KeyStateEnabled, kmsapi.KeyStateDisabled, kmsapi.KeyStatePendingImport:
		return nil
	}
	return stateError(k)
}

func newGrant(k *keyRecord, issuer string, now time.Time, in *kmsapi.CreateGrantRequest) *grantRecord {
	g := &grantRecord{
		ID: hex.EncodeToString(randomBytes(32)), KeyID: k.ID, Name: deref(in.Name), Created: now,
		Grantee: *in.GranteePrincipal, Retiring: deref(in.RetiringPrincipal), IssuingAccount: issuer,
		Operations: slices.Clone(in.Operations),
	}
	if in.Constraints != nil {
		g.ContextEquals = maps.Clone(in.Constraints.EncryptionContextEquals)
		g.ContextSubset = maps.Clone(in.Constraints.EncryptionContextSubset)
	}
	return g
}

// addGrant stores a new grant, unless it has a name and a grant of the key with that
// name asks for the same: then CreateGrant was retried, and the first grant is the
// answer, as AWS returns the original GrantId. A grant with the same name but other
// terms is a new grant (AWS does not make names unique).
func (s *Service) addGrant(tx kit.Tx, k *keyRecord, g *grantRecord) (*grantRecord, error) {
	v := k.in(tx)
	existing, err := grants.List(v, k.ID)
	if err != nil {
		return nil, err
	}
	if g.Name != "" {
		for _, old := range existing {
			if old.sameTerms(g) {
				return old, nil
			}
		}
	}
	if len(existing) >= maxGrantsPerKey {
		return nil, msgGrantLimit.New(k.ARN(), maxGrantsPerKey)
	}
	return g, grants.Put(v, g, k.ID, g.ID)
}

// grantTokenAAD binds a grant token to the Region and account of its key.
func grantTokenAAD(account, region string) []byte {
	return []byte("xregion/kms/grant-token\x00" + account + "\x00" + region)
}

// grantToken makes a grant token: the key and grant ids, sealed with the root key, so a
// token xregion did not issue is refused. Every call makes another token for the same
// grant, as AWS gives a new token on each CreateGrant.
func (s *Service) grantToken(k *keyRecord, grantID string) string {
	sealed := s.Sealer.Seal([]byte(k.ID+"\x00"+grantID), grantTokenAAD(k.Account, k.Region))
	return base64.RawURLEncoding.EncodeToString(sealed)
}

// openGrantToken returns the key and grant a token names.
func (s *Service) openGrantToken(account, region, token string) (keyID, grantID string, err error) {
	raw, derr := base64.RawURLEncoding.DecodeString(token)
	if derr == nil {
		plain, oerr := s.Sealer.Open(raw, grantTokenAAD(account, region))
		if oerr == nil {
			if keyID, grantID, ok := strings.Cut(string(plain), "\x00"); ok {
				return keyID, grantID, nil
			}
		}
	}
	return "", "", msgInvalidGrantToken.New()
}

// checkGrantTokens refuses GrantTokens xregion did not issue.
func (s *Service) checkGrantTokens(c kit.Call, tokens []string) error {
	for _, t := range tokens {
		if _, _, err := s.openGrantToken(c.Account, c.Region, t); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) ListGrants(ctx context.Context, in *kmsapi.ListGrantsRequest) (*kmsapi.ListGrantsResponse, error) {
	c := s.Call(ctx)
	return readKey(s, c, *in.KeyId, func(tx kit.Tx, k *keyRecord) (*kmsapi.ListGrantsResponse, error) {
		all, err := grants.List(k.in(tx), k.ID)
		if err != nil {
			return nil, err
		}
		if in.GrantId != nil {
			all = slices.DeleteFunc(all, func(g *grantRecord) bool { return g.ID != *in.GrantId })
			if len(all) == 0 {
				return nil, msgNoSuchGrant.New(*in.GrantId)
			}
		}
		if in.GranteePrincipal != nil {
			all = slices.DeleteFunc(all, func(g *grantRecord) bool { return g.Grantee != *in.GranteePrincipal })
		}
		l := kit.List{Op: "ListGrants", Account: c.Account, Region: c.Region, Within: k.ID}
		page, next, err := kit.Page(s.pages, l, all, in.Marker, limitOf(in.Limit, defaultGrantPage), func(g *grantRecord) string { return g.ID })
		if err != nil {
			return nil, err
		}
		return &kmsapi.ListGrantsResponse{Grants: grantEntries(k, page), NextMarker: next, Truncated: new(next != nil)}, nil
	})
}

func (s *Service) ListRetirableGrants(ctx context.Context, in *kmsapi.ListRetirableGrantsRequest) (*kmsapi.ListGrantsResponse, error) {
	c := s.Call(ctx)
	if !validPrincipal(*in.RetiringPrincipal) {
		return nil, msgBadPrincipal.New(*in.RetiringPrincipal)
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*kmsapi.ListGrantsResponse, error) {
		if err := s.allowAccount(tx, c, "ListRetirableGrants"); err != nil {
			return nil, err
		}
		v := c.In(tx)
		var found []*grantRecord
		err := grants.Scan(v, func(g *grantRecord) bool {
			if g.Retiring == *in.RetiringPrincipal {
				found = append(found, g)
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		l := kit.List{Op: "ListRetirableGrants", Account: c.Account, Region: c.Region, Within: *in.RetiringPrincipal}
		page, next, err := kit.Page(s.pages, l, found, in.Marker, limitOf(in.Limit, defaultGrantPage), func(g *grantRecord) string { return g.KeyID + "/" + g.ID })
		if err != nil {
			return nil, err
		}
		out := &kmsapi.ListGrantsResponse{Grants: []kmsapi.GrantListEntry{}, NextMarker: next, Truncated: new(next != nil)}
		for _, g := range page {
			out.Grants = append(out.Grants, g.entry(keyARN(c.Account, c.Region, g.KeyID)))
		}
		return out, nil
	})
}

func grantEntries(k *keyRecord, gs []*grantRecord) []kmsapi.GrantListEntry {
	out := make([]kmsapi.GrantListEntry, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.entry(k.ARN()))
	}
	return out
}

// entry is a grant as ListGrants shows it: KeyId is the key's ARN, as in AWS.
func (g *grantRecord) entry(keyARN string) kmsapi.GrantListEntry {
	e := kmsapi.GrantListEntry{
		KeyId: new(keyARN), GrantId: new(g.ID), CreationDate: new(g.Created),
		GranteePrincipal: new(g.Grantee), IssuingAccount: new(arn.New(partitionOfARN(keyARN), "iam", "", g.IssuingAccount, "root")),
		Operations: slices.Clone(g.Operations),
	}
	if g.Name != "" {
		e.Name = new(g.Name)
	}
	if g.Retiring != "" {
		e.RetiringPrincipal = new(g.Retiring)
	}
	if len(g.ContextEquals) > 0 || len(g.ContextSubset) > 0 {
		e.Constraints = &kmsapi.GrantConstraints{EncryptionContextEquals: maps.Clone(g.ContextEquals), EncryptionContextSubset: maps.Clone(g.ContextSubset)}
	}
	return e
}

func partitionOfARN(s string) string {
	if a, err := arn.Parse(s); err == nil {
		return a.Partition
	}
	return "aws"
}

func (s *Service) RetireGrant(ctx context.Context, in *kmsapi.RetireGrantRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	if in.GrantToken == nil && (in.KeyId == nil || in.GrantId == nil) {
		return nil, msgRetireWhich.New()
	}
	err := s.Update(func(tx kit.Tx) error {
		k, g, err := s.grantToRetire(tx, c, in)
		if err != nil {
			return err
		}
		if !mayRetire(c, k, g) {
			return msgAccessDenied.New(c.Caller.ARN, "RetireGrant", k.ARN(), "RetireGrant")
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		return grants.Delete(k.in(tx), k.ID, g.ID)
	})
	return nil, err
}

// grantToRetire finds the grant RetireGrant names: by its token, or by key and grant id.
// A token and a key that disagree name no grant.
func (s *Service) grantToRetire(tx kit.Tx, c kit.Call, in *kmsapi.RetireGrantRequest) (*keyRecord, *grantRecord, error) {
	keyIdent, grantID := deref(in.KeyId), deref(in.GrantId)
	if in.GrantToken != nil {
		tokenKey, tokenGrant, err := s.openGrantToken(c.Account, c.Region, *in.GrantToken)
		if err != nil {
			return nil, nil, err
		}
		if grantID != "" && grantID != tokenGrant {
			return nil, nil, msgNoSuchGrant.New(grantID)
		}
		grantID = tokenGrant
		if keyIdent == "" {
			keyIdent = tokenKey
		}
	}
	k, err := s.resolveKey(tx, c.Account, c.Region, keyIdent)
	if err != nil {
		return nil, nil, err
	}
	g, err := grants.Get(k.in(tx), k.ID, grantID)
	if err != nil {
		return nil, nil, err
	}
	if g == nil {
		return nil, nil, msgNoSuchGrant.New(grantID)
	}
	return k, g, nil
}

// mayRetire is who may retire a grant, as AWS's "Retiring and revoking grants" says: the
// account in which the grant was created (its root), the retiring principal, and the
// grantee when the grant allows RetireGrant.
func mayRetire(c kit.Call, k *keyRecord, g *grantRecord) bool {
	caller := c.Caller.ARN
	if caller == arn.New(k.partition(), "iam", "", g.IssuingAccount, "root") {
		return true
	}
	if g.Retiring != "" && principalIs(g.Retiring, caller) {
		return true
	}
	return slices.Contains(g.Operations, kmsapi.GrantOperationRetireGrant) && principalIs(g.Grantee, caller)
}

func (s *Service) RevokeGrant(ctx context.Context, in *kmsapi.RevokeGrantRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	err := s.Update(func(tx kit.Tx) error {
		k, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, k, "RevokeGrant", nil); err != nil {
			return err
		}
		if !grants.Has(k.in(tx), k.ID, *in.GrantId) {
			return msgNoSuchGrant.New(*in.GrantId)
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		return grants.Delete(k.in(tx), k.ID, *in.GrantId)
	})
	return nil, err
}

// grantAllows reports whether a grant of key k lets caller run op with encryption
// context encCtx.
func grantAllows(v kit.View, k *keyRecord, caller, op string, encCtx map[string]string) (bool, error) {
	allowed := false
	err := grants.Scan(v, func(g *grantRecord) bool {
		allowed = principalIs(g.Grantee, caller) && slices.Contains(g.Operations, op) && g.contextFits(op, encCtx)
		return !allowed
	}, k.ID)
	return allowed, err
}

// contextFits applies a grant's encryption context constraints. They do not apply to
// DescribeKey and RetireGrant, which take no context; keys compare without regard to
// case and values exactly, as AWS's GrantConstraints documents.
func (g *grantRecord) contextFits(op string, encCtx map[string]string) bool {
	if op == kmsapi.GrantOperationDescribeKey || op == kmsapi.GrantOperationRetireGrant {
		return true
	}
	if len(g.ContextEquals) > 0 {
		return len(encCtx) == len(g.ContextEquals) && containsContext(encCtx, g.ContextEquals)
	}
	return containsContext(encCtx, g.ContextSubset)
}

func containsContext(have, want map[string]string) bool {
	for wk, wv := range want {
		found := false
		for hk, hv := range have {
			if strings.EqualFold(hk, wk) && hv == wv {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// principalIs reports whether a grant's principal names the caller: the same ARN, a role
// naming its sessions, or an account (id or root ARN) naming its root.
func principalIs(named, caller string) bool {
	if named == caller {
		return true
	}
	c, err := arn.Parse(caller)
	if err != nil {
		return false
	}
	if auth.IsAccountID(named) {
		return c.Resource == "root" && c.Account == named
	}
	n, err := arn.Parse(named)
	if err != nil || n.Account != c.Account || n.Partition != c.Partition {
		return false
	}
	if n.Service == "iam" && strings.HasPrefix(n.Resource, "role/") && strings.HasPrefix(c.Resource, "assumed-role/") {
		role, _, _ := strings.Cut(strings.TrimPrefix(c.Resource, "assumed-role/"), "/")
		return n.Resource[strings.LastIndexByte(n.Resource, '/')+1:] == role
	}
	return false
}

// grantTokensValid refuses GrantTokens xregion did not issue, for the operations that
// take them. Grants are consistent at once here, so a valid token adds no permission.
func (s *Service) grantTokensValid(ctx context.Context, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	return s.checkGrantTokens(s.Call(ctx), tokens)
}
