package secretsmanager

import (
	"context"
	"slices"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

func str(s string) *string { return &s }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Service) createSecret(ctx context.Context, in *sm.CreateSecretRequest) (*sm.CreateSecretResponse, error) {
	info := request.From(ctx)
	name := *in.Name
	if !validName(name) {
		return nil, invalidName()
	}
	val, hasValue, err := inputValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if hasValue && in.ClientRequestToken == nil {
		return nil, invalidRequest(msgNeedToken)
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	replicas, err := checkReplicaRegions(info, in.AddReplicaRegions, in.ForceOverwriteReplicaSecret)
	if err != nil {
		return nil, err
	}
	var out *sm.CreateSecretResponse
	err = s.st.Update(func(tx store.Tx) error {
		sc := scopeOf(info.Account, info.Region)
		existing, err := getSecret(tx, sc, name)
		if err != nil {
			return err
		}
		if existing != nil {
			if existing.Deleted != nil {
				return invalidRequest(msgScheduledCreate)
			}
			// A retried CreateSecret carries the same token and value: it is the same request.
			if hasValue && !existing.isReplica() {
				same, err := s.sameRequest(tx, info.Account, info.Region, existing, *in.ClientRequestToken, val)
				if err != nil {
					return err
				}
				if same {
					out = createResponse(info, existing, *in.ClientRequestToken)
					return nil
				}
			}
			return secretExists(name)
		}
		now := s.clock.Now()
		rec := &secretRecord{
			Name: name, Suffix: ids.Alnum(6), KmsKeyID: deref(in.KmsKeyId), Created: now, Changed: now,
			Tags: tags, Tagged: len(tags) > 0, Replicas: replicas,
		}
		if in.Description != nil {
			rec.Description = in.Description
		}
		if _, err := s.checkKey(tx, info.Account, info.Region, rec.KmsKeyID); err != nil {
			return err
		}
		version := ""
		if hasValue {
			version = *in.ClientRequestToken
			if err := s.addVersion(tx, info.Account, info.Region, rec, version, val, []string{stageCurrent}, now); err != nil {
				return err
			}
		}
		rec.Gen = 1
		// The answer reports the replicas as the request left them, InProgress, as AWS
		// does; with a zero transition delay the sync below may already have finished by
		// the time the transaction commits, which any later read shows.
		accepted := slices.Clone(rec.Replicas)
		if err := s.syncReplicas(tx, info.Account, info.Region, rec); err != nil {
			return err
		}
		if err := insertSecret(tx, sc, rec); err != nil {
			return err
		}
		out = createResponse(info, rec, version)
		out.ReplicationStatus = replicationStatus(accepted, nil)
		return nil
	})
	return out, err
}

func createResponse(info *request.Info, rec *secretRecord, version string) *sm.CreateSecretResponse {
	out := &sm.CreateSecretResponse{
		ARN:               str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)),
		Name:              str(rec.Name),
		ReplicationStatus: replicationStatus(rec.Replicas, nil),
	}
	if version != "" {
		out.VersionId = str(version)
	}
	return out
}
