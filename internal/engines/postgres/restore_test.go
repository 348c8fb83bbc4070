package postgres

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/engines/proc"
	"github.com/xregion/xregion/internal/seal"
)

// marker is in every row written: it must never be found in a backup store's files.
const marker = "rows-only-a-key-holder-may-read"

func newStore(t *testing.T, name string) *backupstore.Store {
	t.Helper()
	st, err := backupstore.Open(filepath.Join(t.TempDir(), name), seal.Ephemeral())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// restore makes a server from st and stops it when the test ends.
func restore(t testing.TB, id string, st *backupstore.Store, baseID string, target Target) *Server {
	t.Helper()
	install := pgtest.Need(t)
	user, _ := proc.ServerIdentity("")
	port, err := FreePort(nil)
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{ID: id, Dir: filepath.Join(pgtest.Dir(t), id), Install: install, Port: port, MasterUsername: master, DBName: "app"}
	s, err := Restore(context.Background(), RestoreSpec{Spec: spec, From: st, BaseID: baseID, Target: target}, user)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// backedUp returns a running server with an empty table t, and a store holding the
// server's first base backup.
func backedUp(t *testing.T, id string) (*Server, *backupstore.Store, backupstore.Base) {
	t.Helper()
	s := newServer(t, id)
	st := newStore(t, id)
	conn := pgtest.MustConnect(t, s.Spec().Port, master, password, "app")
	pgtest.Exec(t, conn, "CREATE TABLE t (n int PRIMARY KEY, note text)")
	base, err := s.BaseBackup(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return s, st, base
}

func flush(t *testing.T, s *Server, st *backupstore.Store) time.Time {
	t.Helper()
	at, err := s.Flush(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func rows(t *testing.T, s *Server) []int {
	t.Helper()
	conn := pgtest.MustConnect(t, s.Spec().Port, master, password, "app")
	return pgtest.Ints(t, conn, "SELECT n FROM t ORDER BY n")
}

func span(from, to int) []int {
	var out []int
	for n := from; n <= to; n++ {
		out = append(out, n)
	}
	return out
}

func insert(t *testing.T, s *Server, from, to int) {
	t.Helper()
	conn := pgtest.MustConnect(t, s.Spec().Port, master, password, "app")
	pgtest.Exec(t, conn, "INSERT INTO t SELECT n, '"+marker+"' FROM generate_series("+strconv.Itoa(from)+", "+strconv.Itoa(to)+") n")
}

// TestPointInTimeRestore is the heart of the engine: rows written in two batches with an
// instant recorded between them, a restore to that instant holding exactly the first
// batch, a restore to the latest time holding both, the same from a copy re-encrypted
// under another key, and a snapshot restored on its own.
func TestPointInTimeRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, st, base := backedUp(t, "db-pitr")
	if base.Timeline != "00000001" || base.StartSegment == "" || base.StopSegment < base.StartSegment || base.Bytes <= 0 {
		t.Fatalf("base backup %+v", base)
	}

	insert(t, s, 1, 100)
	between := time.Now()
	insert(t, s, 101, 200)
	latest := flush(t, s, st)
	w, err := st.Window()
	if err != nil || !w.Contains(between) || !w.Latest.Equal(latest) || !w.Earliest.Equal(base.Completed) {
		t.Fatalf("window %+v (%v), between %s, latest %s", w, err, between, latest)
	}

	if got := rows(t, restore(t, "db-between", st, "", Target{Time: between})); !slices.Equal(got, span(1, 100)) {
		t.Errorf("restore to the instant between the batches holds %d rows (%v...)", len(got), head(got))
	}
	if got := rows(t, restore(t, "db-latest", st, "", Target{Time: w.Latest})); !slices.Equal(got, span(1, 200)) {
		t.Errorf("restore to the latest time holds %d rows", len(got))
	}

	west := newStore(t, "west")
	rep, err := backupstore.Copy(ctx, st, west)
	if err != nil || rep.BytesWritten <= 0 {
		t.Fatalf("copy: %+v, %v", rep, err)
	}
	if got := rows(t, restore(t, "db-west", west, "", Target{Time: between})); !slices.Equal(got, span(1, 100)) {
		t.Errorf("restore in the copy holds %d rows", len(got))
	}

	snapshot := newStore(t, "snapshot")
	if _, err := backupstore.CopyBackup(ctx, st, base.ID, snapshot); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, restore(t, "db-snapshot", snapshot, base.ID, Target{Immediate: true})); len(got) != 0 {
		t.Errorf("the snapshot, taken before any row, holds %d rows", len(got))
	}

	for _, store := range []*backupstore.Store{st, west, snapshot} {
		noPlainText(t, store.Dir(), marker)
	}
}

func head(v []int) []int { return v[:min(len(v), 5)] }

// noPlainText fails if any file under dir contains text.
func noPlainText(t *testing.T, dir, text string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
		}
		if bytes.Contains(b, []byte(text)) {
			t.Errorf("%s holds %q in plain text", path, text)
		}
		return nil
	})
}

