package jobs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// TestObserveHearsEveryOutcome: the metrics hook hears each retried attempt and each job
// that leaves the engine, with its outcome, on the engine clock.
func TestObserveHearsEveryOutcome(t *testing.T) {
	st, clock := frozen(t)
	var mu sync.Mutex
	var heard []string
	var lags []time.Duration
	observe := func(f Finished) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, f.Job.Kind+":"+string(f.Outcome))
		lags = append(lags, f.FinishedAt.Sub(f.Job.CreatedAt))
	}
	e := start(t, Config{Store: st, Clock: clock, Observe: observe}, map[string]Handler{
		"flaky": {Run: func(_ context.Context, _ store.Tx, j *Job) error {
			if j.Attempt < 2 {
				return errors.New("transient")
			}
			return nil
		}},
		"doomed": {Run: func(context.Context, store.Tx, *Job) error { return Permanent(errors.New("never")) }},
	})
	enqueue(t, e, st, Job{Kind: "flaky"}, Job{Kind: "doomed"})
	advance(t, e, t0.Add(time.Minute))
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(heard)
	want := []string{"doomed:failed", "flaky:retried", "flaky:retried", "flaky:succeeded"}
	if !slices.Equal(heard, want) {
		t.Errorf("heard %v, want %v", heard, want)
	}
	if slices.Max(lags) != 3*time.Second { // runs at 0, 1 and 3 seconds
		t.Errorf("lags %v, want the success 3s after the job was created", lags)
	}
}
