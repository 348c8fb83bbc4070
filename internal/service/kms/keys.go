package kms

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// namesManagedAlias reports whether an identifier is a predefined AWS managed alias (or
// its ARN), whose first use creates a key and so needs a writable transaction.
func namesManagedAlias(ident string) bool {
	if arn.IsARN(ident) {
		if a, err := arn.Parse(ident); err == nil {
			ident = a.Resource
		}
	}
	_, ok := managedKeys[ident]
	return ok
}

// read runs fn in a read-only transaction. When ident names an AWS managed key that does
// not exist yet, fn runs again in a writable one, which creates the key: only the first
// use of such a key takes the store's writer lock.
func (s *Service) read(ident string, fn func(tx kit.Tx) error) error {
	err := s.View(fn)
	if errors.Is(err, port.ErrKeyNotFound) && namesManagedAlias(ident) {
		return s.Update(fn)
	}
	return err
}

// readKey is read for the operations that answer from the key ident names: it resolves
// the key in the caller's account and Region and hands it to fn.
func readKey[T any](s *Service, c kit.Call, ident string, fn func(tx kit.Tx, k *keyRecord) (T, error)) (T, error) {
	var out T
	err := s.read(ident, func(tx kit.Tx) error {
		k, err := s.resolveKey(tx, c.Account, c.Region, ident)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, k, c.Operation, nil); err != nil {
			return err
		}
		out, err = fn(tx, k)
		return err
	})
	return out, err
}

// change runs a management action on the key ident names: it refuses AWS managed keys
// where their policy does, runs check on the current record, then lets fn change a copy,
// which it stores. It returns the stored record.
func (s *Service) change(ctx context.Context, ident, action string, check func(*keyRecord) error, fn func(tx kit.Tx, k *keyRecord) error) (*keyRecord, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*keyRecord, error) {
		cur, err := s.resolveKey(tx, c.Account, c.Region, ident)
		if err != nil {
			return nil, err
		}
		if err := s.allow(tx, c, cur, action, nil); err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(cur); err != nil {
				return nil, err
			}
		}
		k := cur.clone()
		if err := fn(tx, k); err != nil {
			return nil, err
		}
		return k, putKey(tx, k)
	})
}

