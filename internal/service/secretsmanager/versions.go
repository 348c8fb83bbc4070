package secretsmanager

import (
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/store"
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
func (s *Service) makeRoom(tx store.Tx, sc store.Scope, rec *secretRecord, now time.Time) error {
	if rec.Versions < maxVersions {
		return nil
	}
	vs, err := versionsOf(tx, sc, rec.Name)
	if err != nil {
		return err
	}
	labelled := map[string]bool{}
	for _, id := range rec.Stages {
		labelled[id] = true
	}
	for _, v := range vs {
		if rec.Versions < maxVersions {
			break
		}
		if labelled[v.ID] || now.Sub(v.Created) < minDeprecatedAge {
			continue
		}
		if err := deleteVersion(tx, sc, rec.Name, v.ID); err != nil {
			return err
		}
		rec.Versions--
	}
	if rec.Versions >= maxVersions {
		return sm.ErrLimitExceeded.New(msgTooManyVersions)
	}
	return nil
}

func deleteVersion(tx store.Tx, sc store.Scope, name, id string) error {
	if err := tx.Delete(versionKey(sc, name, id)); err != nil {
		return err
	}
	return tx.Delete(valueKey(sc, name, id))
}

// attach moves each label to version id. Moving AWSCURRENT moves AWSPREVIOUS to the version
// AWSCURRENT left, as AWS does.
func attach(rec *secretRecord, id string, labels []string) error {
	if rec.Stages == nil {
		rec.Stages = map[string]string{}
	}
	for _, label := range labels {
		from := rec.Stages[label]
		rec.Stages[label] = id
		if label == stageCurrent && from != "" && from != id {
			rec.Stages[stagePrevious] = from
		}
	}
	if len(rec.Stages) > maxStages {
		return sm.ErrLimitExceeded.New(msgTooManyStages)
	}
	return nil
}

// addVersion writes a new version with the given labels: it makes room, encrypts the value
// and attaches the labels.
func (s *Service) addVersion(tx store.Tx, account, region string, rec *secretRecord, id string, v secretValue, labels []string, now time.Time) error {
	sc := scopeOf(account, region)
	if err := s.makeRoom(tx, sc, rec, now); err != nil {
		return err
	}
	if err := s.storeValue(tx, account, region, rec, &versionRecord{ID: id, Created: now}, v); err != nil {
		return err
	}
	rec.Versions++
	return attach(rec, id, labels)
}

// sameRequest handles a ClientRequestToken that names an existing version. The same value
// means the request is a retry and there is nothing to do; another value is an error,
// because a version never changes.
func (s *Service) sameRequest(tx store.Tx, account, region string, rec *secretRecord, id string, v secretValue) (bool, error) {
	ver, err := getVersion(tx, scopeOf(account, region), rec.Name, id)
	if err != nil || ver == nil {
		return false, err
	}
	old, err := s.loadValue(tx, account, region, rec, ver)
	if err != nil {
		return false, err
	}
	if !old.equal(v) {
		return false, sm.ErrResourceExists.New(msgVersionExists)
	}
	return true, nil
}

// checkStages validates VersionStages of a request.
func checkStages(stages []string) error {
	seen := map[string]bool{}
	for _, st := range stages {
		if seen[st] {
			return invalidParam("The staging label %s appears more than once in VersionStages.", st) // (xregion)
		}
		seen[st] = true
	}
	return nil
}
