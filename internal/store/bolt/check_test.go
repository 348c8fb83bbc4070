package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

// filledStore writes a store of a few hundred pages at path and closes it.
func filledStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "xregion.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for batch := range 10 {
		err := s.Update(func(tx store.Tx) error {
			for i := range 200 {
				if err := tx.Put(fmt.Sprintf("k/%02d/%04d", batch, i), []byte(strings.Repeat("v", 500))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantOpenError fails unless Open refuses path with target and a message that names the
// file and says what to do, in one line.
func wantOpenError(t *testing.T, path string, target error) {
	t.Helper()
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatalf("Open succeeded, want %v", target)
	}
	msg := err.Error()
	if !errors.Is(err, target) || !strings.Contains(msg, path) || !strings.Contains(msg, "restore it from a backup") || strings.Contains(msg, "\n") {
		t.Errorf("Open: %v, want one line naming %s and %v", err, path, target)
	}
}

func TestOpenRefusesEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xregion.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, path, ErrEmptyFile)
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Errorf("the empty file was changed: %v %v", fi, err)
	}
}

// usedBytes is how much of a store file its last transaction uses: bbolt grows files
// ahead of need, so cutting off the unused tail is no damage.
func usedBytes(t *testing.T, path string) int {
	t.Helper()
	m := metaOf(t, path)
	return int(m.pgid) * int(m.pageSize)
}

// metaOf is the meta page bbolt would use of the store file at path.
func metaOf(t *testing.T, path string) meta {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, ok := currentMeta(f)
	if !ok {
		t.Fatalf("%s: no intact meta page", path)
	}
	return m
}

func TestOpenRefusesTruncatedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xregion.db")
	full := filledStore(t)
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	used := usedBytes(t, full)
	if err := os.WriteFile(path, b[:used], 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path); err != nil {
		t.Fatalf("a file cut right after its last used page: %v", err)
	} else {
		s.Close()
	}
	for _, size := range []int{used - 1, used / 2, 3 * os.Getpagesize(), os.Getpagesize() + 100, 100} {
		if err := os.WriteFile(path, b[:size], 0o600); err != nil {
			t.Fatal(err)
		}
		wantOpenError(t, path, ErrDamaged)
	}
}

func TestOpenRefusesCorruptedPages(t *testing.T) {
	full := filledStore(t)
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	used := usedBytes(t, full)
	cases := map[string]func([]byte){
		"both meta pages": func(b []byte) {
			copy(b[20:], "garbage")
			copy(b[page+20:], "garbage")
		},
		"every data page": func(b []byte) {
			for off := 2 * page; off < len(b); off += page {
				copy(b[off:], strings.Repeat("\xff", 64))
			}
		},
		"page headers of used pages": func(b []byte) {
			for off := used / 3; off < 2*used/3; off += page {
				copy(b[off:], "\x07\x00\x00\x00\x00\x00\x00\x00\x99\x00")
			}
		},
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "xregion.db")
			damagedCopy := append([]byte(nil), b...)
			corrupt(damagedCopy)
			if err := os.WriteFile(path, damagedCopy, 0o600); err != nil {
				t.Fatal(err)
			}
			wantOpenError(t, path, ErrDamaged)
		})
	}
}

// TestOpenSurvivesOneTornMeta: bbolt writes its two meta pages alternately so that a
// crash in the middle of one leaves the other; such a file is not damaged.
func TestOpenSurvivesOneTornMeta(t *testing.T) {
	full := filledStore(t)
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{20, os.Getpagesize() + 20} {
		path := filepath.Join(t.TempDir(), "xregion.db")
		torn := append([]byte(nil), b...)
		copy(torn[off:], "torn")
		if err := os.WriteFile(path, torn, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err != nil {
			t.Errorf("one torn meta page at %d: %v", off, err)
			continue
		}
		s.Close()
	}
}

func TestOpenMakesAnExistingFilePrivate(t *testing.T) {
	path := filledStore(t)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Open: %v, want 0600", fi.Mode().Perm())
	}
}
