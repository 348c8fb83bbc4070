package ec2

import (
	"context"
	"errors"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// ebsAlias is the AWS managed key EBS encrypts with when no other key is named.
const ebsAlias = "alias/aws/ebs"

func settingsOf(v kit.View) (*ebsSettingsRecord, error) {
	rec, err := ebsSettings.Get(v)
	if err == nil && rec == nil {
		rec = &ebsSettingsRecord{}
	}
	return rec, err
}

// ebsKey resolves the KMS key an encrypted volume or snapshot of the view uses: the one
// asked for, else the account's default EBS key, else alias/aws/ebs (made on first use).
// The key must be an enabled symmetric encryption key.
func (s *Service) ebsKey(tx kit.Tx, v kit.View, asked *string) (port.KeyInfo, error) {
	id := deref(asked)
	if id == "" {
		set, err := settingsOf(v)
		if err != nil {
			return port.KeyInfo{}, err
		}
		id = set.DefaultKey
	}
	if id == "" {
		id = ebsAlias
	}
	info, err := s.keys.Resolve(tx, v.Account(), v.Region(), id)
	if err != nil {
		return port.KeyInfo{}, keyError(id, err)
	}
	if info.Usage != "ENCRYPT_DECRYPT" || info.Spec != "SYMMETRIC_DEFAULT" {
		return port.KeyInfo{}, msgKeyNotSymmetric.New(id)
	}
	if !info.Enabled {
		return port.KeyInfo{}, msgKeyState.New()
	}
	return info, nil
}

// keyError answers a key ring's failure with EC2's error.
func keyError(id string, err error) error {
	switch {
	case errors.Is(err, port.ErrKeyNotFound):
		return msgKeyNotFound.New(id)
	case port.KeyUnavailable(err):
		return msgKeyState.New()
	case errors.Is(err, port.ErrInvalidKeyUsage):
		return msgKeyNotSymmetric.New(id)
	}
	return err
}

func (s *Service) GetEbsEncryptionByDefault(ctx context.Context, in *ec2api.GetEbsEncryptionByDefaultRequest) (*ec2api.GetEbsEncryptionByDefaultResult, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ec2api.GetEbsEncryptionByDefaultResult, error) {
		set, err := settingsOf(c.In(tx))
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		return &ec2api.GetEbsEncryptionByDefaultResult{EbsEncryptionByDefault: new(set.ByDefault), SseType: new(ec2api.SSETypeSseEbs)}, nil
	})
}

// setEncryptionByDefault turns encryption by default on or off.
func (s *Service) setEncryptionByDefault(c kit.Call, on bool, dry *bool) (bool, error) {
	return kit.Write(s.Kit, func(tx kit.Tx) (bool, error) {
		v := c.In(tx)
		set, err := settingsOf(v)
		if err != nil {
			return false, err
		}
		if err := dryRun(dry); err != nil {
			return false, err
		}
		set.ByDefault = on
		return on, ebsSettings.Put(v, set)
	})
}

func (s *Service) EnableEbsEncryptionByDefault(ctx context.Context, in *ec2api.EnableEbsEncryptionByDefaultRequest) (*ec2api.EnableEbsEncryptionByDefaultResult, error) {
	on, err := s.setEncryptionByDefault(s.Call(ctx), true, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &ec2api.EnableEbsEncryptionByDefaultResult{EbsEncryptionByDefault: new(on)}, nil
}

func (s *Service) DisableEbsEncryptionByDefault(ctx context.Context, in *ec2api.DisableEbsEncryptionByDefaultRequest) (*ec2api.DisableEbsEncryptionByDefaultResult, error) {
	on, err := s.setEncryptionByDefault(s.Call(ctx), false, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &ec2api.DisableEbsEncryptionByDefaultResult{EbsEncryptionByDefault: new(on)}, nil
}

// GetEbsDefaultKmsKeyId answers the default key's ARN, or alias/aws/ebs while the
// account has not chosen one, as AWS does.
func (s *Service) GetEbsDefaultKmsKeyId(ctx context.Context, in *ec2api.GetEbsDefaultKmsKeyIdRequest) (*ec2api.GetEbsDefaultKmsKeyIdResult, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ec2api.GetEbsDefaultKmsKeyIdResult, error) {
		set, err := settingsOf(c.In(tx))
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		key := set.DefaultKey
		if key == "" {
			key = ebsAlias
		}
		return &ec2api.GetEbsDefaultKmsKeyIdResult{KmsKeyId: new(key)}, nil
	})
}

func (s *Service) ModifyEbsDefaultKmsKeyId(ctx context.Context, in *ec2api.ModifyEbsDefaultKmsKeyIdRequest) (*ec2api.ModifyEbsDefaultKmsKeyIdResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ec2api.ModifyEbsDefaultKmsKeyIdResult, error) {
		v := c.In(tx)
		info, err := s.ebsKey(tx, v, in.KmsKeyId)
		if err != nil {
			return nil, err
		}
		set, err := settingsOf(v)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		set.DefaultKey = info.ARN
		return &ec2api.ModifyEbsDefaultKmsKeyIdResult{KmsKeyId: new(info.ARN)}, ebsSettings.Put(v, set)
	})
}

// ResetEbsDefaultKmsKeyId makes alias/aws/ebs the default again and answers its key's
// ARN.
func (s *Service) ResetEbsDefaultKmsKeyId(ctx context.Context, in *ec2api.ResetEbsDefaultKmsKeyIdRequest) (*ec2api.ResetEbsDefaultKmsKeyIdResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ec2api.ResetEbsDefaultKmsKeyIdResult, error) {
		v := c.In(tx)
		set, err := settingsOf(v)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		set.DefaultKey = ""
		info, err := s.ebsKey(tx, v, new(ebsAlias))
		if err != nil {
			return nil, err
		}
		return &ec2api.ResetEbsDefaultKmsKeyIdResult{KmsKeyId: new(info.ARN)}, ebsSettings.Put(v, set)
	})
}
