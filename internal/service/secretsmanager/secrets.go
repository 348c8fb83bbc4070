package secretsmanager

import (
	"context"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// Recovery windows, in days.
const (
	minRecoveryDays     = 7
	maxRecoveryDays     = 30
	defaultRecoveryDays = 30
)

// reencryptedStages are the labels whose versions UpdateSecret moves to a new KMS key;
// AWS leaves other versions under the key they were made with.
var reencryptedStages = []string{stageCurrent, stagePending, stagePrevious}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Service) CreateSecret(ctx context.Context, in *sm.CreateSecretRequest) (*sm.CreateSecretResponse, error) {
	c := s.Call(ctx)
	name := *in.Name
	if !validName(name) {
		return nil, msgInvalidName.New()
	}
	val, hasValue, err := inputValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if hasValue && in.ClientRequestToken == nil {
		return nil, msgNeedToken.New()
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	replicas, err := checkReplicaRegions(c, in.AddReplicaRegions, in.ForceOverwriteReplicaSecret)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*sm.CreateSecretResponse, error) {
		v := c.In(tx)
		if out, err := s.existingSecret(tx, v, name, in.ClientRequestToken, val, hasValue); out != nil || err != nil {
			return out, err
		}
		now := c.Now()
		rec := &secretRecord{
			Name: name, Suffix: ids.Alnum(6), KmsKeyID: deref(in.KmsKeyId), Description: in.Description,
			Created: now, Changed: now, Tags: tags, Tagged: len(tags) > 0, Replicas: replicas, Gen: 1,
		}
		if _, err := s.checkKey(tx, v, rec.KmsKeyID); err != nil {
			return nil, err
		}
		// Before the value is added: the caller gave it, and need not decrypt it again
		// for the replicas.
		if err := s.mayReplicate(tx, v, c.Caller, rec, replicaRefs(rec.Replicas)); err != nil {
			return nil, err
		}
		version := ""
		if hasValue {
			version = *in.ClientRequestToken
			if err := s.mayEncrypt(tx, v, c.Caller, rec, version); err != nil {
				return nil, err
			}
			if err := s.addVersion(tx, v, rec, version, val, []string{stageCurrent}, now); err != nil {
				return nil, err
			}
		}
		// The answer reports the replicas as the request left them, InProgress, as AWS
		// does; with a zero transition delay the sync below may already have finished by
		// the time the transaction commits, which any later read shows.
		accepted := slices.Clone(rec.Replicas)
		if err := s.syncReplicas(tx, v, rec); err != nil {
			return nil, err
		}
		if err := insertSecret(v, rec); err != nil {
			return nil, err
		}
		out := createResponse(v, rec, version)
		out.ReplicationStatus = replicationStatus(accepted, nil)
		return out, nil
	})
}

// existingSecret answers a CreateSecret for a name that is taken: a retry of the request
// that created the secret (the same token and value) gets that request's answer;
// anything else is an error. It returns nothing when the name is free.
func (s *Service) existingSecret(tx kit.Tx, v kit.View, name string, token *string, val secretValue, hasValue bool) (*sm.CreateSecretResponse, error) {
	existing, err := secrets.Get(v, name)
	if err != nil || existing == nil {
		return nil, err
	}
	if existing.Deleted != nil {
		return nil, msgScheduledCreate.New()
	}
	if hasValue && !existing.isReplica() {
		same, err := s.sameRequest(tx, v, existing, *token, val)
		if err != nil {
			return nil, err
		}
		if same {
			return createResponse(v, existing, *token), nil
		}
	}
	return nil, msgSecretExists.New(name)
}

func createResponse(v kit.View, rec *secretRecord, version string) *sm.CreateSecretResponse {
	out := &sm.CreateSecretResponse{
		ARN: new(rec.arn(v)), Name: new(rec.Name), ReplicationStatus: replicationStatus(rec.Replicas, nil),
	}
	if version != "" {
		out.VersionId = new(version)
	}
	return out
}

