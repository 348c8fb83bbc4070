package supervisor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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

// caughtUp waits until a standby has replayed all its primary finished.
func caughtUp(t *testing.T, s *Supervisor, id string) {
	t.Helper()
	xtest.CheckFor(t, 2*time.Minute, func() error {
		if lag, err := s.ReplicaLag(context.Background(), id); err != nil || lag != 0 {
			return fmt.Errorf("the standby's lag is %v (%v), want 0", lag, err)
		}
		return nil
	})
}

// slots lists the replication slots of the server on port.
func slots(t *testing.T, port int) []string {
	t.Helper()
	conn := pgtest.MustConnect(t, port, master, password, "app")
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT slot_name::text FROM pg_replication_slots ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// lagging says a standby is behind; it stays so until its stream is restored.
func lagging(t *testing.T, s *Supervisor, id string) {
	t.Helper()
	if lag, err := s.ReplicaLag(context.Background(), id); err != nil || lag <= 0 {
		t.Errorf("the cut standby's lag is %v (%v), want more than 0", lag, err)
	}
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
	caughtUp(t, s, "db-replica")
	// A deleted standby's slot goes with it: the primary keeps no WAL for it.
	if _, err := s.CreateStandby(ctx, StandbySpec{ID: "db-gone", Primary: "db-source"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "db-gone"); err != nil {
		t.Fatal(err)
	}
	if got := slots(t, primary.Port); !slices.Equal(got, []string{"xregion_db_replica"}) {
		t.Errorf("after deleting a standby its primary keeps the slots %v", got)
	}

	if err := s.SetStream(ctx, "db-replica", false); err != nil {
		t.Fatal(err)
	}
	// The stream is cut when SetStream returns: this row cannot reach the standby, and
	// the primary now has a transaction the standby lacks, which is lag.
	pconn := pgtest.MustConnect(t, primary.Port, master, password, "app")
	pgtest.Exec(t, pconn, "INSERT INTO t VALUES (0)")
	lagging(t, s, "db-replica")
	if got := count(t, standby.Port); got != 3 {
		t.Errorf("the cut standby holds %d rows, want 3", got)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = open(t, config(dir, nil))
	back := waitState(t, s, "db-replica", StateRunning)
	primary = waitState(t, s, "db-source", StateRunning)
	if back.Port != standby.Port || count(t, back.Port) != 3 {
		t.Errorf("after the restart the cut standby is %+v with %d rows, want 3", back, count(t, back.Port))
	}
	// Restarted, the standby has replayed nothing since it started: still behind.
	lagging(t, s, "db-replica")
	if err := s.SetStream(ctx, "db-replica", true); err != nil {
		t.Fatal(err)
	}
	countIs(t, back.Port, 4)
	caughtUp(t, s, "db-replica")

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