func (s *Service) CreateKey(ctx context.Context, in *kmsapi.CreateKeyRequest) (*kmsapi.CreateKeyResponse, error) {
	c := s.Call(ctx)
	spec, usage, err := specAndUsage(in)
	if err != nil {
		return nil, err
	}
	if err := checkOrigin(in); err != nil {
		return nil, err
	}
	policy := defaultPolicy(c.Partition, c.Account)
	if in.Policy != nil {
		if err := validatePolicy(*in.Policy); err != nil {
			return nil, err
		}
		policy = *in.Policy
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	mr := in.MultiRegion != nil && *in.MultiRegion
	external := deref(in.Origin) == kmsapi.OriginTypeExternal
	if external && (mr || spec == kmsapi.KeySpecEccSecgP256k1) {
		if mr {
			return nil, msgExternalMultiRegion.New()
		}
		return nil, msgExternalSpec.New(spec)
	}
	now := c.Now()
	k := &keyRecord{
		ID: newKeyID(mr), Account: c.Account, Region: c.Region, CreationDate: now,
		Description: deref(in.Description), Usage: usage, Spec: spec, Origin: kmsapi.OriginTypeAwsKms,
		Manager: managerCustomer, State: kmsapi.KeyStateEnabled, Policy: policy, Tags: mergeTags(nil, tags),
		Versions: []keyVersion{{N: 1, Created: now}},
	}
	if mr {
		k.MultiRegion, k.PrimaryRegion = true, c.Region
	}
	var raw []byte
	if external {
		// A key for imported material has none until ImportKeyMaterial.
		k.Origin, k.State, k.Versions = kmsapi.OriginTypeExternal, kmsapi.KeyStatePendingImport, nil
	} else if raw, err = generateMaterial(spec); err != nil {
		// Material is made before the transaction: an RSA 4096 key takes long enough that
		// holding the store's writer lock for it would stall every other write.
		return nil, err
	}
	err = s.Update(func(tx kit.Tx) error {
		if err := s.allowAccount(tx, c, "CreateKey"); err != nil {
			return err
		}
		if err := s.lockoutSafe(tx, c, k, k.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return err
		}
		if raw != nil {
			if err := s.putMaterial(tx, k, 1, raw); err != nil {
				return err
			}
		}
		return putKey(tx, k)
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.CreateKeyResponse{KeyMetadata: metadata(k)}, nil
}

// checkOrigin refuses the key stores xregion has none of: material made by KMS (AWS_KMS)
// or imported (EXTERNAL).
func checkOrigin(in *kmsapi.CreateKeyRequest) error {
	if o := deref(in.Origin); o != "" && o != kmsapi.OriginTypeAwsKms && o != kmsapi.OriginTypeExternal {
		return msgOrigin.New(o)
	}
	if in.CustomKeyStoreId != nil {
		return msgNoKeyStore.New(*in.CustomKeyStoreId)
	}
	if in.XksKeyId != nil {
		return msgXksKeyID.New()
	}
	return nil
}

// specAndUsage checks the key spec and usage of a CreateKey request, with AWS's defaults:
// SYMMETRIC_DEFAULT and ENCRYPT_DECRYPT. Every other spec needs an explicit usage.
func specAndUsage(in *kmsapi.CreateKeyRequest) (spec, usage string, err error) {
	spec, usage = deref(in.KeySpec), deref(in.KeyUsage)
	if in.KeySpec != nil && in.CustomerMasterKeySpec != nil {
		return "", "", msgBothSpecs.New()
	}
	if spec == "" {
		spec = deref(in.CustomerMasterKeySpec)
	}
	if spec == "" {
		spec = kmsapi.KeySpecSymmetricDefault
	}
	if spec == kmsapi.KeySpecSm2 {
		return "", "", msgSM2Key.New()
	}
	if !supportedSpec(spec) {
		return "", "", msgKeySpec.New(spec)
	}
	if usage == "" {
		if spec != kmsapi.KeySpecSymmetricDefault {
			return "", "", msgNeedUsage.New()
		}
		usage = kmsapi.KeyUsageTypeEncryptDecrypt
	}
	if !usageFits(spec, usage) {
		return "", "", msgUsageMismatch.New(usage, spec)
	}
	return spec, usage, nil
}

func usageFits(spec, usage string) bool {
	switch {
	case spec == kmsapi.KeySpecSymmetricDefault:
		return usage == kmsapi.KeyUsageTypeEncryptDecrypt
	case hmacKeyBytes(spec) > 0:
		return usage == kmsapi.KeyUsageTypeGenerateVerifyMac
	case rsaBits(spec) > 0:
		return usage == kmsapi.KeyUsageTypeEncryptDecrypt || usage == kmsapi.KeyUsageTypeSignVerify
	case nistCurve(spec) != nil:
		return usage == kmsapi.KeyUsageTypeSignVerify || usage == kmsapi.KeyUsageTypeKeyAgreement
	case spec == kmsapi.KeySpecEccSecgP256k1:
		return usage == kmsapi.KeyUsageTypeSignVerify
	}
	return false
}

func validatePolicy(p string) error {
	var doc map[string]any
	if err := json.Unmarshal([]byte(p), &doc); err != nil {
		return msgPolicyNotJSON.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, ok := doc["Statement"]; !ok {
		return msgPolicyStatement.New()
	}
	return nil
}

// metadata is the KeyMetadata of DescribeKey, CreateKey and ReplicateKey.
func metadata(k *keyRecord) *kmsapi.KeyMetadata {
	md := &kmsapi.KeyMetadata{
		AWSAccountId: new(k.Account), KeyId: new(k.ID), Arn: new(k.ARN()),
		CreationDate: new(k.CreationDate), Enabled: new(k.State == kmsapi.KeyStateEnabled),
		Description: new(k.Description), KeyUsage: new(k.Usage), KeyState: new(k.State),
		Origin: new(k.Origin), KeyManager: new(k.Manager),
		CustomerMasterKeySpec: new(k.Spec), KeySpec: new(k.Spec), MultiRegion: new(k.MultiRegion),
	}
	if k.DeletionDate != nil {
		md.DeletionDate = new(*k.DeletionDate)
	}
	if k.ExpirationModel != "" {
		md.ExpirationModel = new(k.ExpirationModel)
	}
	if k.ValidTo != nil {
		md.ValidTo = new(*k.ValidTo)
	}
	if k.MaterialID != "" && k.Spec == kmsapi.KeySpecSymmetricDefault {
		md.CurrentKeyMaterialId = new(k.MaterialID)
	}
	if k.State == kmsapi.KeyStatePendingReplicaDeletion {
		md.PendingDeletionWindowInDays = new(int64(k.PendingWindowDays))
	}
	switch k.Usage {
	case kmsapi.KeyUsageTypeEncryptDecrypt:
		md.EncryptionAlgorithms = encryptionAlgorithms(k.Spec)
	case kmsapi.KeyUsageTypeSignVerify:
		md.SigningAlgorithms = signingAlgorithms(k.Spec)
	case kmsapi.KeyUsageTypeGenerateVerifyMac:
		md.MacAlgorithms = []string{macAlgorithm(k.Spec)}
	case kmsapi.KeyUsageTypeKeyAgreement:
		md.KeyAgreementAlgorithms = []string{kmsapi.KeyAgreementAlgorithmSpecEcdh}
	}
	if k.MultiRegion {
		md.MultiRegionConfiguration = multiRegionConfiguration(k)
	}
	return md
}

func multiRegionConfiguration(k *keyRecord) *kmsapi.MultiRegionConfiguration {
	typ := kmsapi.MultiRegionKeyTypeReplica
	if k.isPrimary() {
		typ = kmsapi.MultiRegionKeyTypePrimary
	}
	c := &kmsapi.MultiRegionConfiguration{
		MultiRegionKeyType: new(typ),
		PrimaryKey:         &kmsapi.MultiRegionKey{Arn: new(keyARN(k.Account, k.PrimaryRegion, k.ID)), Region: new(k.PrimaryRegion)},
		ReplicaKeys:        []kmsapi.MultiRegionKey{},
	}
	for _, r := range k.Replicas {
		c.ReplicaKeys = append(c.ReplicaKeys, kmsapi.MultiRegionKey{Arn: new(keyARN(k.Account, r, k.ID)), Region: new(r)})
	}
	return c
}

func (s *Service) DescribeKey(ctx context.Context, in *kmsapi.DescribeKeyRequest) (*kmsapi.DescribeKeyResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	return readKey(s, s.Call(ctx), *in.KeyId, func(_ kit.Tx, k *keyRecord) (*kmsapi.DescribeKeyResponse, error) {
		return &kmsapi.DescribeKeyResponse{KeyMetadata: metadata(k)}, nil
	})
}

func (s *Service) ListKeys(ctx context.Context, in *kmsapi.ListKeysRequest) (*kmsapi.ListKeysResponse, error) {
	c := s.Call(ctx)
	limit := limitOf(in.Limit, 100)
	l := kit.List{Op: "ListKeys", Account: c.Account, Region: c.Region}
	out := &kmsapi.ListKeysResponse{Keys: []kmsapi.KeyListEntry{}}
	err := s.View(func(tx kit.Tx) error {
		if err := s.allowAccount(tx, c, "ListKeys"); err != nil {
			return err
		}
		next, err := s.pages.Scan(c.In(tx), l, keys, in.Marker, limit, func(e kit.Entry) (bool, error) {
			out.Keys = append(out.Keys, kmsapi.KeyListEntry{KeyId: new(e.Pos), KeyArn: new(keyARN(c.Account, c.Region, e.Pos))})
			return true, nil
		})
		out.NextMarker = next
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Truncated = new(out.NextMarker != nil)
	return out, nil
}

func limitOf(l *int64, def int) int {
	if l == nil {
		return def
	}
	return int(*l)
}

func (s *Service) UpdateKeyDescription(ctx context.Context, in *kmsapi.UpdateKeyDescriptionRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "UpdateKeyDescription", requireLive, func(_ kit.Tx, k *keyRecord) error {
		k.Description = *in.Description
		return nil
	})
	return nil, err
}

func (s *Service) EnableKey(ctx context.Context, in *kmsapi.EnableKeyRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "EnableKey", requireSwitchable, func(_ kit.Tx, k *keyRecord) error {
		k.State = kmsapi.KeyStateEnabled
		return nil
	})
	return nil, err
}

func (s *Service) DisableKey(ctx context.Context, in *kmsapi.DisableKeyRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "DisableKey", requireSwitchable, func(_ kit.Tx, k *keyRecord) error {
		k.State = kmsapi.KeyStateDisabled
		return nil
	})
	return nil, err
}
