package kms

import (
	"context"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// Every KMS key has exactly one key policy, named "default".
const policyName = "default"

func checkPolicyName(name *string) error {
	if name != nil && *name != policyName {
		return kmsapi.ErrNotFound.New("No such policy exists")
	}
	return nil
}

func (s *Service) getKeyPolicy(ctx context.Context, in *kmsapi.GetKeyPolicyRequest) (*kmsapi.GetKeyPolicyResponse, error) {
	info := request.From(ctx)
	var out *kmsapi.GetKeyPolicyResponse
	err := s.read(*in.KeyId, func(tx store.Tx) error {
		k, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
		if err != nil {
			return err
		}
		if err := checkPolicyName(in.PolicyName); err != nil {
			return err
		}
		out = &kmsapi.GetKeyPolicyResponse{Policy: str(k.Policy), PolicyName: str(policyName)}
		return nil
	})
	return out, err
}

func (s *Service) putKeyPolicy(ctx context.Context, in *kmsapi.PutKeyPolicyRequest) (*awsmodel.Empty, error) {
	if err := validatePolicy(*in.Policy); err != nil {
		return nil, err
	}
	_, err := s.change(ctx, *in.KeyId, "PutKeyPolicy", nil, func(_ store.Tx, k *keyRecord) error {
		if err := checkPolicyName(in.PolicyName); err != nil {
			return err
		}
		k.Policy = *in.Policy
		return nil
	})
	return nil, err
}

func (s *Service) listKeyPolicies(ctx context.Context, in *kmsapi.ListKeyPoliciesRequest) (*kmsapi.ListKeyPoliciesResponse, error) {
	info := request.From(ctx)
	err := s.read(*in.KeyId, func(tx store.Tx) error {
		k, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
		if err != nil {
			return err
		}
		// The one policy always fits on the first page, so no marker was ever issued for
		// this list and any marker is refused.
		_, err = s.openMarker(listOf{op: "ListKeyPolicies", account: info.Account, region: info.Region, within: k.ID}, in.Marker)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.ListKeyPoliciesResponse{PolicyNames: []string{policyName}, Truncated: boolp(false)}, nil
}
