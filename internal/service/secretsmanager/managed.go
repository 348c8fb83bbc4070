package secretsmanager

import (
	"maps"
	"slices"

	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// The secrets other services own (port.ManagedSecrets): RDS's master user passwords.
// They are ordinary secrets with an OwningService, so every operation users have reads,
// replicates and rotates them as it does any secret; the owner creates, rotates,
// re-keys and deletes them through these methods, in its own transaction.

var _ port.ManagedSecrets = (*Service)(nil)

// CreateManaged implements port.ManagedSecrets.
func (s *Service) CreateManaged(tx kit.Tx, account, region string, m port.ManagedSecret) (string, error) {
	tx = s.Join(tx)
	v := tx.In(account, region)
	if secrets.Has(v, m.Name) {
		return "", msgSecretExists.New(m.Name)
	}
	now := s.Clock.Now()
	rec := &secretRecord{
		Name: m.Name, Suffix: ids.Alnum(6), KmsKeyID: m.KmsKeyID, Description: new(m.Description),
		Created: now, Changed: now, OwningService: m.Owner, Gen: 1,
	}
	for _, k := range slices.Sorted(maps.Keys(m.Tags)) {
		rec.Tags = append(rec.Tags, tag{Key: k, Value: m.Tags[k]})
	}
	rec.Tagged = len(rec.Tags) > 0
	if err := s.addVersion(tx, v, rec, ids.UUID(), secretValue{String: new(m.Value)}, []string{stageCurrent}, now); err != nil {
		return "", err
	}
	if m.RotationDays > 0 {
		rec.Rotation = &rotationState{AfterDays: new(m.RotationDays), Enabled: true}
		if err := s.scheduleRotation(tx, v, rec, now); err != nil {
			return "", err
		}
	}
	return rec.arn(v), insertSecret(v, rec)
}

// RotateManaged implements port.ManagedSecrets.
func (s *Service) RotateManaged(tx kit.Tx, account, region, secretARN string) error {
	tx = s.Join(tx)
	v := tx.In(account, region)
	rec, err := findPrimary(v, secretARN)
	if err != nil {
		return err
	}
	if rec.Rotation == nil {
		rec.Rotation = &rotationState{}
	}
	now := s.Clock.Now()
	if err := s.startRotation(tx, v, rec, ids.UUID(), now); err != nil {
		return err
	}
	// The scheduled rotation is armed again after the one just started, as RotateSecret
	// does: jobs about one secret run in order.
	if err := s.scheduleRotation(tx, v, rec, now); err != nil {
		return err
	}
	return s.commit(tx, v, rec, now)
}

// SetManagedKey implements port.ManagedSecrets.
func (s *Service) SetManagedKey(tx kit.Tx, account, region, secretARN, kmsKeyID string) error {
	tx = s.Join(tx)
	v := tx.In(account, region)
	rec, err := findPrimary(v, secretARN)
	if err != nil {
		return err
	}
	// The owning service moves its secret with its own rights, not a caller's.
	if err := s.updateKey(tx, v, kit.Caller{}, rec, kmsKeyID); err != nil {
		return err
	}
	return s.commit(tx, v, rec, s.Clock.Now())
}

// DeleteManaged implements port.ManagedSecrets. The replicas go through the ordered sync
// queue, which removes a replica whose primary is gone.
func (s *Service) DeleteManaged(tx kit.Tx, account, region, secretARN string) error {
	tx = s.Join(tx)
	v := tx.In(account, region)
	rec, err := findOwn(v, secretARN)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, r := range rec.Replicas {
		if err := s.enqueueSync(tx, v, rec.Name, r.Region, rec); err != nil {
			return err
		}
	}
	return purge(tx, v, rec)
}

// userWritable refuses a user's change to a secret another service owns. The owner keeps
// its secret's value, versions, key, tags and lifecycle in step with its own resource, so
// PutSecretValue, UpdateSecret, UpdateSecretVersionStage, DeleteSecret, TagResource,
// UntagResource and RotateSecret with a Lambda function of the user's answer this.
//
// What stays open, as AWS keeps it open: reading the secret, its resource policy (users
// grant access to the master password through it), replication to other Regions (the
// issue's "replicated like any secret"), and RotateSecret with only a schedule or
// CancelRotateSecret — managed rotation, which Terraform's aws_secretsmanager_secret_rotation
// drives on an RDS secret (terraform-aws-modules/rds does; floci#2378 checked RotateSecret
// with rules alone against AWS).
func userWritable(rec *secretRecord) error {
	if rec.OwningService != "" {
		return msgOwnedByService.New(rec.OwningService)
	}
	return nil
}