func (s *Service) DescribeSecret(ctx context.Context, in *sm.DescribeSecretRequest) (*sm.DescribeSecretResponse, error) {
	c := s.Call(ctx)
	if err := s.access.flush(); err != nil { // LastAccessedDate must show every read so far
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*sm.DescribeSecretResponse, error) {
		v := c.In(tx)
		rec, err := find(v, *in.SecretId)
		if err != nil {
			return nil, err
		}
		e := entryOf(v, rec)
		return &sm.DescribeSecretResponse{
			ARN: e.ARN, Name: e.Name, Description: e.Description, KmsKeyId: e.KmsKeyId,
			RotationEnabled: e.RotationEnabled, RotationLambdaARN: e.RotationLambdaARN, RotationRules: e.RotationRules,
			LastRotatedDate: e.LastRotatedDate, LastChangedDate: e.LastChangedDate, LastAccessedDate: e.LastAccessedDate,
			DeletedDate: e.DeletedDate, NextRotationDate: e.NextRotationDate, Tags: e.Tags,
			VersionIdsToStages: e.SecretVersionsToStages, OwningService: e.OwningService, CreatedDate: e.CreatedDate,
			PrimaryRegion: e.PrimaryRegion, ReplicationStatus: replicationStatus(rec.Replicas, replicaAccess(tx, v, rec)),
		}, nil
	})
}

