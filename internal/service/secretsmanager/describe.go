package secretsmanager

import (
	"context"
	"encoding/base64"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

func (s *Service) describeSecret(ctx context.Context, in *sm.DescribeSecretRequest) (*sm.DescribeSecretResponse, error) {
	info := request.From(ctx)
	if err := s.access.flush(); err != nil { // LastAccessedDate must show every read so far
		return nil, err
	}
	var out *sm.DescribeSecretResponse
	err := s.st.View(func(tx store.Tx) error {
		rec, err := find(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		e := entryOf(info.Account, info.Region, rec)
		out = &sm.DescribeSecretResponse{
			ARN: e.ARN, Name: e.Name, Description: e.Description, KmsKeyId: e.KmsKeyId,
			RotationEnabled: e.RotationEnabled, RotationLambdaARN: e.RotationLambdaARN, RotationRules: e.RotationRules,
			LastRotatedDate: e.LastRotatedDate, LastChangedDate: e.LastChangedDate, LastAccessedDate: e.LastAccessedDate,
			DeletedDate: e.DeletedDate, NextRotationDate: e.NextRotationDate, Tags: e.Tags,
			VersionIdsToStages: e.SecretVersionsToStages, OwningService: e.OwningService, CreatedDate: e.CreatedDate,
			PrimaryRegion: e.PrimaryRegion,
		}
		out.ReplicationStatus = replicationStatus(rec.Replicas, replicaAccess(tx, info.Account, rec))
		return nil
	})
	return out, err
}

// entryOf is what DescribeSecret and ListSecrets show of a secret.
func entryOf(account, region string, rec *secretRecord) sm.SecretListEntry {
	created, changed := rec.Created, rec.Changed
	e := sm.SecretListEntry{
		ARN: str(arnOf(account, region, rec.Name, rec.Suffix)), Name: str(rec.Name),
		CreatedDate: &created, LastChangedDate: &changed, LastAccessedDate: rec.Accessed, DeletedDate: rec.Deleted,
		SecretVersionsToStages: rec.versionsToStages(),
	}
	if rec.Description != nil && *rec.Description != "" {
		e.Description = str(*rec.Description)
	}
	// AWS omits the key of secrets that use aws/secretsmanager.
	if rec.KmsKeyID != "" && rec.KmsKeyID != defaultKeyAlias {
		e.KmsKeyId = str(rec.KmsKeyID)
	}
	if rec.Tagged {
		e.Tags = []sm.Tag{}
		for _, t := range rec.Tags {
			e.Tags = append(e.Tags, sm.Tag{Key: str(t.Key), Value: str(t.Value)})
		}
	}
	if rec.OwningService != "" {
		e.OwningService = str(rec.OwningService)
	}
	if p := rec.primaryRegion(region); p != "" {
		e.PrimaryRegion = str(p)
	}
	if r := rec.Rotation; r != nil {
		enabled := r.Enabled
		e.RotationEnabled = &enabled
		if r.LambdaARN != "" {
			e.RotationLambdaARN = str(r.LambdaARN)
		}
		e.RotationRules = rulesOut(r)
		e.LastRotatedDate = r.Last
		if r.Enabled {
			e.NextRotationDate = r.Next
		}
	}
	return e
}

// replicaAccess reads each replica's LastAccessedDate in its own Region.
func replicaAccess(tx store.Tx, account string, rec *secretRecord) map[string]*time.Time {
	if len(rec.Replicas) == 0 {
		return nil
	}
	out := map[string]*time.Time{}
	for _, r := range rec.Replicas {
		rep, err := getSecret(tx, scopeOf(account, r.Region), rec.Name)
		if err == nil && rep != nil && rep.Primary != "" && rep.Suffix == rec.Suffix {
			out[r.Region] = rep.Accessed
		}
	}
	return out
}

func replicationStatus(list []replicaState, accessed map[string]*time.Time) []sm.ReplicationStatusType {
	var out []sm.ReplicationStatusType
	for _, r := range list {
		st := sm.ReplicationStatusType{Region: str(r.Region), KmsKeyId: str(r.KmsKeyID), Status: str(r.Status)}
		if r.Message != "" {
			st.StatusMessage = str(r.Message)
		}
		st.LastAccessedDate = accessed[r.Region]
		out = append(out, st)
	}
	return out
}

func (s *Service) listSecretVersionIds(ctx context.Context, in *sm.ListSecretVersionIdsRequest) (*sm.ListSecretVersionIdsResponse, error) {
	info := request.From(ctx)
	limit := 100
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	after := ""
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || len(b) == 0 {
			return nil, sm.ErrInvalidNextToken.New(msgBadNextToken)
		}
		after = string(b)
	}
	deprecated := in.IncludeDeprecated != nil && *in.IncludeDeprecated
	if err := s.access.flush(); err != nil { // LastAccessedDate must show every read so far
		return nil, err
	}
	var out *sm.ListSecretVersionIdsResponse
	err := s.st.View(func(tx store.Tx) error {
		rec, err := findLive(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		vs, err := versionsOf(tx, scopeOf(info.Account, info.Region), rec.Name)
		if err != nil {
			return err
		}
		// The token is the position "created/id" of the last version returned, so that
		// versions added or pruned meanwhile do not shift the pages.
		start := 0
		if after != "" {
			start = len(vs)
			for i, v := range vs {
				if versionPos(v) > after {
					start = i
					break
				}
			}
		}
		out = &sm.ListSecretVersionIdsResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name), Versions: []sm.SecretVersionsListEntry{}}
		var last *versionRecord
		for _, v := range vs[start:] {
			stages := rec.versionStages(v.ID)
			if len(stages) == 0 && !deprecated {
				continue
			}
			if len(out.Versions) == limit {
				out.NextToken = str(base64.RawURLEncoding.EncodeToString([]byte(versionPos(last))))
				break
			}
			last = v
			created := v.Created
			out.Versions = append(out.Versions, sm.SecretVersionsListEntry{
				VersionId: str(v.ID), VersionStages: stages, CreatedDate: &created, LastAccessedDate: v.Accessed,
				KmsKeyIds: []string{v.KeyLabel},
			})
		}
		return nil
	})
	return out, err
}

func versionPos(v *versionRecord) string { return ascStamp(v.Created) + "/" + v.ID }
