package postgres

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/proc"
	"github.com/xregion/xregion/internal/lazyregexp"
)

// BaseBackup takes a base backup of the running server into st and then flushes, so the
// store's window reaches past the backup. It streams pg_basebackup's tar straight into
// the store, sealing it on the way; nothing unsealed touches the disk. The WAL the backup
// needs comes from the archive (pg_basebackup -X none waits until its last segment is
// archived), so the backup is complete only with the store's WAL from StartSegment to
// StopSegment, which is in st before the backup becomes visible.
func (s *Server) BaseBackup(ctx context.Context, st *backupstore.Store) (backupstore.Base, error) {
	started := time.Now().UTC()
	id := backupstore.NewBaseID(started)
	b, err := st.PutBase(id, func(w io.Writer) (backupstore.Base, error) {
		label, err := s.streamBaseBackup(ctx, id, w)
		if err != nil {
			return backupstore.Base{}, err
		}
		stop, err := s.stopSegment(ctx, st, label)
		if err != nil {
			return backupstore.Base{}, err
		}
		if err := s.awaitArchived(ctx, st, stop); err != nil {
			return backupstore.Base{}, err
		}
		return backupstore.Base{
			Major: s.spec.Install.Major, Version: s.spec.Install.Version,
			Timeline: label.timeline, StartSegment: label.startSegment, StopSegment: stop,
			Started: started, Completed: time.Now().UTC(),
		}, nil
	})
	if err != nil {
		return backupstore.Base{}, fmt.Errorf("postgres: base backup of %s: %w", s.spec.ID, err)
	}
	if _, err := s.Flush(ctx, st); err != nil {
		return b, err
	}
	return b, nil
}

// streamBaseBackup runs pg_basebackup, copying its tar to w while reading the backup's
// label and manifest from it.
func (s *Server) streamBaseBackup(ctx context.Context, id string, w io.Writer) (backupLabel, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.spec.Install.Program("pg_basebackup"),
		"-h", s.socketDir(), "-p", strconv.Itoa(s.spec.Port), "-U", AdminUser, "-w",
		"-D", "-", "-Ft", "-X", "none", "-c", "fast", "--label=xregion "+id)
	var stderr bytes.Buffer
	cmd.Stderr, cmd.Env = &stderr, childEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return backupLabel{}, err
	}
	if err := proc.Start(cmd, s.user); err != nil {
		return backupLabel{}, err
	}
	label, scanErr := scanBackupTar(io.TeeReader(bufio.NewReaderSize(out, 1<<20), w))
	if scanErr != nil {
		cancel()
	}
	if err := cmd.Wait(); err != nil {
		if scanErr != nil { // the reason it was stopped, not how
			return backupLabel{}, fmt.Errorf("pg_basebackup's output: %w\n%s", scanErr, lastBytes(stderr.Bytes(), 4096))
		}
		return backupLabel{}, fmt.Errorf("pg_basebackup: %w\n%s", err, lastBytes(stderr.Bytes(), 4096))
	}
	return label, scanErr
}

// backupLabel is what a base backup says about itself.
type backupLabel struct {
	startSegment string // backup_label's START WAL LOCATION file
	timeline     string // START TIMELINE, as 8 hex digits
	endLSN       string // backup_manifest's WAL-Ranges End-LSN ("" before PostgreSQL 13)
}

var (
	startWALRE  = lazyregexp.MustCompile(`(?m)^START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)$`)
	timelineRE  = lazyregexp.MustCompile(`(?m)^START TIMELINE: (\d+)$`)
	errNoLabel  = errors.New("the backup has no backup_label")
	labelMaxLen = int64(64 << 10)
)

// scanBackupTar reads the whole tar stream r, picking out backup_label and
// backup_manifest (which pg_basebackup appends to a tar written to stdout).
func scanBackupTar(r io.Reader) (backupLabel, error) {
	var label backupLabel
	found := false
	err := eachTarEntry(r, func(h *tar.Header, body io.Reader) error {
		var err error
		switch h.Name {
		case "backup_label":
			b, _ := io.ReadAll(io.LimitReader(body, labelMaxLen))
			label, err = parseLabel(string(b), label)
			found = err == nil
		case "backup_manifest":
			label.endLSN = manifestEndLSN(body)
		}
		return err
	})
	if err != nil {
		return label, err
	}
	// The tee must see every byte, the tar's end padding included.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return label, err
	}
	if !found {
		return label, errNoLabel
	}
	return label, nil
}

func parseLabel(text string, label backupLabel) (backupLabel, error) {
	m := startWALRE.FindStringSubmatch(text)
	t := timelineRE.FindStringSubmatch(text)
	if m == nil || t == nil {
		return label, fmt.Errorf("unreadable backup_label %q", text)
	}
	tli, err := strconv.ParseUint(t[1], 10, 32)
	if err != nil {
		return label, err
	}
	label.startSegment, label.timeline = m[1], fmt.Sprintf("%08X", tli)
	return label, nil
}

// manifestEndLSN returns the end of the last WAL range a backup manifest names.
func manifestEndLSN(r io.Reader) string {
	var m struct {
		WALRanges []struct {
			EndLSN string `json:"End-LSN"`
		} `json:"WAL-Ranges"`
	}
	if err := json.NewDecoder(r).Decode(&m); err != nil || len(m.WALRanges) == 0 {
		return ""
	}
	return m.WALRanges[len(m.WALRanges)-1].EndLSN
}

// stopSegment is the WAL segment holding the backup's end: from the manifest's end LSN
// when there is one; otherwise (PostgreSQL 12) the newest segment archived by now, which
// pg_basebackup waited for and so lies at or after the end.
func (s *Server) stopSegment(ctx context.Context, st *backupstore.Store, label backupLabel) (string, error) {
	if label.endLSN == "" {
		if _, err := s.Ingest(st); err != nil {
			return "", err
		}
		last, err := st.LastSegment(label.timeline)
		if err != nil || last == "" {
			return "", fmt.Errorf("no archived WAL after the backup: %v", err)
		}
		return last, nil
	}
	var segment string
	err := s.withAdmin(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT pg_walfile_name($1::pg_lsn)", label.endLSN).Scan(&segment)
	})
	return segment, err
}
