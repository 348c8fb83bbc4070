// Package postgres is the shared store: all of xregion's state in one PostgreSQL
// database, so that several xregion nodes can serve one state (--store postgres://…).
//
// Records live in one table of (key bytea, value bytea); see migrations/ for the schema,
// which Open creates and migrates. Updates are SERIALIZABLE transactions, retried here
// when PostgreSQL reports a serialisation failure or a deadlock, so the function given to
// Update may run more than once (store.Store documents the rule). Views are REPEATABLE
// READ READ ONLY: a consistent snapshot of committed transactions, taken at the View's
// first read, that never fails and is never retried. (Beside serialisable writers such a
// snapshot can, in a rare three-transaction interleaving, show a state that no serial
// order passes through; a decision that must be serialisable belongs in an Update.)
//
// A transaction costs few round trips: writes wait in memory until the transaction reads
// a range, deletes a range or commits, and then go in one statement each; BEGIN travels
// with the first statement and COMMIT with the last writes. No pgx type or error escapes
// this package.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/xregion/xregion/internal/store"
)

// Store is a store.Store kept in PostgreSQL.
type Store struct {
	pool   *pgxpool.Pool
	where  string // host:port/database, without credentials, for Stats and errors
	closed atomic.Bool
	// maxAttempts bounds the runs of one Update that keeps conflicting; tests lower it.
	maxAttempts int
}

var _ store.Store = (*Store)(nil)

// defaultMaxAttempts with backoff below gives up after about five seconds of conflicts,
// long after a healthy cluster would have let the transaction through.
const defaultMaxAttempts = 100

// minPoolSize is the pool's size unless the URL sets pool_max_conns. pgx's default
// (4, or one per CPU) would queue a busy node's requests behind a few slow transactions.
const minPoolSize = 16

// IsURL reports whether s names a PostgreSQL store.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database connString names (a postgres:// URL or key=value
// settings, as libpq takes them), creates or migrates xregion's tables, and returns the
// store. Several stores — one per node — may share a database; to keep several separate
// states in one database, give each its own schema (search_path=… in the URL).
func Open(ctx context.Context, connString string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("store: the PostgreSQL connection string is not valid: %s", withoutConnString(err))
	}
	if !strings.Contains(connString, "pool_max_conns") {
		cfg.MaxConns = max(cfg.MaxConns, minPoolSize, int32(runtime.NumCPU()))
	}
	for name, value := range sessionDefaults {
		if _, set := cfg.ConnConfig.RuntimeParams[name]; !set {
			cfg.ConnConfig.RuntimeParams[name] = value
		}
	}
	cfg.AfterConnect = requireDurableCommits
	s := &Store{where: describe(cfg.ConnConfig), maxAttempts: defaultMaxAttempts}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("store: PostgreSQL at %s: %v", s.where, err)
	}
	if err := migrate(ctx, s.pool); err != nil {
		s.pool.Close()
		// pgx lists each address it tried on a line of its own; a start-up error is one.
		return nil, fmt.Errorf("store: PostgreSQL at %s: %s", s.where, oneLine.Replace(err.Error()))
	}
	return s, nil
}

var oneLine = strings.NewReplacer(":\n\t", ": ", "\n\t", "; ", "\n", "; ")

// withoutConnString is pgx's reason for refusing a connection string without the string
// itself, which it quotes with passwords masked only where it can recognise them.
func withoutConnString(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "`: "); i >= 0 {
		return msg[i+len("`: "):]
	}
	return "cannot parse it"
}

// sessionDefaults apply unless the connection string sets them. A node that vanishes with
// its machine mid-transaction holds row locks that stall the other nodes until PostgreSQL
// notices: keepalives notice a dead peer within about a minute, and a transaction left idle
// for minutes (a hung node; xregion's own never pause that long) is ended.
var sessionDefaults = map[string]string{
	"tcp_keepalives_idle":                 "30",
	"tcp_keepalives_interval":             "10",
	"tcp_keepalives_count":                "3",
	"idle_in_transaction_session_timeout": "300000", // 5 minutes, in milliseconds
}