// entryOf is what DescribeSecret and ListSecrets show of a secret in the Region of v.
func entryOf(v kit.View, rec *secretRecord) sm.SecretListEntry {
	e := sm.SecretListEntry{
		ARN: new(rec.arn(v)), Name: new(rec.Name),
		CreatedDate: new(rec.Created), LastChangedDate: new(rec.Changed), LastAccessedDate: rec.Accessed, DeletedDate: rec.Deleted,
		SecretVersionsToStages: rec.versionsToStages(),
	}
	if rec.Description != nil && *rec.Description != "" {
		e.Description = new(*rec.Description)
	}
	// AWS omits the key of secrets that use aws/secretsmanager.
	if rec.KmsKeyID != "" && rec.KmsKeyID != defaultKeyAlias {
		e.KmsKeyId = new(rec.KmsKeyID)
	}
	if rec.Tagged {
		e.Tags = []sm.Tag{}
		for _, t := range rec.Tags {
			e.Tags = append(e.Tags, sm.Tag{Key: new(t.Key), Value: new(t.Value)})
		}
	}
	if rec.OwningService != "" {
		e.OwningService = new(rec.OwningService)
	}
	if p := rec.primaryRegion(v.Region()); p != "" {
		e.PrimaryRegion = new(p)
	}
	if r := rec.Rotation; r != nil {
		e.RotationEnabled = new(r.Enabled)
		if r.LambdaARN != "" {
			e.RotationLambdaARN = new(r.LambdaARN)
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
func replicaAccess(tx kit.Tx, v kit.View, rec *secretRecord) map[string]*time.Time {
	if len(rec.Replicas) == 0 {
		return nil
	}
	out := map[string]*time.Time{}
	for _, r := range rec.Replicas {
		rep, err := secrets.Get(tx.In(v.Account(), r.Region), rec.Name)
		if err == nil && rep != nil && rep.Primary != "" && rep.Suffix == rec.Suffix {
			out[r.Region] = rep.Accessed
		}
	}
	return out
}

func replicationStatus(list []replicaState, accessed map[string]*time.Time) []sm.ReplicationStatusType {
	var out []sm.ReplicationStatusType
	for _, r := range list {
		st := sm.ReplicationStatusType{Region: new(r.Region), KmsKeyId: new(r.KmsKeyID), Status: new(r.Status)}
		if r.Message != "" {
			st.StatusMessage = new(r.Message)
		}
		st.LastAccessedDate = accessed[r.Region]
		out = append(out, st)
	}
	return out
}

func (s *Service) UpdateSecret(ctx context.Context, in *sm.UpdateSecretRequest) (*sm.UpdateSecretResponse, error) {
	c := s.Call(ctx)
	val, hasValue, err := inputValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if hasValue && in.ClientRequestToken == nil {
		return nil, msgNeedToken.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*sm.UpdateSecretResponse, error) {
		v := c.In(tx)
		rec, err := find(v, *in.SecretId)
		if err != nil {
			return nil, err
		}
		// A replica follows its primary in everything but its encryption key.
		if rec.isReplica() && (hasValue || in.Description != nil || in.KmsKeyId == nil) {
			return nil, msgOnReplica.New()
		}
		if rec.Deleted != nil {
			return nil, msgMarkedDeleted.New()
		}
		// A replica's own key is Secrets Manager's business, not the owning service's.
		if !rec.isReplica() {
			if err := userWritable(rec); err != nil {
				return nil, err
			}
		}
		out := &sm.UpdateSecretResponse{ARN: new(rec.arn(v)), Name: new(rec.Name)}
		if in.KmsKeyId != nil {
			if err := s.updateKey(tx, v, c.Caller, rec, *in.KmsKeyId); err != nil {
				return nil, err
			}
		}
		now := c.Now()
		if rec.isReplica() {
			rec.Changed = now
			return out, secrets.Put(v, rec, rec.Name)
		}
		if in.Description != nil {
			rec.Description = in.Description
		}
		if hasValue {
			// A retry (the same token and value) adds nothing and answers the version the
			// first call made, as AWS does.
			if _, err := s.putValue(tx, v, c.Caller, rec, *in.ClientRequestToken, val, []string{stageCurrent}, now); err != nil {
				return nil, err
			}
			out.VersionId = in.ClientRequestToken
		}
		return out, s.commit(tx, v, rec, now)
	})
}

// putValue adds the version id with val and labels, unless the version is there with the
// same value (a retried request), once caller may have it encrypted. It reports whether
// it added the version.
func (s *Service) putValue(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord, id string, val secretValue, labels []string, now time.Time) (bool, error) {
	same, err := s.sameRequest(tx, v, rec, id, val)
	if err != nil || same {
		return false, err
	}
	if err := s.mayEncrypt(tx, v, caller, rec, id); err != nil {
		return false, err
	}
	return true, s.addVersion(tx, v, rec, id, val, labels, now)
}

// updateKey checks a new KmsKeyId and, when it differs, moves the secret to it.
func (s *Service) updateKey(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord, key string) error {
	if _, err := s.checkKey(tx, v, key); err != nil {
		return err
	}
	if key == rec.KmsKeyID {
		return nil
	}
	return s.changeKey(tx, v, caller, rec, key)
}

// changeKey moves a secret to another KMS key: the versions labelled AWSCURRENT, AWSPENDING
// or AWSPREVIOUS are encrypted again under it, those the caller may move (see
// mayReencrypt). On a replica, the primary's ReplicationStatus learns the new key, and
// the replica syncs again.
func (s *Service) changeKey(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord, key string) error {
	rec.KmsKeyID = key
	done := map[string]bool{}
	for _, label := range reencryptedStages {
		id := rec.Stages[label]
		if id == "" || done[id] {
			continue
		}
		done[id] = true
		ver, err := versions.Get(v, rec.Name, id)
		if err != nil {
			return err
		}
		if ver == nil {
			continue
		}
		if ok, err := s.mayReencrypt(tx, v, caller, rec, ver); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if err := s.reencrypt(tx, v, rec, ver); err != nil {
			return err
		}
	}
	if !rec.isReplica() {
		return nil
	}
	return s.replicaKeyChanged(tx, v, rec, key)
}

// replicaKeyChanged tells a replica's primary that the replica's key changed, and syncs
// the replica again unless it failed.
func (s *Service) replicaKeyChanged(tx kit.Tx, v kit.View, rec *secretRecord, key string) error {
	pv := tx.In(v.Account(), rec.Primary)
	prim, err := secrets.Get(pv, rec.Name)
	if err != nil || prim == nil || prim.Suffix != rec.Suffix {
		return err
	}
	entry := prim.replica(v.Region())
	if entry == nil {
		return nil
	}
	entry.KmsKeyID = keyIdent(key)
	if entry.Status != sm.StatusTypeFailed {
		entry.Status, entry.Message = sm.StatusTypeInProgress, ""
		// The job alone: this transaction writes the replica itself afterwards.
		if err := s.enqueueSync(tx, pv, rec.Name, v.Region(), nil); err != nil {
			return err
		}
	}
	return secrets.Put(pv, prim, prim.Name)
}

func (s *Service) DeleteSecret(ctx context.Context, in *sm.DeleteSecretRequest) (*sm.DeleteSecretResponse, error) {
	c := s.Call(ctx)
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	days := int64(defaultRecoveryDays)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < minRecoveryDays || days > maxRecoveryDays {
			return nil, msgRecoveryWindow.New()
		}
		if force {
			return nil, msgForceAndWindow.New()
		}
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*sm.DeleteSecretResponse, error) {
		v := c.In(tx)
		rec, err := find(v, *in.SecretId)
		if err != nil {
			// Forcing the deletion of a secret that does not exist is not an error.
			if force && isNotFound(err) {
				return forgottenSecret(c, v, *in.SecretId)
			}
			return nil, err
		}
		if err := userWritable(rec); err != nil {
			return nil, err
		}
		if err := deletable(v, rec); err != nil {
			return nil, err
		}
		now := c.Now()
		if force {
			return &sm.DeleteSecretResponse{ARN: new(rec.arn(v)), Name: new(rec.Name), DeletionDate: &now}, purge(tx, v, rec)
		}
		if rec.Deleted != nil {
			return nil, msgMarkedDeleted.New()
		}
		when := now.Add(time.Duration(days) * 24 * time.Hour)
		id, err := jobDelete.Enqueue(tx, when, refOf(v, rec))
		if err != nil {
			return nil, err
		}
		rec.Deleted, rec.DeleteJob = &when, id
		return &sm.DeleteSecretResponse{ARN: new(rec.arn(v)), Name: new(rec.Name), DeletionDate: &when}, s.commit(tx, v, rec, now)
	})
}

