package postgres

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/engines/backupstore"
)

// Ingest seals every WAL file the archiver left in the spool into st and removes it from
// the spool; it returns how many it moved. With st nil (the server keeps no backups) the
// files are discarded, so the spool does not grow. Files are taken in name order, which
// is WAL order within a timeline.
func (s *Server) Ingest(st *backupstore.Store) (int, error) {
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	entries, err := os.ReadDir(s.spoolDir())
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && backupstore.IsWALFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for i, name := range names {
		if err := s.ingestFile(st, name); err != nil {
			return i, err
		}
	}
	return len(names), nil
}

func (s *Server) ingestFile(st *backupstore.Store, name string) error {
	path := filepath.Join(s.spoolDir(), name)
	if st != nil {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		_, err = st.PutWAL(name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// flushTimeout bounds how long Flush waits for the archiver.
const flushTimeout = time.Minute

// Flush makes every commit made before now restorable from st: it notes the instant,
// closes the current WAL segment (pg_switch_wal), waits until the archiver has handed
// that segment over, seals it into st, and records the instant as the store's latest
// restorable time. It returns that instant.
//
// A commit whose timestamp PostgreSQL took just before the noted instant but whose WAL
// record was written just after the switch falls into the next segment; recovery to the
// instant then stops before it, as PostgreSQL's own recovery_target_time would with
// the same WAL.
//
// Flushing a store that holds no base backup of the server yet may time out: if nothing
// was written since the last switch, the segment that switch closed was archived before
// the store was attached, and never reaches it. The supervisor flushes only stores with
// a base backup.
func (s *Server) Flush(ctx context.Context, st *backupstore.Store) (time.Time, error) {
	if st == nil {
		return time.Time{}, fmt.Errorf("postgres: flushing %s: no backup store", s.spec.ID)
	}
	at := time.Now().UTC()
	var segment string
	var lastCommit *time.Time
	err := s.withAdmin(ctx, func(c *pgx.Conn) error {
		// When nothing was written since the last switch, pg_switch_wal switches
		// nothing and names the previous segment, which is archived already. The last
		// commit's time is read after the switch, so it is no earlier than any commit
		// in the segments the switch closed.
		return c.QueryRow(ctx, "SELECT pg_walfile_name(pg_switch_wal()), (pg_last_committed_xact()).timestamp").
			Scan(&segment, &lastCommit)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: switching WAL of %s: %w", s.spec.ID, err)
	}
	if err := s.awaitArchived(ctx, st, segment); err != nil {
		return time.Time{}, err
	}
	mark := backupstore.Mark{Latest: at, Segment: segment}
	if lastCommit != nil {
		mark.LastCommit = lastCommit.UTC()
	}
	if err := st.MarkArchived(mark); err != nil {
		return time.Time{}, err
	}
	return at, nil
}

// awaitArchived ingests the spool until segment is in st.
func (s *Server) awaitArchived(ctx context.Context, st *backupstore.Store, segment string) error {
	ctx, cancel := context.WithTimeout(ctx, flushTimeout)
	defer cancel()
	wait := 5 * time.Millisecond
	for {
		if _, err := s.Ingest(st); err != nil {
			return err
		}
		if st.HasWAL(segment) {
			return nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("postgres: WAL segment %s of %s was not archived: %w", segment, s.spec.ID, ctx.Err())
		case <-timer.C:
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
}
