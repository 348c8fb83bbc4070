package kit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
)

// Kind is a kind of job together with the type of its payload, as awsmodel.Op is an
// operation together with its input and output: the code that enqueues a job and the
// code that runs it share the one payload type P.
//
//	var jobDelete = kit.Kind[secretRef]{Name: "secretsmanager.delete"}
type Kind[P Subject] struct{ Name string }

// Subject is implemented by every payload: it names the resource the job is about. Jobs
// of one kind about one resource run one at a time, in the order they were enqueued;
// jobs of different kinds never wait for each other, so that a rotation due in a year
// does not hold back a deletion due now.
type Subject interface {
	// Subject returns the resource's account and Region (the Region the work is done
	// in) and its id below them (one or more parts).
	Subject() (account, region string, id []string)
}

// Key is the job key of p: the kind's name, the account, the Region and the id parts,
// joined by "/". It is the one format of every job key.
func (k Kind[P]) Key(p P) string {
	account, region, id := p.Subject()
	return k.Name + "/" + account + "/" + region + "/" + strings.Join(id, "/")
}

// Enqueue adds a job of this kind to the transaction, due at at (the zero time means at
// once). The job exists when the transaction commits. It returns the job's id.
func (k Kind[P]) Enqueue(tx Tx, at time.Time, p P) (string, error) {
	payload, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("kit: encoding a %s payload: %w", k.Name, err)
	}
	account, region, _ := p.Subject()
	return tx.kit.Jobs.Enqueue(tx.raw, jobs.Job{
		Kind: k.Name, Key: k.Key(p), Account: account, Region: region, RunAt: at, Payload: payload,
	})
}

// Handler runs the jobs of one kind; see jobs.Handler for the contract. Run gets the
// decoded payload; a payload that does not decode fails the job at once.
type Handler[P Subject] struct {
	Run func(ctx context.Context, tx Tx, job *jobs.Job, p P) error
	// GiveUp, if set, records a job that failed for good (see jobs.Handler.GiveUp).
	GiveUp func(ctx context.Context, tx Tx, job *jobs.Job, p P, cause error) error
	// MaxAttempts is the number of runs before giving up; 0 means the engine's default.
	MaxAttempts int
}

// Register installs h as the handler of this kind in k's job engine. Jobs run in k's
// transactions: h sees k's records.
func (k Kind[P]) Register(kt *Kit, h Handler[P]) {
	jh := jobs.Handler{
		MaxAttempts: h.MaxAttempts,
		Run: func(ctx context.Context, raw store.Tx, job *jobs.Job) error {
			var p P
			if err := job.DecodePayload(&p); err != nil {
				return err
			}
			return h.Run(ctx, Tx{raw: raw, kit: kt}, job, p)
		},
	}
	if h.GiveUp != nil {
		jh.GiveUp = func(ctx context.Context, raw store.Tx, job *jobs.Job, cause error) error {
			var p P
			if err := job.DecodePayload(&p); err != nil {
				return err
			}
			return h.GiveUp(ctx, Tx{raw: raw, kit: kt}, job, p, cause)
		}
	}
	kt.Jobs.Register(k.Name, jh)
}
