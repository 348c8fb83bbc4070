package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/engines/proc"
)

// Streaming standbys: the real servers behind RDS read replicas. A standby is a physical
// copy of its primary (pg_basebackup) started in hot standby: it replays the WAL its
// primary streams to it, answers queries with the primary's rows, and PostgreSQL itself
// refuses writes ("cannot execute … in a read-only transaction"). The primary keeps a
// physical replication slot per standby, so the WAL a standby has not received yet —
// while its stream is cut (a Region fault), or while it is down — is kept for it.
//
// The standby reaches its primary over the primary's Unix socket as rdsadmin: both run
// on this machine as the servers' user, whose socket directories only that user and
// root can enter (the trust rule for local replication in pg_hba.conf).

// SlotName is the replication slot a primary keeps for the standby id: PostgreSQL
// accepts lower-case letters, digits and underscores.
func SlotName(standbyID string) string {
	return "xregion_" + strings.ToLower(unsafeName.ReplaceAllString(strings.ReplaceAll(standbyID, "-", "_"), "_"))
}

// conninfo is how a standby reaches primary.
func conninfo(primary *Server, standbyID string) string {
	return fmt.Sprintf("host=%s port=%d user=%s application_name=%s", primary.socketDir(), primary.spec.Port, AdminUser,
		unsafeName.ReplaceAllString(standbyID, "_"))
}

// Standby makes a new server in spec.Dir that streams primary's WAL, and leaves it
// running in hot standby. spec's MasterUsername and DBName are the primary's (they come
// with the data). On failure it removes what it made, and the slot.
func Standby(ctx context.Context, spec Spec, primary *Server, user proc.Identity) (*Server, error) {
	s := New(spec, user)
	if entries, err := os.ReadDir(s.dataDir()); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("postgres: %s already holds a data directory", spec.Dir)
	}
	if err := s.standby(ctx, primary); err != nil {
		s.Stop()
		os.RemoveAll(spec.Dir)
		return nil, errors.Join(fmt.Errorf("postgres: making %s a standby of %s: %w", spec.ID, primary.spec.ID, err),
			primary.DropSlot(context.WithoutCancel(ctx), spec.ID))
	}
	return s, nil
}

func (s *Server) standby(ctx context.Context, primary *Server) error {
	if err := s.makeDirs(); err != nil {
		return err
	}
	// -R writes standby.signal and the primary's conninfo and slot into
	// postgresql.auto.conf: the server is a standby at every start until promoted.
	// -c fast: a spread checkpoint paces its writes over minutes, and the replica's
	// creation would wait for it.
	err := s.runTool(ctx, "pg_basebackup", "-D", s.dataDir(), "-d", conninfo(primary, s.spec.ID),
		"-X", "stream", "-R", "-C", "-S", SlotName(s.spec.ID), "-c", "fast", "--no-sync")
	if err != nil {
		return err
	}
	return s.Start(ctx)
}

// DropSlot removes the replication slot the server keeps for standbyID, if there is
// one: once that standby is promoted or deleted, the server need not keep WAL for it.
func (s *Server) DropSlot(ctx context.Context, standbyID string) error {
	return s.withAdmin(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", SlotName(standbyID))
		return err
	})
}

// InRecovery reports whether the server is a standby (or still recovering).
func (s *Server) InRecovery(ctx context.Context) (bool, error) {
	var in bool
	err := s.withAdmin(ctx, func(c *pgx.Conn) error { return c.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&in) })
	return in, err
}

// Promote ends a standby's recovery: it stops following its primary, keeps every
// transaction it has replayed, and accepts writes on a timeline of its own, whose WAL it
// archives as any server does. Promoting a server that is not a standby does nothing.
func (s *Server) Promote(ctx context.Context) error {
	in, err := s.InRecovery(ctx)
	if err != nil || !in {
		return err
	}
	return s.withAdmin(ctx, func(c *pgx.Conn) error {
		var promoted bool
		if err := c.QueryRow(ctx, "SELECT pg_promote(true, 60)").Scan(&promoted); err != nil {
			return fmt.Errorf("postgres: promoting %s: %w", s.spec.ID, err)
		}
		if !promoted {
			return fmt.Errorf("postgres: %s was not promoted within a minute", s.spec.ID)
		}
		return nil
	})
}

