package secretsmanager

import (
	"context"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// reencryptedStages are the labels whose versions UpdateSecret moves to a new KMS key;
// AWS leaves other versions under the key they were made with.
var reencryptedStages = []string{stageCurrent, stagePending, stagePrevious}

func (s *Service) updateSecret(ctx context.Context, in *sm.UpdateSecretRequest) (*sm.UpdateSecretResponse, error) {
	info := request.From(ctx)
	val, hasValue, err := inputValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if hasValue && in.ClientRequestToken == nil {
		return nil, invalidRequest(msgNeedToken)
	}
	var out *sm.UpdateSecretResponse
	err = s.st.Update(func(tx store.Tx) error {
		rec, err := find(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		if rec.isReplica() {
			// A replica follows its primary in everything but its encryption key.
			if hasValue || in.Description != nil || in.KmsKeyId == nil {
				return onReplica()
			}
		}
		if rec.Deleted != nil {
			return markedDeleted()
		}
		out = &sm.UpdateSecretResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name)}
		if in.KmsKeyId != nil {
			if _, err := s.checkKey(tx, info.Account, info.Region, *in.KmsKeyId); err != nil {
				return err
			}
			if *in.KmsKeyId != rec.KmsKeyID {
				if err := s.changeKey(tx, info, rec, *in.KmsKeyId); err != nil {
					return err
				}
			}
		}
		now := s.clock.Now()
		if rec.isReplica() {
			rec.Changed = now
			return putSecret(tx, scopeOf(info.Account, info.Region), rec)
		}
		if in.Description != nil {
			rec.Description = in.Description
		}
		if hasValue {
			id := *in.ClientRequestToken
			same, err := s.sameRequest(tx, info.Account, info.Region, rec, id, val)
			if err != nil {
				return err
			}
			if !same {
				if err := s.addVersion(tx, info.Account, info.Region, rec, id, val, []string{stageCurrent}, now); err != nil {
					return err
				}
				out.VersionId = str(id)
			}
		}
		return s.commit(tx, info.Account, info.Region, rec, now)
	})
	return out, err
}

// changeKey moves a secret to another KMS key: the versions labelled AWSCURRENT, AWSPENDING
// or AWSPREVIOUS are encrypted again under it. On a replica, the primary's
// ReplicationStatus learns the new key, and the replica syncs again.
func (s *Service) changeKey(tx store.Tx, info *request.Info, rec *secretRecord, key string) error {
	sc := scopeOf(info.Account, info.Region)
	rec.KmsKeyID = key
	done := map[string]bool{}
	for _, label := range reencryptedStages {
		id := rec.Stages[label]
		if id == "" || done[id] {
			continue
		}
		done[id] = true
		ver, err := getVersion(tx, sc, rec.Name, id)
		if err != nil {
			return err
		}
		if ver == nil {
			continue
		}
		if err := s.reencrypt(tx, info.Account, info.Region, rec, ver); err != nil {
			return err
		}
	}
	if !rec.isReplica() {
		return nil
	}
	psc := scopeOf(info.Account, rec.Primary)
	prim, err := getSecret(tx, psc, rec.Name)
	if err != nil || prim == nil || prim.Suffix != rec.Suffix {
		return err
	}
	entry := prim.replica(info.Region)
	if entry == nil {
		return nil
	}
	entry.KmsKeyID = keyIdent(key)
	if entry.Status != sm.StatusTypeFailed {
		entry.Status, entry.Message = sm.StatusTypeInProgress, ""
		// The job alone: this transaction writes the replica itself afterwards.
		if err := s.enqueueSync(tx, info.Account, rec.Primary, rec.Name, info.Region, nil); err != nil {
			return err
		}
	}
	return putSecret(tx, psc, prim)
}

func (s *Service) updateSecretVersionStage(ctx context.Context, in *sm.UpdateSecretVersionStageRequest) (*sm.UpdateSecretVersionStageResponse, error) {
	info := request.From(ctx)
	label := *in.VersionStage
	move, remove := deref(in.MoveToVersionId), deref(in.RemoveFromVersionId)
	if move == "" && remove == "" {
		return nil, invalidParam("You must specify MoveToVersionId, RemoveFromVersionId, or both.") // (xregion)
	}
	var out *sm.UpdateSecretVersionStageResponse
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		sc := scopeOf(info.Account, info.Region)
		for _, id := range []string{move, remove} {
			if id == "" {
				continue
			}
			ver, err := getVersion(tx, sc, rec.Name, id)
			if err != nil {
				return err
			}
			if ver == nil {
				return invalidParam("Not a valid version: %s", id)
			}
		}
		current := rec.Stages[label]
		if remove != "" && current != remove {
			return invalidParam("The staging label %s isn't attached to version %s.", label, remove) // (xregion)
		}
		if move != "" && current != "" && current != move && remove != current {
			return invalidParam("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", label, current)
		}
		if move == "" {
			if label == stageCurrent {
				return invalidParam("You can't remove the staging label AWSCURRENT from a version without moving it to another version.") // (xregion)
			}
			delete(rec.Stages, label)
		} else if err := attach(rec, move, []string{label}); err != nil {
			return err
		}
		if err := s.commit(tx, info.Account, info.Region, rec, s.clock.Now()); err != nil {
			return err
		}
		out = &sm.UpdateSecretVersionStageResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name)}
		return nil
	})
	return out, err
}
