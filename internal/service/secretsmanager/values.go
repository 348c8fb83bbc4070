package secretsmanager

import (
	"context"
	"slices"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service/kit"
)

func (s *Service) GetSecretValue(ctx context.Context, in *sm.GetSecretValueRequest) (*sm.GetSecretValueResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*sm.GetSecretValueResponse, error) {
		return s.readValue(tx, c.In(tx), c.Caller, *in.SecretId, deref(in.VersionId), deref(in.VersionStage))
	})
}

// readValue answers GetSecretValue in tx, which may be read-only: the read is noted in the
// access log, which records LastAccessedDate later (see accessLog).
func (s *Service) readValue(tx kit.Tx, v kit.View, caller kit.Caller, secretID, versionID, stage string) (*sm.GetSecretValueResponse, error) {
	rec, err := s.findReadable(v, secretID)
	if err != nil {
		return nil, err
	}
	ver, err := s.pickVersion(v, rec, versionID, stage)
	if err != nil {
		return nil, err
	}
	// The ARN and the encryption context are built once for the check, the decryption
	// and the answer: each costs allocations on every read.
	secretARN := rec.arn(v)
	encCtx := encryptionContext(secretARN, ver.ID)
	if err := s.mayDecrypt(tx, v, caller, ver, encCtx); err != nil {
		return nil, err
	}
	val, err := s.openValue(tx, v, rec, ver, encCtx)
	if err != nil {
		return nil, err
	}
	if today := day(s.Clock.Now()); !sameTime(rec.Accessed, today) || !sameTime(ver.Accessed, today) {
		s.access.note(accessKey{account: v.Account(), region: v.Region(), name: rec.Name, suffix: rec.Suffix, version: ver.ID}, today)
	}
	return &sm.GetSecretValueResponse{
		ARN: &secretARN, Name: new(rec.Name),
		VersionId: new(ver.ID), SecretString: val.String, SecretBinary: val.Binary,
		VersionStages: rec.versionStages(ver.ID), CreatedDate: new(ver.Created),
	}, nil
}

// pickVersion finds the version GetSecretValue asks for, by id, by label, or AWSCURRENT,
// through the version cache: the record it returns is shared and must not be changed.
func (s *Service) pickVersion(v kit.View, rec *secretRecord, versionID, stage string) (*versionRecord, error) {
	if versionID == "" {
		if stage == "" {
			stage = stageCurrent
		}
		versionID = rec.Stages[stage]
		if versionID == "" {
			return nil, msgNoValueForStage.New(stage)
		}
	}
	ver, err := s.versionCache.Get(v, rec.Name, versionID)
	switch {
	case err != nil:
		return nil, err
	case ver == nil && stage != "" && rec.Stages[stage] == versionID:
		return nil, msgNoValueForStage.New(stage)
	case ver == nil:
		return nil, msgNoValueForID.New(versionID)
	case stage != "" && rec.Stages[stage] != versionID:
		return nil, msgStageMismatch.New()
	}
	return ver, nil
}

func (s *Service) PutSecretValue(ctx context.Context, in *sm.PutSecretValueRequest) (*sm.PutSecretValueResponse, error) {
	c := s.Call(ctx)
	if in.ClientRequestToken == nil {
		return nil, msgNeedToken.New()
	}
	val, hasValue, err := inputValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if !hasValue {
		return nil, msgNeedValue.New()
	}
	labels := in.VersionStages
	if labels == nil {
		labels = []string{stageCurrent}
	}
	if err := checkStages(labels); err != nil {
		return nil, err
	}
	id := *in.ClientRequestToken
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.PutSecretValueResponse, error) {
		if err := userWritable(rec); err != nil {
			return nil, err
		}
		// AWS attaches AWSCURRENT to the first version of a secret whatever labels the
		// request names, so that the secret has a current value.
		if rec.Versions == 0 && !slices.Contains(labels, stageCurrent) {
			labels = append(slices.Clone(labels), stageCurrent)
		}
		now := c.Now()
		added, err := s.putValue(tx, v, c.Caller, rec, id, val, labels, now)
		if err != nil {
			return nil, err
		}
		if added {
			if err := s.commit(tx, v, rec, now); err != nil {
				return nil, err
			}
		}
		return &sm.PutSecretValueResponse{
			ARN: new(rec.arn(v)), Name: new(rec.Name), VersionId: new(id), VersionStages: rec.versionStages(id),
		}, nil
	})
}

// mayDecrypt asks KMS, in strict mode, whether the caller may decrypt the version's value
// through Secrets Manager: AWS's Secrets Manager decrypts with the caller's own
// permissions (it holds no grants), so a caller whose key policy, IAM policies and grants
// do not allow kms:Decrypt on the version's key gets no value.
func (s *Service) mayDecrypt(tx kit.Tx, v kit.View, caller kit.Caller, ver *versionRecord, encCtx map[string]string) error {
	return s.mayUseKey(tx, v, caller, ver.KeyARN, kmsDecrypt, encCtx)
}
