// Package atomicfile writes files that readers, and a crash, see whole or not at all:
// written to a temporary file in the same directory, synced, renamed into place, and the
// directory synced.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the names of files being written; listings should skip them.
const TempPrefix = ".tmp-"

// IsTemp reports whether name is a file being written (or left by a crash).
func IsTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// Write creates or replaces path with what fn writes (mode 0600) and returns fn's count.
func Write(path string, fn func(io.Writer) (int64, error)) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix+"*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	n, err := fn(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	return n, SyncDir(filepath.Dir(path))
}

// WriteBytes is Write of a byte slice.
func WriteBytes(path string, b []byte) error {
	_, err := Write(path, func(w io.Writer) (int64, error) {
		n, err := w.Write(b)
		return int64(n), err
	})
	return err
}

// SyncDir makes a directory's entries (a rename, a removal) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
