package postgres

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/engines/proc"
	"github.com/xregion/xregion/internal/xtest"
)

// newStandby makes a running standby of primary, stopped when the test ends.
func newStandby(t *testing.T, primary *Server, id string) *Server {
	t.Helper()
	user, err := proc.ServerIdentity("")
	if err != nil {
		t.Fatal(err)
	}
	port, err := FreePort(map[int]bool{primary.Spec().Port: true})
	if err != nil {
		t.Fatal(err)
	}
	spec := primary.Spec()
	spec.ID, spec.Dir, spec.Port = id, filepath.Join(pgtest.Dir(t), id), port
	s, err := Standby(context.Background(), spec, primary, user)
	return stopWhenDone(t, s, err)
}

// standbyHolds waits until the standby answers query with want, as a user's client.
func standbyHolds(t *testing.T, s *Server, query string, want []int) {
	t.Helper()
	xtest.CheckFor(t, time.Minute, func() error {
		conn, err := pgtest.Connect(context.Background(), s.Spec().Port, master, password, "app")
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		if got := pgtest.Ints(t, conn, query); !slices.Equal(got, want) {
			return fmt.Errorf("the standby answers %v, want %v", got, want)
		}
		return nil
	})
}

// lagIsZero waits until the standby has replayed all its primary finished (the primary
// may finish transactions of its own, such as autovacuum's, at any time).
func lagIsZero(t *testing.T, s, primary *Server) {
	t.Helper()
	xtest.CheckFor(t, time.Minute, func() error {
		if lag, err := s.ReplicaLag(context.Background(), primary); err != nil || lag != 0 {
			return fmt.Errorf("the standby's lag is %v (%v), want 0", lag, err)
		}
		return nil
	})
}

// TestStandbyStreamsRefusesWritesAndPromotes: a standby answers with its primary's rows
// as they are written, refuses writes as PostgreSQL does, falls behind while its stream
// is cut and catches up when it is restored, and once promoted accepts writes with every
// row it had; the primary's slot for it can then go.
func TestStandbyStreamsRefusesWritesAndPromotes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary := newServer(t, "db-primary")
	pconn := pgtest.MustConnect(t, primary.Spec().Port, master, password, "app")
	pgtest.Exec(t, pconn, "CREATE TABLE t (n int)", "INSERT INTO t SELECT generate_series(1, 3)")
	s := newStandby(t, primary, "db-standby")
	standbyHolds(t, s, "SELECT n FROM t ORDER BY n", []int{1, 2, 3})
	pgtest.Exec(t, pconn, "INSERT INTO t VALUES (4)")
	standbyHolds(t, s, "SELECT n FROM t ORDER BY n", []int{1, 2, 3, 4})

	sconn := pgtest.MustConnect(t, s.Spec().Port, master, password, "app")
	_, err := sconn.Exec(ctx, "INSERT INTO t VALUES (100)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Fatalf("a write on the standby: %v, want read_only_sql_transaction", err)
	}

	lagIsZero(t, s, primary)
	if err := s.SetStream(ctx, nil); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, pconn, "INSERT INTO t VALUES (5)")
	// SetStream returned with the receiver stopped: the row cannot have arrived, and
	// the primary has a transaction the standby lacks.
	if got := pgtest.Ints(t, sconn, "SELECT count(*)::int FROM t"); !slices.Equal(got, []int{4}) {
		t.Errorf("a standby whose stream is cut holds %v rows", got)
	}
	if lag, err := s.ReplicaLag(ctx, primary); err != nil || lag <= 0 {
		t.Errorf("the cut standby's lag is %v (%v) after a commit it lacks", lag, err)
	}
	if err := s.SetStream(ctx, primary); err != nil {
		t.Fatal(err)
	}
	standbyHolds(t, s, "SELECT n FROM t ORDER BY n", []int{1, 2, 3, 4, 5})
	lagIsZero(t, s, primary)

	if err := s.Promote(ctx); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, pgtest.MustConnect(t, s.Spec().Port, master, password, "app"), "INSERT INTO t VALUES (6)")
	standbyHolds(t, s, "SELECT n FROM t ORDER BY n", []int{1, 2, 3, 4, 5, 6})
	if in, err := s.InRecovery(ctx); err != nil || in {
		t.Errorf("the promoted server is in recovery: %v %v", in, err)
	}
	// A promoted standby is backed up like any server (PromoteReadReplica's first backup).
	st := newStore(t, "promoted")
	if _, err := s.BaseBackup(ctx, st); err != nil {
		t.Fatalf("a base backup of the promoted standby: %v", err)
	}
	if err := primary.DropSlot(ctx, "db-standby"); err != nil {
		t.Fatal(err)
	}
	if got := pgtest.Ints(t, pconn, "SELECT count(*)::int FROM pg_replication_slots"); !slices.Equal(got, []int{0}) {
		t.Errorf("the primary keeps %v slots after the promotion", got)
	}
}
