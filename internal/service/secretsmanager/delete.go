package secretsmanager

import (
	"context"
	"encoding/json"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// Recovery windows, in days.
const (
	minRecoveryDays     = 7
	maxRecoveryDays     = 30
	defaultRecoveryDays = 30
)

func (s *Service) deleteSecret(ctx context.Context, in *sm.DeleteSecretRequest) (*sm.DeleteSecretResponse, error) {
	info := request.From(ctx)
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	days := int64(defaultRecoveryDays)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < minRecoveryDays || days > maxRecoveryDays {
			return nil, invalidParam(msgRecoveryWindow)
		}
		if force {
			return nil, invalidParam(msgForceAndWindow)
		}
	}
	var out *sm.DeleteSecretResponse
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := find(tx, info, *in.SecretId)
		if err != nil {
			// Forcing the deletion of a secret that does not exist is not an error.
			if force && isNotFound(err) {
				name, _, perr := parseID(info, *in.SecretId)
				if perr != nil {
					return perr
				}
				now := s.clock.Now()
				out = &sm.DeleteSecretResponse{ARN: str(partialARN(info, name)), Name: str(name), DeletionDate: &now}
				return nil
			}
			return err
		}
		if rec.isReplica() {
			return onReplica()
		}
		arn := arnOf(info.Account, info.Region, rec.Name, rec.Suffix)
		if len(rec.Replicas) > 0 {
			regions := make([]string, len(rec.Replicas))
			for i, r := range rec.Replicas {
				regions[i] = r.Region
			}
			return deleteWithReplicas(arn, regions)
		}
		sc := scopeOf(info.Account, info.Region)
		now := s.clock.Now()
		if force {
			out = &sm.DeleteSecretResponse{ARN: str(arn), Name: str(rec.Name), DeletionDate: &now}
			return s.purge(tx, sc, rec)
		}
		if rec.Deleted != nil {
			return markedDeleted()
		}
		when := now.Add(time.Duration(days) * 24 * time.Hour)
		id, err := s.jobs.Enqueue(tx, jobs.Job{
			Kind: jobDelete, Key: "smdel:" + info.Account + ":" + info.Region + ":" + rec.Name,
			Account: info.Account, Region: info.Region, RunAt: when,
			Payload: mustJSON(secretRef{Account: info.Account, Region: info.Region, Name: rec.Name, Suffix: rec.Suffix}),
		})
		if err != nil {
			return err
		}
		rec.Deleted, rec.DeleteJob = &when, id
		if err := s.commit(tx, info.Account, info.Region, rec, now); err != nil {
			return err
		}
		out = &sm.DeleteSecretResponse{ARN: str(arn), Name: str(rec.Name), DeletionDate: &when}
		return nil
	})
	return out, err
}

func (s *Service) restoreSecret(ctx context.Context, in *sm.RestoreSecretRequest) (*sm.RestoreSecretResponse, error) {
	info := request.From(ctx)
	var out *sm.RestoreSecretResponse
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := find(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		if rec.isReplica() {
			return onReplica()
		}
		out = &sm.RestoreSecretResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name)}
		if rec.Deleted == nil {
			return nil
		}
		if err := s.cancelJobs(tx, rec.DeleteJob); err != nil {
			return err
		}
		rec.Deleted, rec.DeleteJob = nil, ""
		return s.commit(tx, info.Account, info.Region, rec, s.clock.Now())
	})
	return out, err
}

// secretRef names one secret for a job: the suffix tells it from a later secret of the
// same name.
type secretRef struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
	Suffix  string `json:"suffix"`
}

// runDelete ends a recovery window: the secret and its versions are gone for good, and its
// name is free again.
func (s *Service) runDelete(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var ref secretRef
	if err := job.DecodePayload(&ref); err != nil {
		return err
	}
	sc := scopeOf(ref.Account, ref.Region)
	rec, err := getSecret(tx, sc, ref.Name)
	if err != nil {
		return err
	}
	if rec == nil || rec.Suffix != ref.Suffix || rec.Deleted == nil || rec.DeleteJob != job.ID {
		return nil // restored, or already gone
	}
	rec.DeleteJob = "" // this job is finishing; purge must not cancel it
	return s.purge(tx, sc, rec)
}

func isNotFound(err error) bool {
	e := asAWS(err)
	return e.Code == sm.ErrResourceNotFound.Code
}

func partialARN(info *request.Info, name string) string {
	return "arn:" + info.Partition + ":" + serviceName + ":" + info.Region + ":" + info.Account + ":secret:" + name
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are encoded
	}
	return b
}
