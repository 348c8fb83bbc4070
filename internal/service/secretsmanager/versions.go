package secretsmanager

import (
	"context"
	"slices"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Version limits. AWS documents that Secrets Manager removes versions without staging
// labels when a secret has more than 100, but never one created less than 24 hours ago,
// and that a secret has a quota of 20 staging labels across its versions.
const (
	maxVersions      = 100
	minDeprecatedAge = 24 * time.Hour
	maxStages        = 20
)

// makeRoom removes the oldest deprecated versions so that one more version fits, or fails
// with LimitExceededException when every candidate is labelled or too young.
func makeRoom(v kit.View, rec *secretRecord, now time.Time) error {
	if rec.Versions < maxVersions {
		return nil
	}
	vs, err := versionsOf(v, rec.Name)
	if err != nil {
		return err
	}
	labelled := map[string]bool{}
	for _, id := range rec.Stages {
		labelled[id] = true
	}
	for _, ver := range vs {
		if rec.Versions < maxVersions {
			break
		}
		if labelled[ver.ID] || now.Sub(ver.Created) < minDeprecatedAge {
			continue
		}
		if err := deleteVersion(v, rec.Name, ver.ID); err != nil {
			return err
		}
		rec.Versions--
	}
	if rec.Versions >= maxVersions {
		return msgTooManyVersions.New()
	}
	return nil
}

// attach moves each label to version id. Moving AWSCURRENT moves AWSPREVIOUS to the version
// AWSCURRENT left, as AWS does.
func attach(rec *secretRecord, id string, labels []string) error {
	for _, label := range labels {
		from := rec.Stages[label]
		rec.setStage(label, id)
		if label == stageCurrent && from != "" && from != id {
			rec.setStage(stagePrevious, from)
		}
	}
	if len(rec.Stages) > maxStages {
		return msgTooManyStages.New()
	}
	return nil
}

// addVersion writes a new version with the given labels: it makes room, encrypts the value
// and attaches the labels.
func (s *Service) addVersion(tx kit.Tx, v kit.View, rec *secretRecord, id string, val secretValue, labels []string, now time.Time) error {
	if err := makeRoom(v, rec, now); err != nil {
		return err
	}
	if err := s.storeValue(tx, v, rec, &versionRecord{ID: id, Created: now}, val); err != nil {
		return err
	}
	rec.Versions++
	return attach(rec, id, labels)
}

// sameRequest handles a ClientRequestToken that names an existing version. The same value
// means the request is a retry and there is nothing to do; another value is an error,
// because a version never changes.
func (s *Service) sameRequest(tx kit.Tx, v kit.View, rec *secretRecord, id string, val secretValue) (bool, error) {
	ver, err := versions.Get(v, rec.Name, id)
	if err != nil || ver == nil {
		return false, err
	}
	old, err := s.loadValue(tx, v, rec, ver)
	if err != nil {
		return false, err
	}
	if !old.equal(val) {
		return false, msgTokenInUse.New(id, rec.arn(v))
	}
	return true, nil
}

// checkStages validates VersionStages of a request.
func checkStages(stages []string) error {
	seen := map[string]bool{}
	for _, st := range stages {
		if seen[st] {
			return msgStageTwice.New(st)
		}
		seen[st] = true
	}
	return nil
}

func (s *Service) UpdateSecretVersionStage(ctx context.Context, in *sm.UpdateSecretVersionStageRequest) (*sm.UpdateSecretVersionStageResponse, error) {
	c := s.Call(ctx)
	label := *in.VersionStage
	move, remove := deref(in.MoveToVersionId), deref(in.RemoveFromVersionId)
	if move == "" && remove == "" {
		return nil, msgMoveOrRemove.New()
	}
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.UpdateSecretVersionStageResponse, error) {
		if err := userWritable(rec); err != nil {
			return nil, err
		}
		if err := moveStage(v, rec, label, move, remove); err != nil {
			return nil, err
		}
		return &sm.UpdateSecretVersionStageResponse{ARN: new(rec.arn(v)), Name: new(rec.Name)}, s.commit(tx, v, rec, c.Now())
	})
}

// moveStage moves label from the version remove to the version move, as
// UpdateSecretVersionStage asks; either may be empty.
func moveStage(v kit.View, rec *secretRecord, label, move, remove string) error {
	for _, id := range []string{move, remove} {
		if id != "" && !versions.Has(v, rec.Name, id) {
			return msgNotAVersion.New(id)
		}
	}
	current := rec.Stages[label]
	if remove != "" && current != remove {
		return msgStageNotOn.New(label, remove)
	}
	if move != "" && current != "" && current != move && remove != current {
		return msgMustRemoveFrom.New(label, current)
	}
	if move != "" {
		return attach(rec, move, []string{label})
	}
	if label == stageCurrent {
		return msgKeepCurrent.New()
	}
	rec.dropStage(label)
	return nil
}

func (s *Service) ListSecretVersionIds(ctx context.Context, in *sm.ListSecretVersionIdsRequest) (*sm.ListSecretVersionIdsResponse, error) {
	c := s.Call(ctx)
	limit := 100
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	// A marker is the position "created/id" of the next version, so that versions added
	// or pruned meanwhile do not shift the pages. A bad one is refused before the secret
	// is looked for, as AWS does.
	l := kit.List{Op: "ListSecretVersionIds", Account: c.Account, Region: c.Region}
	from, err := s.pages.Open(l, in.NextToken)
	if err != nil {
		return nil, err
	}
	deprecated := in.IncludeDeprecated != nil && *in.IncludeDeprecated
	if err := s.access.flush(); err != nil { // LastAccessedDate must show every read so far
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*sm.ListSecretVersionIdsResponse, error) {
		v := c.In(tx)
		rec, err := findLive(v, *in.SecretId)
		if err != nil {
			return nil, err
		}
		all, err := versionsOf(v, rec.Name)
		if err != nil {
			return nil, err
		}
		listed := slices.DeleteFunc(all, func(ver *versionRecord) bool { return !deprecated && len(rec.versionStages(ver.ID)) == 0 })
		page, next := kit.Cut(s.pages, l, listed, from, limit, versionPos)
		out := &sm.ListSecretVersionIdsResponse{ARN: new(rec.arn(v)), Name: new(rec.Name), Versions: []sm.SecretVersionsListEntry{}, NextToken: next}
		for _, ver := range page {
			out.Versions = append(out.Versions, sm.SecretVersionsListEntry{
				VersionId: new(ver.ID), VersionStages: rec.versionStages(ver.ID), CreatedDate: new(ver.Created),
				LastAccessedDate: ver.Accessed, KmsKeyIds: []string{ver.KeyLabel},
			})
		}
		return out, nil
	})
}

func versionPos(v *versionRecord) string { return ascStamp(v.Created) + "/" + v.ID }
