package secretsmanager

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

// refusingStore fails every write with err, as a store on a full disk (or a broken one).
type refusingStore struct {
	store.Store
	err error
}

func (s refusingStore) Update(func(store.Tx) error) error { return s.err }

// TestStopOnAFullDisk: access dates that the store has no room for are dropped when the
// service stops (the process exits 0 on SIGTERM), while any other failure to write them
// is still the service's failure to stop cleanly.
func TestStopOnAFullDisk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		wantErr bool
	}{
		{"no space", fmt.Errorf("%w: commit: file too large", store.ErrNoSpace), false},
		{"another failure", errors.New("store: closed"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := refusingStore{Store: memory.New(), err: tc.err}
			clock := jobs.NewFrozenClock(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
			k, err := kit.New(serviceName, kit.Deps{Store: st, Jobs: jobs.New(jobs.Config{Store: st, Clock: clock}), Clock: clock, Sealer: seal.Ephemeral()})
			if err != nil {
				t.Fatal(err)
			}
			s := &Service{Kit: k, access: newAccessLog(k)}
			// Pending as if noted, without note's timer, which could flush first.
			s.access.pending[accessKey{"123456789012", "us-east-1", "db", "AbCdEf", "v1"}] = clock.Now()
			err = s.Stop(context.Background())
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Errorf("Stop = %v, want an error: %v", err, tc.wantErr)
			}
		})
	}
}
