package secretsmanager

import (
	"context"
	"errors"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// errStale makes a read-only GetSecretValue start over in a writable transaction, to record
// a new LastAccessedDate.
var errStale = errors.New("secretsmanager: last-accessed date to update")

func (s *Service) getSecretValue(ctx context.Context, in *sm.GetSecretValueRequest) (*sm.GetSecretValueResponse, error) {
	info := request.From(ctx)
	var out *sm.GetSecretValueResponse
	read := func(tx store.Tx) error {
		var err error
		out, err = s.readValue(tx, info, *in.SecretId, deref(in.VersionId), deref(in.VersionStage))
		return err
	}
	// Almost every read finds today's date already recorded and stays read-only; only the
	// first read of a day takes the writer lock.
	err := s.st.View(read)
	if errors.Is(err, errStale) {
		err = s.st.Update(read)
	}
	return out, err
}

// readValue answers GetSecretValue in tx. In a read-only transaction it returns errStale
// when the secret's or the version's last-accessed day is not today.
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
	today := day(s.clock.Now())
	fresh := sameTime(rec.Accessed, today) && sameTime(ver.Accessed, today)
	if !fresh && !tx.Writable() {
		return nil, errStale
	}
	v, err := s.loadValue(tx, info.Account, info.Region, rec, ver)
	if err != nil {
		return nil, err
	}
	if !fresh {
		rec.Accessed, ver.Accessed = &today, &today
		if err := putSecret(tx, sc, rec); err != nil {
			return nil, err
		}
		if err := store.PutJSON(tx, versionKey(sc, rec.Name, ver.ID), ver); err != nil {
			return nil, err
		}
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
		now := s.clock.Now()
		if err := s.addVersion(tx, info.Account, info.Region, rec, id, val, labels, now); err != nil {
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