// deletable refuses to delete a replica, or a primary that still has replicas.
func deletable(v kit.View, rec *secretRecord) error {
	if rec.isReplica() {
		return msgOnReplica.New()
	}
	if len(rec.Replicas) > 0 {
		regions := make([]string, len(rec.Replicas))
		for i, r := range rec.Replicas {
			regions[i] = r.Region
		}
		return deleteWithReplicas(rec.arn(v), regions)
	}
	return nil
}

// forgottenSecret is the answer of a forced deletion of a secret that does not exist: the
// partial ARN of the name, deleted now.
func forgottenSecret(c kit.Call, v kit.View, secretID string) (*sm.DeleteSecretResponse, error) {
	name, _, err := parseID(v, secretID)
	if err != nil {
		return nil, err
	}
	arn := "arn:" + c.Partition + ":" + serviceName + ":" + c.Region + ":" + c.Account + ":secret:" + name
	return &sm.DeleteSecretResponse{ARN: new(arn), Name: new(name), DeletionDate: new(c.Now())}, nil
}

func isNotFound(err error) bool { return awserr.Is(err, sm.ErrResourceNotFound.Code) }

func (s *Service) RestoreSecret(ctx context.Context, in *sm.RestoreSecretRequest) (*sm.RestoreSecretResponse, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*sm.RestoreSecretResponse, error) {
		v := c.In(tx)
		rec, err := findOwn(v, *in.SecretId)
		if err != nil {
			return nil, err
		}
		out := &sm.RestoreSecretResponse{ARN: new(rec.arn(v)), Name: new(rec.Name)}
		if rec.Deleted == nil {
			return out, nil
		}
		if err := tx.CancelJobs(rec.DeleteJob); err != nil {
			return nil, err
		}
		rec.Deleted, rec.DeleteJob = nil, ""
		return out, s.commit(tx, v, rec, c.Now())
	})
}

// runDelete ends a recovery window: the secret and its versions are gone for good, and its
// name is free again.
func (s *Service) runDelete(_ context.Context, tx kit.Tx, job *jobs.Job, ref secretRef) error {
	v := tx.In(ref.Account, ref.Region)
	rec, err := secrets.Get(v, ref.Name)
	if err != nil {
		return err
	}
	if rec == nil || rec.Suffix != ref.Suffix || rec.Deleted == nil || rec.DeleteJob != job.ID {
		return nil // restored, or already gone
	}
	rec.DeleteJob = "" // this job is finishing; purge must not cancel it
	return purge(tx, v, rec)
}

// writePrimary runs fn on the primary secret id names, in the caller's account and
// Region, in a read-write transaction: the shape of the operations on a primary.
func writePrimary[T any](s *Service, c kit.Call, id string, fn func(tx kit.Tx, v kit.View, rec *secretRecord) (T, error)) (T, error) {
	return kit.Write(s.Kit, func(tx kit.Tx) (T, error) {
		v := c.In(tx)
		rec, err := findPrimary(v, id)
		if err != nil {
			var none T
			return none, err
		}
		return fn(tx, v, rec)
	})
}

// changeSecret lets fn change the primary secret id names and commits the change: the
// shape of the operations that only edit a secret.
func (s *Service) changeSecret(c kit.Call, id string, fn func(rec *secretRecord) error) error {
	_, err := writePrimary(s, c, id, func(tx kit.Tx, v kit.View, rec *secretRecord) (struct{}, error) {
		if err := fn(rec); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.commit(tx, v, rec, c.Now())
	})
	return err
}

// commit stores a changed secret: it bumps its generation and LastChangedDate and asks
// every replica to sync again.
func (s *Service) commit(tx kit.Tx, v kit.View, rec *secretRecord, now time.Time) error {
	rec.Gen++
	rec.Changed = now
	if err := s.tellOwner(tx, v, rec); err != nil {
		return err
	}
	if err := s.syncReplicas(tx, v, rec); err != nil {
		return err
	}
	return secrets.Put(v, rec, rec.Name)
}
