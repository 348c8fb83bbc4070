package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/proc"
)

// Target says where a restore stops replaying WAL.
type Target struct {
	// Time: hold exactly the transactions committed at or before this wall instant
	// (recovery_target_time). For "the latest restorable time", pass the store's
	// Window().Latest.
	Time time.Time
	// Immediate: stop as soon as the base backup is consistent — a snapshot's moment.
	Immediate bool
}

// RestoreSpec describes a restore into a new server.
type RestoreSpec struct {
	Spec   Spec               // the new server; MasterUsername as in the source
	From   *backupstore.Store // where the backups are
	BaseID string             // the base backup; "" chooses the newest completed by Target.Time
	Target Target
}

// Restore makes a new server from a base backup and the archived WAL, replayed to the
// target, and leaves it running, promoted to a timeline of its own. On failure it
// removes what it made.
func Restore(ctx context.Context, rs RestoreSpec, user proc.Identity) (*Server, error) {
	base, err := BaseFor(rs)
	if err != nil {
		return nil, err
	}
	if base.Major != rs.Spec.Install.Major {
		return nil, fmt.Errorf("postgres: base backup %s is of PostgreSQL %d; restoring it needs PostgreSQL %d, not %s",
			base.ID, base.Major, base.Major, rs.Spec.Install.Version)
	}
	s := New(rs.Spec, user)
	if entries, err := os.ReadDir(s.dataDir()); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("postgres: %s already holds a data directory", rs.Spec.Dir)
	}
	if err := s.restore(ctx, rs, base); err != nil {
		s.Stop()
		os.RemoveAll(rs.Spec.Dir)
		return nil, fmt.Errorf("postgres: restoring %s from %s: %w", rs.Spec.ID, base.ID, err)
	}
	return s, nil
}

// BaseFor returns the base backup a restore starts from: the one named, or the newest
// completed by the target time.
func BaseFor(rs RestoreSpec) (backupstore.Base, error) {
	switch {
	case rs.From == nil:
		return backupstore.Base{}, errors.New("postgres: restore from no store")
	case rs.BaseID != "":
		return rs.From.Base(rs.BaseID)
	case rs.Target.Immediate || rs.Target.Time.IsZero():
		return backupstore.Base{}, errors.New("postgres: restore needs a target time or a base backup")
	default:
		return rs.From.BaseAt(rs.Target.Time)
	}
}

func (s *Server) restore(ctx context.Context, rs RestoreSpec, base backupstore.Base) error {
	if err := s.makeDirs(); err != nil {
		return err
	}
	if err := s.unpackBase(rs.From, base); err != nil {
		return err
	}
	if err := s.unsealWAL(rs.From, base); err != nil {
		return err
	}
	target, err := replayTarget(rs)
	if err != nil {
		return err
	}
	if err := s.recover(ctx, target); err != nil {
		return err
	}
	return clearDir(s.restoreDir())
}

// replayTarget is where recovery stops. PostgreSQL stops a recovery to a time at the
// first commit after that time; when the WAL holds none — the target lies after the
// last commit, as "the latest restorable time" of a quiet server does — it refuses to
// finish (PostgreSQL 13 and later). When the store knows every commit in it was made by
// the target time, recovery replays to the end of the WAL instead, which holds exactly
// the same transactions.
func replayTarget(rs RestoreSpec) (Target, error) {
	if rs.Target.Immediate || rs.Target.Time.IsZero() {
		return rs.Target, nil
	}
	all, err := rs.From.AllCommittedBy(rs.Target.Time)
	if err != nil || !all {
		return rs.Target, err
	}
	return Target{}, nil
}

// notReached is how PostgreSQL 13 and later end a recovery whose WAL holds no commit
// after the target time: every commit in it was made by then.
const notReached = "recovery ended before configured recovery target was reached"

// recover starts the server in recovery and waits for its promotion. When the target
// time lies after the last commit in the WAL and the store could not tell beforehand
// (replayTarget), PostgreSQL stops short of promoting; the WAL then holds exactly the
// commits made by the target, so recovery runs again to its end, which is the same
// point.
func (s *Server) recover(ctx context.Context, target Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	logStart := s.logSize()
	err := s.recoverOnce(ctx, target)
	if err != nil && !target.Immediate && strings.Contains(s.logTail(logStart), notReached) {
		logStart = s.logSize()
		err = s.recoverOnce(ctx, Target{})
	}
	if err != nil {
		return fmt.Errorf("%w\n%s", err, s.logTail(logStart))
	}
	return nil
}

func (s *Server) recoverOnce(ctx context.Context, target Target) error {
	if err := touchOwned(filepath.Join(s.dataDir(), "recovery.signal"), s.user); err != nil {
		return err
	}
	if err := s.startLocked(ctx, s.recoveryArgs(target)); err != nil {
		return err
	}
	err := s.waitFor(ctx, s.p.exited, func(c *pgx.Conn) (bool, error) {
		var inRecovery bool
		if err := c.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
			return false, nil
		}
		return !inRecovery, nil
	})
	if err != nil {
		s.stopLocked()
	}
	return err
}

// recoveryArgs are the recovery settings, given on the command line so they outrank any
// the backup's own configuration files carry. Every target but the chosen one is
// cleared — PostgreSQL refuses more than one — and the chosen one comes last, because
// clearing a target after another was set counts as setting two.
func (s *Server) recoveryArgs(t Target) []string {
	chosen, value := "recovery_target_time", ""
	switch {
	case t.Immediate:
		chosen, value = "recovery_target", "immediate"
	case !t.Time.IsZero():
		value = t.Time.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
	}
	args := []string{
		"-c", "restore_command=" + restoreCommand(s.restoreDir()),
		"-c", "recovery_target_timeline=latest",
		"-c", "recovery_target_action=promote",
		"-c", "recovery_target_inclusive=on", // a commit at exactly the target is "by then"
	}
	for _, k := range []string{"recovery_target", "recovery_target_name", "recovery_target_xid", "recovery_target_lsn", "recovery_target_time"} {
		if k != chosen {
			args = append(args, "-c", k+"=")
		}
	}
	return append(args, "-c", chosen+"="+value)
}

// unpackBase unseals the base backup's tar into the data directory.
func (s *Server) unpackBase(st *backupstore.Store, base backupstore.Base) error {
	r, err := st.OpenBase(base.ID)
	if err != nil {
		return err
	}
	defer r.Close()
	return extractTar(r, s.dataDir(), s.user)
}

// unsealWAL puts the WAL files a recovery from base may ask for into the restore
// directory, where restore_command finds them.
func (s *Server) unsealWAL(st *backupstore.Store, base backupstore.Base) error {
	files, err := st.WALForRestore(base)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := s.unsealOne(st, f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) unsealOne(st *backupstore.Store, file string) error {
	r, err := st.OpenWAL(file)
	if err != nil {
		return err
	}
	defer r.Close()
	path := filepath.Join(s.restoreDir(), file)
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("unsealing %s: %w", file, err)
	}
	return s.user.Own(path)
}

func touchOwned(path string, user proc.Identity) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	return user.Own(path)
}

// clearDir empties dir, keeping it.
func clearDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
