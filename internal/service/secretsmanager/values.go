package secretsmanager

import (
	"context"
	"slices"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

func (s *Service) getSecretValue(ctx context.Context, in *sm.GetSecretValueRequest) (*sm.GetSecretValueResponse, error) {
	info := request.From(ctx)
	var out *sm.GetSecretValueResponse
	err := s.st.View(func(tx store.Tx) error {
		var err error
		out, err = s.readValue(tx, info, *in.SecretId, deref(in.VersionId), deref(in.VersionStage))
		return err
	})
	return out, err
}

// readValue answers GetSecretValue in tx, which may be read-only: the read is noted in the
// access log, which records LastAccessedDate later (see accessLog).
func (s *Service) readValue(tx store.Tx, info *request.Info, secretID, versionID, stage string) (*sm.GetSecretValueResponse, error) {
	rec, err := s.findReadable(tx, info, secretID)
	if err != nil {
		return nil, err
	}
	sc := scopeOf(info.Account, info.Region)
	ver, err := pickVersion(tx, sc, rec, versionID, stage, s.versions)
	if err != nil {
		return nil, err
	}
	v, err := s.loadValue(tx, info.Account, info.Region, rec, ver)
	if err != nil {
		return nil, err
	}
	if today := day(s.clock.Now()); !sameTime(rec.Accessed, today) || !sameTime(ver.Accessed, today) {
		s.access.note(accessKey{account: info.Account, region: info.Region, name: rec.Name, suffix: rec.Suffix, version: ver.ID}, today)
	}
	created := ver.Created
	return &sm.GetSecretValueResponse{
		ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name),
		VersionId: str(ver.ID), SecretString: v.String, SecretBinary: v.Binary,
		VersionStages: rec.versionStages(ver.ID), CreatedDate: &created,
	}, nil
}

// pickVersion finds the version GetSecretValue asks for: by id, by label, or AWSCURRENT,
// through cache when it is not nil (see loadVersion).
func pickVersion(tx store.Tx, sc store.Scope, rec *secretRecord, versionID, stage string, cache *store.Decoded[versionRecord]) (*versionRecord, error) {
	if versionID == "" {
		if stage == "" {
			stage = stageCurrent
		}
		versionID = rec.Stages[stage]
		if versionID == "" {
			return nil, valueNotFoundForStage(stage)
		}
	} else if stage != "" && rec.Stages[stage] != versionID {
		ver, err := loadVersion(tx, sc, rec.Name, versionID, cache)
		if err != nil {
			return nil, err
		}
		if ver == nil {
			return nil, valueNotFoundForVersion(versionID)
		}
		return nil, invalidRequest(msgStageMismatch)
	}
	ver, err := loadVersion(tx, sc, rec.Name, versionID, cache)
	if err != nil {
		return nil, err
	}
	if ver == nil {
		if stage != "" {
			return nil, valueNotFoundForStage(stage)
		}
		return nil, valueNotFoundForVersion(versionID)
	}
	return ver, nil
}

func (s *Service) putSecretValue(ctx context.Context, in *sm.PutSecretValueRequest) (*sm.PutSecretValueResponse, error) {
	info := request.From(ctx)
	if in.ClientRequestToken == nil {
		return nil, invalidRequest(msgNeedToken)
	}
	val, hasValue, err := inputValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if !hasValue {
		return nil, invalidRequest(msgNeedValue)
	}
	labels := in.VersionStages
	if labels == nil {
		labels = []string{stageCurrent}
	}
	if err := checkStages(labels); err != nil {
		return nil, err
	}
	id := *in.ClientRequestToken
	var out *sm.PutSecretValueResponse
	err = s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		respond := func() {
			out = &sm.PutSecretValueResponse{
				ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name),
				VersionId: str(id), VersionStages: rec.versionStages(id),
			}
		}
		same, err := s.sameRequest(tx, info.Account, info.Region, rec, id, val)
		if err != nil {
			return err
		}
		if same {
			respond()
			return nil
		}
		// AWS attaches AWSCURRENT to the first version of a secret whatever labels the
		// request names, so that the secret has a current value.
		stages := labels
		if rec.Versions == 0 && !slices.Contains(stages, stageCurrent) {
			stages = append(slices.Clone(stages), stageCurrent)
		}
		now := s.clock.Now()
		if err := s.addVersion(tx, info.Account, info.Region, rec, id, val, stages, now); err != nil {
			return err
		}
		if err := s.commit(tx, info.Account, info.Region, rec, now); err != nil {
			return err
		}
		respond()
		return nil
	})
	return out, err
}

// commit stores a changed secret: it bumps its generation and LastChangedDate and asks
// every replica to sync again.
func (s *Service) commit(tx store.Tx, account, region string, rec *secretRecord, now time.Time) error {
	rec.Gen++
	rec.Changed = now
	if err := s.syncReplicas(tx, account, region, rec); err != nil {
		return err
	}
	return putSecret(tx, scopeOf(account, region), rec)
}
