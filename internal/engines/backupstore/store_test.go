package backupstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/engines/sealstream"
	"github.com/xregion/xregion/internal/seal"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "store"), seal.Ephemeral())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// segment returns the bytes of a fake WAL segment: a marker anyone scanning the store
// for plain text would find, and zeros, as in a segment closed early by a switch.
func segment(name string) []byte {
	b := make([]byte, 1<<20)
	copy(b, "segment-content-"+name)
	return b
}

func putWAL(t *testing.T, s *Store, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := s.PutWAL(n, bytes.NewReader(segment(n))); err != nil {
			t.Fatal(err)
		}
	}
}

// putBase stores a base backup on timeline 1 covering segments start..stop.
func putBase(t *testing.T, s *Store, completed time.Time, start, stop string) Base {
	t.Helper()
	b, err := s.PutBase(NewBaseID(completed), func(w io.Writer) (Base, error) {
		_, err := w.Write([]byte("tar-of-base-" + start + strings.Repeat("x", 5000)))
		return Base{Major: 15, Timeline: "00000001", StartSegment: start, StopSegment: stop,
			Started: completed.Add(-time.Minute), Completed: completed}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	seg3 = "000000010000000000000003"
	seg4 = "000000010000000000000004"
	seg5 = "000000010000000000000005"
	seg6 = "000000010000000000000006"
	seg7 = "000000010000000000000007"
)

func TestWALRoundTrip(t *testing.T) {
	s := newStore(t)
	n, err := s.PutWAL(seg3, bytes.NewReader(segment(seg3)))
	if err != nil {
		t.Fatal(err)
	}
	if n <= 0 || n > 64<<10 {
		t.Errorf("a mostly empty 1 MiB segment stored as %d bytes: compression not applied?", n)
	}
	r, err := s.OpenWAL(seg3)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, segment(seg3)) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	if !s.HasWAL(seg3) || s.HasWAL(seg4) {
		t.Error("HasWAL")
	}
	// Storing a segment again (the archiver retrying after a crash) replaces it.
	if _, err := s.PutWAL(seg3, bytes.NewReader(segment(seg3))); err != nil {
		t.Fatal(err)
	}
}

func TestWALNamesAreChecked(t *testing.T) {
	s := newStore(t)
	for _, bad := range []string{"../escape", "00000001000000000000000", "000000010000000000000003.tmp", "lowercase000000000000000a", ""} {
		if _, err := s.PutWAL(bad, strings.NewReader("x")); err == nil {
			t.Errorf("PutWAL(%q) accepted", bad)
		}
	}
	for _, good := range []string{seg3, "00000002.history", seg3 + ".partial", seg3 + ".00000028.backup"} {
		if !IsWALFile(good) {
			t.Errorf("IsWALFile(%q) = false", good)
		}
	}
}

func TestWALForRestore(t *testing.T) {
	s := newStore(t)
	putWAL(t, s, seg3, seg4, seg5, seg4+".00000028.backup", "00000002.history", "000000020000000000000006")
	got, err := s.WALForRestore(Base{Timeline: "00000001", StartSegment: seg4})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{seg4, seg5, "00000002.history", "000000020000000000000006"}
	if !slices.Equal(got, want) {
		t.Errorf("WALForRestore = %v, want %v", got, want)
	}
	if last, _ := s.LastSegment("00000001"); last != seg5 {
		t.Errorf("LastSegment = %q", last)
	}
}

func TestBases(t *testing.T) {
	s := newStore(t)
	if _, err := s.BaseAt(t0); !errors.Is(err, ErrNoBase) {
		t.Fatalf("BaseAt on an empty store: %v", err)
	}
	if s.HasBase() {
		t.Error("HasBase on an empty store")
	}
	b1 := putBase(t, s, t0, seg3, seg3)
	b2 := putBase(t, s, t0.Add(time.Hour), seg5, seg5)
	if !s.HasBase() {
		t.Error("HasBase false with two backups")
	}
	if b1.Bytes != int64(len("tar-of-base-"+seg3)+5000) || b1.StoredBytes <= 0 || b1.ID == "" {
		t.Errorf("sizes not filled in: %+v", b1)
	}
	bases, err := s.Bases()
	if err != nil || len(bases) != 2 || bases[0].ID != b1.ID || bases[1].ID != b2.ID {
		t.Fatalf("Bases = %+v, %v", bases, err)
	}
	for at, want := range map[time.Time]string{t0: b1.ID, t0.Add(30 * time.Minute): b1.ID, t0.Add(2 * time.Hour): b2.ID} {
		if got, err := s.BaseAt(at); err != nil || got.ID != want {
			t.Errorf("BaseAt(%s) = %s, %v; want %s", at, got.ID, err, want)
		}
	}
	if _, err := s.BaseAt(t0.Add(-time.Second)); !errors.Is(err, ErrNoBase) {
		t.Errorf("BaseAt before the first backup: %v", err)
	}
	r, err := s.OpenBase(b2.ID)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(r)
	r.Close()
	if !strings.HasPrefix(string(data), "tar-of-base-"+seg5) {
		t.Errorf("OpenBase read %q", data[:20])
	}
	if err := s.DeleteBase(b1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Base(b1.ID); !errors.Is(err, ErrNoBase) {
		t.Errorf("deleted base still there: %v", err)
	}
}

func TestFailedBaseLeavesNothing(t *testing.T) {
	s := newStore(t)
	_, err := s.PutBase(NewBaseID(t0), func(w io.Writer) (Base, error) {
		w.Write([]byte("half a tar"))
		return Base{}, errors.New("pg_basebackup died")
	})
	if err == nil {
		t.Fatal("PutBase succeeded")
	}
	if u, _ := s.Usage(); u.Objects != 0 {
		t.Errorf("a failed backup left %d objects", u.Objects)
	}
	if _, err := s.PutBase("../../etc", nil); err == nil {
		t.Error("PutBase accepted a path as id")
	}
}

func TestWindow(t *testing.T) {
	s := newStore(t)
	if w, err := s.Window(); err != nil || !w.Earliest.IsZero() {
		t.Fatalf("empty store window %+v, %v", w, err)
	}
	putBase(t, s, t0, seg3, seg3)
	if w, _ := s.Window(); !w.Earliest.IsZero() {
		t.Errorf("window %+v before anything was marked archived", w)
	}
	if err := s.MarkArchived(Mark{Latest: t0.Add(5 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	s.MarkArchived(Mark{Latest: t0.Add(time.Second)}) // never moves back
	w, _ := s.Window()
	if !w.Earliest.Equal(t0) || !w.Latest.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("window %+v", w)
	}
	if !w.Contains(t0.Add(time.Second)) || w.Contains(t0.Add(-time.Second)) || w.Contains(t0.Add(6*time.Second)) {
		t.Error("Contains")
	}
}

func TestCopyIsIncrementalAndReencrypts(t *testing.T) {
	ctx := context.Background()
	src, dst := newStore(t), newStore(t)
	putWAL(t, src, seg3, seg4)
	b := putBase(t, src, t0, seg3, seg4)
	src.MarkArchived(Mark{Latest: t0.Add(time.Minute)})

	rep, err := Copy(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Copied) != 5 || rep.Skipped != 0 || rep.BytesWritten <= 0 {
		t.Fatalf("first copy %+v", rep)
	}
	sum := int64(0)
	for _, c := range rep.Copied {
		sum += c.Bytes
	}
	if sum != rep.BytesWritten {
		t.Errorf("BytesWritten %d, objects add up to %d", rep.BytesWritten, sum)
	}
	if w, _ := dst.Window(); !w.Latest.Equal(t0.Add(time.Minute)) {
		t.Errorf("copied window %+v", w)
	}

	putWAL(t, src, seg5)
	src.MarkArchived(Mark{Latest: t0.Add(2 * time.Minute)})
	rep, err = Copy(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Copied) != 2 || rep.Copied[0].Name != "wal/"+seg5 || rep.Copied[1].Name != "window" || rep.Skipped != 3 {
		t.Fatalf("second copy moved %+v", rep)
	}

	// dst opens under its own key only.
	r, err := dst.OpenWAL(seg5)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, segment(seg5)) {
		t.Fatalf("copied segment: %d bytes, %v", len(got), err)
	}
	wrongKey, _ := Open(dst.Dir(), seal.Ephemeral())
	if _, err := wrongKey.Bases(); !errors.Is(err, sealstream.ErrDamaged) {
		t.Errorf("another key read the copy's catalogue: %v", err)
	}
	if got, _ := dst.Base(b.ID); got.StartSegment != seg3 {
		t.Errorf("copied base %+v", got)
	}
}

func TestCopyWithoutAWindow(t *testing.T) {
	// A source nothing was marked archived in has no window to copy.
	src, dst := newStore(t), newStore(t)
	putBase(t, src, t0, seg3, seg3)
	rep, err := Copy(context.Background(), src, dst)
	if err != nil || len(rep.Copied) != 2 {
		t.Fatalf("copy without a window: %+v, %v", rep, err)
	}
}

func TestCopyBackupTakesOnlyWhatTheBackupNeeds(t *testing.T) {
	src, dst := newStore(t), newStore(t)
	putWAL(t, src, seg3, seg4, seg5, seg6, "00000001.history")
	b := putBase(t, src, t0, seg4, seg5)
	rep, err := CopyBackup(context.Background(), src, b.ID, dst)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := dst.WALFiles()
	if want := []string{"00000001.history", seg4, seg5}; !slices.Equal(files, want) {
		t.Errorf("snapshot WAL %v, want %v", files, want)
	}
	if len(rep.Copied) != 5 {
		t.Errorf("copied %+v", rep.Copied)
	}
	if _, err := CopyBackup(context.Background(), src, "nope", dst); !errors.Is(err, ErrNoBase) {
		t.Errorf("CopyBackup of a missing base: %v", err)
	}
}

func TestPrune(t *testing.T) {
	s := newStore(t)
	putWAL(t, s, seg3, seg4, seg5, seg6, seg7, "00000001.history")
	b1 := putBase(t, s, t0, seg3, seg3)
	b2 := putBase(t, s, t0.Add(24*time.Hour), seg5, seg5)
	b3 := putBase(t, s, t0.Add(48*time.Hour), seg7, seg7)

	// Restores from t0+36h on need b2 (completed before) and everything after it.
	removed, err := s.Prune(t0.Add(36 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// The test's WAL was stored just now, after the prune instant: it stays.
	if !slices.Equal(removed, []string{"base/" + b1.ID}) {
		t.Fatalf("removed %v", removed)
	}
	bases, _ := s.Bases()
	if len(bases) != 2 || bases[0].ID != b2.ID || bases[1].ID != b3.ID {
		t.Fatalf("kept %+v", bases)
	}
	// Pruned again later, WAL before the oldest kept backup goes too (history stays).
	removed, err = s.Prune(time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := s.WALFiles()
	if want := []string{"00000001.history", seg7}; !slices.Equal(files, want) {
		t.Errorf("WAL left %v (removed %v)", files, removed)
	}
	if bases, _ := s.Bases(); len(bases) != 1 || bases[0].ID != b3.ID {
		t.Errorf("bases left %+v", bases)
	}
}

func TestPruneWaitsForABackupInProgress(t *testing.T) {
	s := newStore(t)
	putWAL(t, s, seg3, seg4)
	// A backup being written: its directory exists, its info not yet.
	if err := os.MkdirAll(s.path("base/"+NewBaseID(t0)), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if files, _ := s.WALFiles(); len(files) != 2 {
		t.Errorf("WAL pruned under a backup in progress: %v", files)
	}
}

func TestCopyRespectsTheDestinationsPruneHorizon(t *testing.T) {
	ctx := context.Background()
	src, dst := newStore(t), newStore(t)
	putWAL(t, src, seg3, seg4, seg5)
	putBase(t, src, t0, seg3, seg3)
	putBase(t, src, t0.Add(24*time.Hour), seg5, seg5)
	if _, err := Copy(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Prune(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rep, err := Copy(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Copied) != 0 {
		t.Errorf("a copy brought back what the destination pruned: %+v", rep.Copied)
	}
}

func TestNothingReadableWithoutTheKey(t *testing.T) {
	s := newStore(t)
	putWAL(t, s, seg3)
	putBase(t, s, t0, seg3, seg3)
	s.MarkArchived(Mark{Latest: t0.Add(time.Second)})
	filepath.WalkDir(s.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, plain := range []string{"segment-content", "tar-of-base", "startSegment", "latest", seg3} {
			if bytes.Contains(b, []byte(plain)) {
				t.Errorf("%s holds %q in plain text", path, plain)
			}
		}
		return nil
	})
	u, err := s.Usage()
	if err != nil || u.Objects != 4 || u.StoredBytes <= 0 {
		t.Errorf("Usage %+v, %v", u, err)
	}
}

func TestAllCommittedBy(t *testing.T) {
	s := newStore(t)
	putWAL(t, s, seg3, seg4)
	if ok, err := s.AllCommittedBy(t0); ok || err != nil {
		t.Errorf("without a mark: %v, %v", ok, err)
	}
	s.MarkArchived(Mark{Latest: t0.Add(time.Minute), Segment: seg4, LastCommit: t0})
	for at, want := range map[time.Time]bool{t0: true, t0.Add(time.Second): true, t0.Add(-time.Second): false} {
		if ok, err := s.AllCommittedBy(at); ok != want || err != nil {
			t.Errorf("AllCommittedBy(%s) = %v, %v", at, ok, err)
		}
	}
	// A segment filled and archived after the flush may hold later commits.
	putWAL(t, s, seg5)
	if ok, _ := s.AllCommittedBy(t0.Add(time.Hour)); ok {
		t.Error("AllCommittedBy ignored a segment stored after the mark")
	}
	s.MarkArchived(Mark{Latest: t0.Add(2 * time.Minute), Segment: seg5})
	if ok, _ := s.AllCommittedBy(t0.Add(time.Hour)); ok {
		t.Error("AllCommittedBy without a known last commit")
	}
}

// killAfter is a context that ends after n more looks at it: a copy cut short after n
// objects, as by a kill -9 of xregion.
type killAfter struct {
	context.Context
	n int
}

func (k *killAfter) Err() error {
	if k.n <= 0 {
		return context.Canceled
	}
	k.n--
	return nil
}

// TestCopyCutShortAnywhere: a copy cut short after any number of objects leaves a
// destination that either holds no base backup yet, or restores to the source's
// window's end — never a base backup without the WAL and window that follow it (the
// snapshot of a stopped server is judged done by its first base). Copied again, it
// finishes with what is missing only.
func TestCopyCutShortAnywhere(t *testing.T) {
	src := newStore(t)
	putWAL(t, src, seg3, seg4, seg5, seg6)
	putBase(t, src, t0, seg3, seg4)
	putBase(t, src, t0.Add(time.Minute), seg5, seg5)
	src.MarkArchived(Mark{Latest: t0.Add(2 * time.Minute), Segment: seg6})
	whole, err := Copy(context.Background(), src, newStore(t))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n <= len(whole.Copied); n++ {
		dst := newStore(t)
		if _, err := Copy(&killAfter{Context: context.Background(), n: n}, src, dst); err == nil && n < len(whole.Copied) {
			t.Fatalf("a copy cut after %d of %d objects did not say so", n, len(whole.Copied))
		}
		if w, _ := dst.Window(); dst.HasBase() && !w.Latest.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("cut after %d objects: a base backup is there, but the window reaches %s", n, w.Latest)
		}
		rep, err := Copy(context.Background(), src, dst)
		if err != nil || len(rep.Copied)+n < len(whole.Copied) {
			t.Errorf("cut after %d objects, the copy again moved %d of %d: %v", n, len(rep.Copied), len(whole.Copied), err)
		}
		if w, _ := dst.Window(); !w.Latest.Equal(t0.Add(2*time.Minute)) || !w.Earliest.Equal(t0) {
			t.Errorf("cut after %d objects and copied again, the window is %+v", n, w)
		}
	}
}
