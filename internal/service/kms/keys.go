package kms

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

func str(s string) *string { return &s }
func boolp(b bool) *bool   { return &b }
func i64(n int) *int64 {
	v := int64(n)
	return &v
}

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
func (s *Service) read(ident string, fn func(tx store.Tx) error) error {
	err := s.st.View(fn)
	if errors.Is(err, ErrKeyNotFound) && namesManagedAlias(ident) {
		return s.st.Update(fn)
	}
	return err
}

// change runs a management action on the key ident names: it refuses AWS managed keys
// where their policy does, runs check on the current record, then lets fn change a copy,
// which it stores. It returns the stored record.
func (s *Service) change(ctx context.Context, ident, action string, check func(*keyRecord) error, fn func(tx store.Tx, k *keyRecord) error) (*keyRecord, error) {
	info := request.From(ctx)
	var out *keyRecord
	err := s.st.Update(func(tx store.Tx) error {
		cur, err := s.resolveKey(tx, info.Account, info.Region, ident)
		if err != nil {
			return err
		}
		if err := checkManaged(ctx, cur, action); err != nil {
			return err
		}
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		k := cur.clone()
		if err := fn(tx, k); err != nil {
			return err
		}
		out = k
		return putKey(tx, k)
	})
	return out, err
}

func (s *Service) createKey(ctx context.Context, in *kmsapi.CreateKeyRequest) (*kmsapi.CreateKeyResponse, error) {
	info := request.From(ctx)
	spec, usage, err := specAndUsage(in)
	if err != nil {
		return nil, err
	}
	if o := deref(in.Origin); o != "" && o != kmsapi.OriginTypeAwsKms {
		return nil, unsupported("Origin %s is not supported. Only AWS_KMS key material can be created.", o)
	}
	if in.CustomKeyStoreId != nil {
		return nil, kmsapi.ErrCustomKeyStoreNotFound.New("Custom key store %s does not exist.", *in.CustomKeyStoreId)
	}
	if in.XksKeyId != nil {
		return nil, validation("XksKeyId is only valid with Origin EXTERNAL_KEY_STORE.")
	}
	policy := defaultPolicy(info.Partition, info.Account)
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
	// Material is made before the transaction: an RSA 4096 key takes long enough that
	// holding the store's writer lock for it would stall every other write.
	raw, err := generateMaterial(spec)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	k := &keyRecord{
		ID: newKeyID(mr), Account: info.Account, Region: info.Region, CreationDate: now,
		Description: deref(in.Description), Usage: usage, Spec: spec, Origin: kmsapi.OriginTypeAwsKms,
		Manager: managerCustomer, State: kmsapi.KeyStateEnabled, Policy: policy, Tags: mergeTags(nil, tags),
		Versions: []keyVersion{{N: 1, Created: now}},
	}
	if mr {
		k.MultiRegion, k.PrimaryRegion = true, info.Region
	}
	err = s.st.Update(func(tx store.Tx) error {
		if err := s.putMaterial(tx, k, 1, raw); err != nil {
			return err
		}
		return putKey(tx, k)
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.CreateKeyResponse{KeyMetadata: metadata(k)}, nil
}

// specAndUsage checks the key spec and usage of a CreateKey request, with AWS's defaults:
// SYMMETRIC_DEFAULT and ENCRYPT_DECRYPT. Every other spec needs an explicit usage.
func specAndUsage(in *kmsapi.CreateKeyRequest) (spec, usage string, err error) {
	spec, usage = deref(in.KeySpec), deref(in.KeyUsage)
	if in.KeySpec != nil && in.CustomerMasterKeySpec != nil {
		return "", "", validation("You cannot specify both CustomerMasterKeySpec and KeySpec in the same request. CustomerMasterKeySpec is deprecated. Use KeySpec.")
	}
	if spec == "" {
		spec = deref(in.CustomerMasterKeySpec)
	}
	if spec == "" {
		spec = kmsapi.KeySpecSymmetricDefault
	}
	if spec == kmsapi.KeySpecSm2 {
		return "", "", unsupported("KeySpec SM2 is supported only in China Regions.")
	}
	if !supportedSpec(spec) {
		return "", "", unsupported("KeySpec %s is not supported by xregion.", spec)
	}
	if usage == "" {
		if spec != kmsapi.KeySpecSymmetricDefault {
			return "", "", validation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
		}
		usage = kmsapi.KeyUsageTypeEncryptDecrypt
	}
	if !usageFits(spec, usage) {
		return "", "", validation("KeyUsage %s is not compatible with KeySpec %s", usage, spec)
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
		return kmsapi.ErrMalformedPolicyDocument.New("The key policy is not a valid JSON document: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, ok := doc["Statement"]; !ok {
		return kmsapi.ErrMalformedPolicyDocument.New("Policy has no Statement.")
	}
	return nil
}

// metadata is the KeyMetadata of DescribeKey, CreateKey and ReplicateKey.
func metadata(k *keyRecord) *kmsapi.KeyMetadata {
	md := &kmsapi.KeyMetadata{
		AWSAccountId: str(k.Account), KeyId: str(k.ID), Arn: str(k.ARN()),
		CreationDate: timep(k.CreationDate), Enabled: boolp(k.State == kmsapi.KeyStateEnabled),
		Description: str(k.Description), KeyUsage: str(k.Usage), KeyState: str(k.State),
		Origin: str(k.Origin), KeyManager: str(k.Manager),
		CustomerMasterKeySpec: str(k.Spec), KeySpec: str(k.Spec), MultiRegion: boolp(k.MultiRegion),
	}
	if k.DeletionDate != nil {
		md.DeletionDate = timep(*k.DeletionDate)
	}
	if k.State == kmsapi.KeyStatePendingReplicaDeletion {
		md.PendingDeletionWindowInDays = i64(k.PendingWindowDays)
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
		MultiRegionKeyType: str(typ),
		PrimaryKey:         &kmsapi.MultiRegionKey{Arn: str(keyARN(k.Account, k.PrimaryRegion, k.ID)), Region: str(k.PrimaryRegion)},
		ReplicaKeys:        []kmsapi.MultiRegionKey{},
	}
	for _, r := range k.Replicas {
		c.ReplicaKeys = append(c.ReplicaKeys, kmsapi.MultiRegionKey{Arn: str(keyARN(k.Account, r, k.ID)), Region: str(r)})
	}
	return c
}

func (s *Service) describeKey(ctx context.Context, in *kmsapi.DescribeKeyRequest) (*kmsapi.DescribeKeyResponse, error) {
	info := request.From(ctx)
	var out *kmsapi.DescribeKeyResponse
	err := s.read(*in.KeyId, func(tx store.Tx) error {
		k, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
		if err != nil {
			return err
		}
		out = &kmsapi.DescribeKeyResponse{KeyMetadata: metadata(k)}
		return nil
	})
	return out, err
}

func (s *Service) listKeys(ctx context.Context, in *kmsapi.ListKeysRequest) (*kmsapi.ListKeysResponse, error) {
	info := request.From(ctx)
	limit := limitOf(in.Limit, 100)
	scope := scopeOf(info.Account, info.Region)
	l := listOf{op: "ListKeys", account: info.Account, region: info.Region}
	from, err := s.openMarker(l, in.Marker)
	if err != nil {
		return nil, err
	}
	out := &kmsapi.ListKeysResponse{Keys: []kmsapi.KeyListEntry{}}
	err = s.st.View(func(tx store.Tx) error {
		prefix := scope.Prefix(kindKey)
		start := ""
		if from != "" {
			start = prefix + from
		}
		var ids []string
		if err := tx.Scan(prefix, start, func(key string, _ []byte) bool {
			ids = append(ids, strings.TrimPrefix(key, prefix))
			return len(ids) <= limit
		}); err != nil {
			return err
		}
		for i, id := range ids {
			if i == limit {
				out.NextMarker = s.marker(l, id)
				break
			}
			out.Keys = append(out.Keys, kmsapi.KeyListEntry{KeyId: str(id), KeyArn: str(keyARN(info.Account, info.Region, id))})
		}
		return nil
	})
	out.Truncated = boolp(out.NextMarker != nil)
	return out, err
}

func limitOf(l *int64, def int) int {
	if l == nil {
		return def
	}
	return int(*l)
}

func (s *Service) updateKeyDescription(ctx context.Context, in *kmsapi.UpdateKeyDescriptionRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "UpdateKeyDescription", requireLive, func(_ store.Tx, k *keyRecord) error {
		k.Description = *in.Description
		return nil
	})
	return nil, err
}

func (s *Service) enableKey(ctx context.Context, in *kmsapi.EnableKeyRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "EnableKey", requireLive, func(_ store.Tx, k *keyRecord) error {
		k.State = kmsapi.KeyStateEnabled
		return nil
	})
	return nil, err
}

func (s *Service) disableKey(ctx context.Context, in *kmsapi.DisableKeyRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "DisableKey", requireLive, func(_ store.Tx, k *keyRecord) error {
		k.State = kmsapi.KeyStateDisabled
		return nil
	})
	return nil, err
}
