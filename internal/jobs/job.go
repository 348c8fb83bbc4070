package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// Job is one unit of deferred work, stored as JSON under store.Key("_xregion", "jobs", ID).
type Job struct {
	// ID is assigned by Enqueue. IDs sort in enqueue order, also across restarts.
	ID string `json:"id"`
	// Kind names the Handler that runs the job, e.g. "secretsmanager.replicate".
	Kind string `json:"kind"`
	// Key serialises jobs: those with the same non-empty Key run one at a time in enqueue
	// order, and the first blocks the rest even while it waits for a retry. Use it for
	// everything that touches one resource (a secret's replication to one Region, say).
	Key string `json:"key,omitempty"`
	// Account and Region are for logs and the admin listing.
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// RunAt is the engine-clock instant before which the job does not run; zero means
	// as soon as possible. Retries move it.
	RunAt   time.Time       `json:"runAt"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// Attempt counts the failed runs so far: 0 on the first run.
	Attempt   int       `json:"attempt,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	LastError string    `json:"lastError,omitempty"`
}

// DecodePayload unmarshals the payload into v. A payload that does not decode never
// will, so the error is Permanent: returned from Run, it gives up at once.
func (j *Job) DecodePayload(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return Permanent(fmt.Errorf("jobs: decoding the payload of %s job %s: %w", j.Kind, j.ID, err))
	}
	return nil
}

// Handler runs the jobs of one kind.
type Handler struct {
	// Run does the job inside tx. When it returns nil the job is deleted in that same
	// transaction, so its effect happens exactly once. When it returns an error (or
	// panics) tx rolls back and the job is retried with backoff, unless the error is
	// Permanent or MaxAttempts is reached. Run may Enqueue follow-up jobs in tx, itself
	// included: that is how a recurring schedule re-arms.
	Run func(ctx context.Context, tx store.Tx, job *Job) error
	// GiveUp, if set, records the failure (a status of Failed, say) in its own
	// transaction, after which the job is deleted. job.LastError and job.Attempt describe
	// the last failure. If GiveUp itself fails the job is deleted all the same and the
	// error is logged: a job that can neither succeed nor fail must not come back forever.
	GiveUp func(ctx context.Context, tx store.Tx, job *Job, err error) error
	// MaxAttempts is the number of runs before giving up; 0 means 10.
	MaxAttempts int
}

const defaultMaxAttempts = 10

// Outcome is how a job left the engine.
type Outcome string

const (
	Succeeded Outcome = "succeeded"
	Failed    Outcome = "failed" // gave up after MaxAttempts or a Permanent error
	Cancelled Outcome = "cancelled"
	// Retried is the outcome of an attempt, not of a job: it failed and the job will be
	// tried again. Only Config.Observe hears it; the history keeps jobs that left.
	Retried Outcome = "retried"
)

// Finished describes a job that has left the engine, for the admin listing.
type Finished struct {
	Job        Job       `json:"job"`
	Outcome    Outcome   `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	FinishedAt time.Time `json:"finishedAt"` // on the engine clock
}

type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// Permanent marks a Run error as one that retrying cannot fix (bad payload, a resource
// that no longer exists), so the engine gives up at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was made by Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// ErrNotFound is returned by Cancel for a job that is not pending: it never existed, has
// finished, or was cancelled already.
var ErrNotFound = errors.New("jobs: no such pending job")

// ErrNotRunning is returned by AdvanceTo when the engine is not started or has stopped.
var ErrNotRunning = errors.New("jobs: engine not running")

// ErrAdvanceLimit is returned by AdvanceTo when it ran Config.MaxAdvanceRuns jobs without
// reaching its target: some job keeps rescheduling itself without moving forward in time.
var ErrAdvanceLimit = errors.New("jobs: too many job runs in one clock advance")

// panicError is what a panicking Run becomes: an ordinary, retryable failure.
type panicError struct {
	value any
	trace string
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }
