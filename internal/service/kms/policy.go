package kms

import (
	"context"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Every KMS key has exactly one key policy, named "default".
const policyName = "default"

func checkPolicyName(name *string) error {
	if name != nil && *name != policyName {
		return msgNoSuchPolicy.New()
	}
	return nil
}

func (s *Service) GetKeyPolicy(ctx context.Context, in *kmsapi.GetKeyPolicyRequest) (*kmsapi.GetKeyPolicyResponse, error) {
	return readKey(s, s.Call(ctx), *in.KeyId, func(_ kit.Tx, k *keyRecord) (*kmsapi.GetKeyPolicyResponse, error) {
		if err := checkPolicyName(in.PolicyName); err != nil {
			return nil, err
		}
		return &kmsapi.GetKeyPolicyResponse{Policy: new(k.Policy), PolicyName: new(policyName)}, nil
	})
}

func (s *Service) PutKeyPolicy(ctx context.Context, in *kmsapi.PutKeyPolicyRequest) (*awsmodel.Empty, error) {
	if err := validatePolicy(*in.Policy); err != nil {
		return nil, err
	}
	c := s.Call(ctx)
	_, err := s.change(ctx, *in.KeyId, "PutKeyPolicy", nil, func(tx kit.Tx, k *keyRecord) error {
		if err := checkPolicyName(in.PolicyName); err != nil {
			return err
		}
		if err := s.lockoutSafe(tx, c, k, *in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return err
		}
		k.Policy = *in.Policy
		return nil
	})
	return nil, err
}

func (s *Service) ListKeyPolicies(ctx context.Context, in *kmsapi.ListKeyPoliciesRequest) (*kmsapi.ListKeyPoliciesResponse, error) {
	c := s.Call(ctx)
	return readKey(s, c, *in.KeyId, func(_ kit.Tx, k *keyRecord) (*kmsapi.ListKeyPoliciesResponse, error) {
		// The one policy always fits on the first page, so no marker was ever issued for
		// this list and any marker is refused.
		l := kit.List{Op: "ListKeyPolicies", Account: c.Account, Region: c.Region, Within: k.ID}
		if _, err := s.pages.Open(l, in.Marker); err != nil {
			return nil, err
		}
		return &kmsapi.ListKeyPoliciesResponse{PolicyNames: []string{policyName}, Truncated: new(false)}, nil
	})
}