// TestRestoreOfARestore: a restored server lives on a timeline of its own, archives and
// backs up like any other, and can itself be restored (the DR copy that is later
// snapshotted, or restored again).
func TestRestoreOfARestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, st, _ := backedUp(t, "db-gen1")
	insert(t, s, 1, 10)
	gen2 := restore(t, "db-gen2", st, "", Target{Time: flush(t, s, st)})
	st2 := newStore(t, "gen2")
	base2, err := gen2.BaseBackup(ctx, st2)
	if err != nil {
		t.Fatal(err)
	}
	if base2.Timeline != "00000002" {
		t.Errorf("the restored server's backup is on timeline %s", base2.Timeline)
	}
	insert(t, gen2, 11, 20)
	between := time.Now()
	insert(t, gen2, 21, 30)
	flush(t, gen2, st2)
	if got := rows(t, restore(t, "db-gen3", st2, "", Target{Time: between})); !slices.Equal(got, span(1, 20)) {
		t.Errorf("restore of the restored server holds %v", got)
	}
}

func TestRestoreRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	install := pgtest.Need(t)
	user, _ := proc.ServerIdentity("")
	st := newStore(t, "empty")
	spec := Spec{ID: "nothing", Dir: filepath.Join(pgtest.Dir(t), "nothing"), Install: install, Port: 1, MasterUsername: master}
	_, err := Restore(ctx, RestoreSpec{Spec: spec, From: st, Target: Target{Time: time.Now()}}, user)
	if !errors.Is(err, backupstore.ErrNoBase) {
		t.Errorf("restore from an empty store: %v", err)
	}
	if _, err := Restore(ctx, RestoreSpec{Spec: spec, From: st}, user); err == nil {
		t.Error("restore without a target")
	}
	if _, err := os.Stat(spec.Dir); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s", spec.Dir)
	}
}

// TestRestoreAfterTheLastCommitUnknown: when the store cannot tell that the target lies
// after the last commit (here: a mark without LastCommit, as after a server restart),
// PostgreSQL ends recovery without reaching the target, and the engine replays to the
// end of the WAL instead — the same transactions.
func TestRestoreAfterTheLastCommitUnknown(t *testing.T) {
	t.Parallel()
	s, st, _ := backedUp(t, "db-quiet")
	insert(t, s, 1, 5)
	flush(t, s, st)
	later := time.Now()
	if err := st.MarkArchived(backupstore.Mark{Latest: later}); err != nil {
		t.Fatal(err)
	}
	if all, _ := st.AllCommittedBy(later); all {
		t.Fatal("the store still knows the last commit")
	}
	r := restore(t, "db-quiet-restored", st, "", Target{Time: later})
	if got := rows(t, r); !slices.Equal(got, span(1, 5)) {
		t.Errorf("restored %v", got)
	}
	if log, _ := os.ReadFile(r.logPath()); !bytes.Contains(log, []byte(notReached)) {
		t.Error("recovery reached its target: the fallback was not exercised")
	}
}
