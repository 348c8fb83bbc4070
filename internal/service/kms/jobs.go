package kms

import (
	"encoding/json"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
)

// Job kinds. Every KMS job names one key in one Region. Jobs of one kind for one key run
// in order; different kinds are not serialised, because the engine would hold a job due
// now behind one due in a year (a rotation) that happened to be enqueued first.
const (
	jobDeleteKey      = "kms.delete-key"          // end of a deletion waiting period
	jobRotate         = "kms.rotate"              // automatic rotation, re-armed each period
	jobRotateOnDemand = "kms.rotate-on-demand"    // RotateKeyOnDemand's asynchronous rotation
	jobReplicaReady   = "kms.replica-ready"       // a new replica key leaves Creating
	jobUpdateDone     = "kms.primary-update-done" // keys leave Updating after UpdatePrimaryRegion
)

type jobPayload struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	KeyID   string `json:"keyId"`
}

func (s *Service) registerJobs() {
	s.jobs.Register(jobDeleteKey, jobs.Handler{Run: s.runDeleteKey})
	s.jobs.Register(jobRotate, jobs.Handler{Run: s.runRotate})
	s.jobs.Register(jobRotateOnDemand, jobs.Handler{Run: s.runRotateOnDemand})
	s.jobs.Register(jobReplicaReady, jobs.Handler{Run: s.runReplicaReady})
	s.jobs.Register(jobUpdateDone, jobs.Handler{Run: s.runUpdateDone})
}

func (s *Service) enqueue(tx store.Tx, kind, account, region, keyID string, at time.Time) (string, error) {
	payload, err := json.Marshal(jobPayload{Account: account, Region: region, KeyID: keyID})
	if err != nil {
		return "", err
	}
	return s.jobs.Enqueue(tx, jobs.Job{
		Kind: kind, Key: kind + "/" + account + "/" + region + "/" + keyID,
		Account: account, Region: region, RunAt: at, Payload: payload,
	})
}