// SetStream cuts (primary nil) or restores a standby's stream from primary: a Region
// fault between them. A cut standby keeps answering with what it has replayed and falls
// behind; restored, it catches up from the primary's slot. A cut is over when SetStream
// returns: the standby's WAL receiver has stopped, so nothing the primary commits later
// reaches it. The setting is written with ALTER SYSTEM, so a cut lasts across restarts.
func (s *Server) SetStream(ctx context.Context, primary *Server) error {
	info := ""
	if primary != nil {
		info = conninfo(primary, s.spec.ID)
	}
	return s.withAdmin(ctx, func(c *pgx.Conn) error {
		if _, err := c.Exec(ctx, "ALTER SYSTEM SET primary_conninfo TO "+quoteLiteral(info)); err != nil {
			return fmt.Errorf("postgres: setting %s's stream: %w", s.spec.ID, err)
		}
		if _, err := c.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
			return err
		}
		if primary != nil {
			return nil
		}
		return s.receiverStopped(ctx, c)
	})
}

// receiverStopped waits until the standby's WAL receiver has gone, which it does soon
// after the reload that emptied primary_conninfo.
func (s *Server) receiverStopped(ctx context.Context, c *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for wait := 10 * time.Millisecond; ; wait = min(wait*2, 250*time.Millisecond) {
		var receivers int
		if err := c.QueryRow(ctx, "SELECT count(*)::int FROM pg_stat_wal_receiver").Scan(&receivers); err != nil {
			return fmt.Errorf("postgres: cutting %s's stream: %w", s.spec.ID, err)
		}
		if receivers == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres: %s still receives WAL: %w", s.spec.ID, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// ReplicaLag is how many seconds a standby is behind primary, as RDS's ReplicaLag
// means it. The rule:
//
//   - Behind means the primary has finished a transaction the standby has not replayed:
//     the primary's latest completed transaction id is past the standby's (the xmax of
//     each one's current snapshot). Transaction ids are only taken by writes, so WAL that
//     carries no transaction (checkpoints, segment switches) never counts, and an idle
//     primary's standby is not behind even while its stream is cut.
//   - Not behind: zero, whether or not it streams.
//   - Behind: the age of the last transaction the standby replayed (primary and standby
//     share this machine's clock), as RDS measures it on a PostgreSQL replica. A standby
//     that has replayed nothing since it started counts from its start, which can only
//     understate its lag. Behind is never zero: at least a millisecond.
//
// The primary is asked first, so a standby that catches up between the two questions is
// not called behind. A nil primary (deleted) leaves nothing to be behind. Each question
// uses one short connection, closed at once: polling never holds the servers' slots.
func (s *Server) ReplicaLag(ctx context.Context, primary *Server) (time.Duration, error) {
	if primary == nil {
		return 0, nil
	}
	var primaryXmax int64
	err := primary.withAdmin(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT "+completedXmax).Scan(&primaryXmax)
	})
	if err != nil {
		return 0, err
	}
	var standbyXmax int64
	var seconds float64
	err = s.withAdmin(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT `+completedXmax+`, EXTRACT(EPOCH FROM clock_timestamp() -
			COALESCE(pg_last_xact_replay_timestamp(), pg_postmaster_start_time()))::float8`).Scan(&standbyXmax, &seconds)
	})
	if err != nil || standbyXmax >= primaryXmax {
		return 0, err
	}
	return max(time.Duration(seconds*float64(time.Second)), time.Millisecond), nil
}

// completedXmax is one past the server's latest completed transaction id: on a standby,
// the latest it has replayed.
const completedXmax = "pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