// describe names the database without user or password.
func describe(c *pgx.ConnConfig) string {
	return "postgres://" + c.Host + ":" + strconv.Itoa(int(c.Port)) + "/" + c.Database
}

// requireDurableCommits makes each connection wait for its commits to reach disk, which
// Update promises, even where the server or database defaults to synchronous_commit=off.
// Stronger settings (remote_apply and the like) are left as they are.
func requireDurableCommits(ctx context.Context, c *pgx.Conn) error {
	_, err := c.Exec(ctx, `SELECT set_config('synchronous_commit', 'on', false)
		WHERE current_setting('synchronous_commit') = 'off'`)
	return err
}

// View implements store.Store.
func (s *Store) View(fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	callbacks, err := s.view(fn)
	if err != nil {
		return err
	}
	// After the snapshot ended, like an Update's after its commit.
	runCallbacks(callbacks)
	return nil
}

func (s *Store) view(fn func(store.Tx) error) ([]func(), error) {
	t := s.newTx(false)
	defer t.release()
	if err := t.run(fn); err != nil {
		return nil, err
	}
	return t.onCommit, nil
}

// Update implements store.Store: it runs fn in a serialisable transaction and, when
// PostgreSQL refuses the transaction because a concurrent one conflicts with it, runs fn
// again in a new one. Callbacks registered by attempts that did not commit are dropped.
func (s *Store) Update(fn func(store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		if s.closed.Load() {
			return store.ErrClosed
		}
		callbacks, again, err := s.attempt(fn)
		if err == nil {
			// After the connection went back to the pool: a callback may start an Update.
			runCallbacks(callbacks)
			return nil
		}
		if !again {
			return err
		}
		if attempt == s.maxAttempts {
			return fmt.Errorf("store: gave up after %d attempts that conflicted with concurrent transactions: %w", attempt, err)
		}
		time.Sleep(backoff(attempt))
	}
}

// attempt runs fn once. again reports that err is a conflict or a lost connection that
// left nothing committed, so that running fn again is safe and may succeed.
func (s *Store) attempt(fn func(store.Tx) error) (callbacks []func(), again bool, err error) {
	t := s.newTx(true)
	defer t.release()
	fnErr := t.run(fn)
	if t.err != nil {
		return nil, t.retryable(t.err), t.err
	}
	if fnErr != nil {
		// fn decided to fail on what it read. Those reads are only known to be
		// serialisable once the transaction commits, so it commits without its writes;
		// if PostgreSQL refuses, fn decided on a state that may never have existed and
		// runs again.
		if err := t.commitReadsOnly(); err != nil {
			return nil, t.retryable(err), err
		}
		return nil, false, fnErr
	}
	if err := t.commit(); err != nil {
		return nil, t.retryable(err), err
	}
	return t.onCommit, false, nil
}

// backoff spreads retries out so that transactions that conflicted do not meet again:
// exponential from 1 ms, capped at 64 ms, with full jitter.
func backoff(attempt int) time.Duration {
	d := time.Millisecond << min(attempt-1, 6)
	return d/2 + rand.N(d/2+1)
}

func runCallbacks(callbacks []func()) {
	for _, fn := range callbacks {
		fn()
	}
}

// Where names the database, without credentials.
func (s *Store) Where() string { return s.where }

// Stats implements store.Store. Counting walks the table; that is cheap enough for a
// health check at xregion's sizes, and exact, which an estimate would not be.
func (s *Store) Stats() store.Stats {
	st := store.Stats{Kind: "postgres", Path: s.where}
	if s.closed.Load() {
		return st
	}
	var keys int
	if err := s.pool.QueryRow(context.Background(), statsSQL).Scan(&keys, &st.Size); err == nil {
		st.Keys = keys
	}
	return st
}

// Close implements store.Store. It waits for running transactions to finish.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.pool.Close()
	return nil
}

// Serialisation failures and deadlocks: PostgreSQL rolled the transaction back and asks
// for it to be run again.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

func isConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == codeSerializationFailure || pgErr.Code == codeDeadlockDetected)
}
