package supervisor

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

// countIs waits until the server on port holds n rows in t.
func countIs(t *testing.T, port, n int) {
	t.Helper()
	xtest.CheckFor(t, time.Minute, func() error {
		conn, err := pgtest.Connect(context.Background(), port, master, password, "app")
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		var got int
		if err := conn.QueryRow(context.Background(), "SELECT count(*)::int FROM t").Scan(&got); err != nil || got != n {
			return fmt.Errorf("%d rows (%v), want %d", got, err, n)
		}
		return nil
	})
}

// TestStandbyThroughTheSupervisor: a standby follows its primary; with its stream cut
// it falls behind, and stays cut across a restart of xregion, after which it is back
// on its port; restored, it catches up; when its primary is deleted it keeps every row,
// read-only, until promoted, and then accepts writes.
func TestStandbyThroughTheSupervisor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := pgtest.Dir(t)
	s := openBare(t, dir)
	primary := create(t, s, "db-source")
	fill(t, primary.Port, 3)
	standby, err := s.CreateStandby(ctx, StandbySpec{ID: "db-replica", Primary: "db-source"})
	if err != nil {
		t.Fatal(err)
	}
	countIs(t, standby.Port, 3)

	if err := s.SetStream(ctx, "db-replica", false); err != nil {
		t.Fatal(err)
	}
	xtest.CheckFor(t, time.Minute, func() error {
		pgtest.Exec(t, pgtest.MustConnect(t, primary.Port, master, password, "app"), "INSERT INTO t VALUES (0)")
		if lag, err := s.ReplicaLag(ctx, "db-replica"); err != nil || lag <= 0 {
			return fmt.Errorf("a cut standby's lag is %v (%v)", lag, err)
		}
		return nil
	})
	behind := count(t, standby.Port)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = open(t, config(dir, nil))
	back := waitState(t, s, "db-replica", StateRunning)
	waitState(t, s, "db-source", StateRunning)
	if back.Port != standby.Port || count(t, back.Port) != behind {
		t.Errorf("after the restart the cut standby is %+v with %d rows, want %d", back, count(t, back.Port), behind)
	}
	if err := s.SetStream(ctx, "db-replica", true); err != nil {
		t.Fatal(err)
	}
	countIs(t, back.Port, count(t, primary.Port))

	all := count(t, primary.Port)
	if err := s.Delete(ctx, "db-source"); err != nil {
		t.Fatal(err)
	}
	if got := count(t, back.Port); got != all {
		t.Errorf("the standby of a deleted primary holds %d rows, want %d", got, all)
	}
	if _, err := pgtest.MustConnect(t, back.Port, master, password, "app").Exec(ctx, "INSERT INTO t VALUES (100)"); err == nil {
		t.Error("the standby of a deleted primary took a write before its promotion")
	}
	if err := s.Promote(ctx, "db-replica"); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, pgtest.MustConnect(t, back.Port, master, password, "app"), "INSERT INTO t VALUES (100)")
	countIs(t, back.Port, all+1)
	if _, err := s.ReplicaLag(ctx, "db-replica"); !errors.Is(err, ErrNotStandby) {
		t.Errorf("the promoted server still answers as a standby: %v", err)
	}
}
