package backupstore

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xregion/xregion/internal/lazyregexp"
)

// The files PostgreSQL's archiver hands over: WAL segments (timeline, log, segment — 24
// hex digits), timeline history files, backup history files, and the partial last
// segment of a timeline that ended in a promotion. Nothing else is accepted, so a name
// can never step outside the store.
var (
	segmentRE = lazyregexp.MustCompile(`^[0-9A-F]{24}$`)
	walFileRE = lazyregexp.MustCompile(`^([0-9A-F]{24}(\.partial|\.[0-9A-F]{8}\.backup)?|[0-9A-F]{8}\.history)$`)
)

// IsWALFile reports whether name is a file the archiver may hand over.
func IsWALFile(name string) bool { return walFileRE.MatchString(name) }

// IsSegment reports whether name is a whole WAL segment.
func IsSegment(name string) bool { return segmentRE.MatchString(name) }

// IsHistory reports whether name is a timeline history file.
func IsHistory(name string) bool { return strings.HasSuffix(name, ".history") && IsWALFile(name) }

// Timeline is the timeline of a segment or history file name.
func Timeline(name string) string { return name[:8] }

// position is a segment's place in the WAL, independent of its timeline: its log and
// segment numbers. Fixed-width hex compares as text in numeric order.
func position(name string) string { return name[8:24] }

// atOrAfter reports whether segment name lies at or after segment from in the WAL.
func atOrAfter(name, from string) bool { return position(name) >= position(from) }

func walName(file string) string { return "wal/" + file }

// PutWAL stores one archived WAL file, compressed and sealed, read from r. Storing a
// file that is already there replaces it: PostgreSQL may archive a segment again after
// a crash, and a segment's content never changes once it is complete.
func (s *Store) PutWAL(file string, r io.Reader) (int64, error) {
	if !IsWALFile(file) {
		return 0, fmt.Errorf("backupstore: %q is not a WAL file name", file)
	}
	return s.writeAtomic(walName(file), true, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

// HasWAL reports whether the WAL file is stored.
func (s *Store) HasWAL(file string) bool { return IsWALFile(file) && s.exists(walName(file)) }

// OpenWAL returns the plaintext of a stored WAL file.
func (s *Store) OpenWAL(file string) (io.ReadCloser, error) {
	if !IsWALFile(file) {
		return nil, fmt.Errorf("backupstore: %q is not a WAL file name", file)
	}
	return s.open(walName(file), true)
}

// WALFiles lists the stored WAL files in name order (timeline, then position).
func (s *Store) WALFiles() ([]string, error) {
	return s.list("wal", func(e os.DirEntry) bool { return e.Type().IsRegular() && IsWALFile(e.Name()) })
}

// LastSegment is the newest whole segment of timeline tli ("" if none is stored).
func (s *Store) LastSegment(tli string) (string, error) {
	files, err := s.WALFiles()
	if err != nil {
		return "", err
	}
	last := ""
	for _, f := range files {
		if IsSegment(f) && Timeline(f) == tli {
			last = f
		}
	}
	return last, nil
}

// WALForRestore lists what a recovery from base b may ask for: every timeline history
// file, and every whole segment at or after b's first segment on b's timeline or a later
// one (a store holds one server's WAL, so later timelines are that server's after it was
// itself restored).
func (s *Store) WALForRestore(b Base) ([]string, error) {
	files, err := s.WALFiles()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		switch {
		case IsHistory(f):
			out = append(out, f)
		case IsSegment(f) && Timeline(f) >= b.Timeline && atOrAfter(f, b.StartSegment):
			out = append(out, f)
		}
	}
	return out, nil
}

// walOfBackup lists what base b needs to reach a consistent state and nothing more: its
// segments from StartSegment to StopSegment and the history files of its timeline and
// those before it. This is what a snapshot holds.
func walOfBackup(files []string, b Base) []string {
	var out []string
	for _, f := range files {
		switch {
		case IsHistory(f) && Timeline(f) <= b.Timeline:
			out = append(out, f)
		case IsSegment(f) && Timeline(f) == b.Timeline && atOrAfter(f, b.StartSegment) && position(f) <= position(b.StopSegment):
			out = append(out, f)
		}
	}
	return out
}
