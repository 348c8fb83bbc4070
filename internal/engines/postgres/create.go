package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/engines/proc"
)

// CreateOptions tune Create.
type CreateOptions struct {
	// NoSync skips initdb's final fsync of the new data directory: much faster, and
	// safe unless the machine crashes in the next few seconds. For tests.
	NoSync bool
}

// walSegmentMB is the WAL segment size of every server. The supervisor closes a
// segment every few seconds so that recent commits are archived promptly; at
// PostgreSQL's default 16 MB, each of those would be a 16 MB file to copy and seal.
const walSegmentMB = 1

// Create makes a new server in spec.Dir — initdb, the master user with password, the
// database spec.DBName — and leaves it running. On any failure it removes what it made.
func Create(ctx context.Context, spec Spec, user proc.Identity, password string, opts CreateOptions) (*Server, error) {
	if err := checkMasterUsername(spec.MasterUsername); err != nil {
		return nil, err
	}
	verifier, err := scramVerifier(password)
	if err != nil {
		return nil, err
	}
	s := New(spec, user)
	if entries, err := os.ReadDir(s.dataDir()); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("postgres: %s already holds a data directory", spec.Dir)
	}
	if err := s.create(ctx, verifier, opts); err != nil {
		s.Stop()
		os.RemoveAll(spec.Dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) create(ctx context.Context, verifier string, opts CreateOptions) error {
	if err := s.makeDirs(); err != nil {
		return err
	}
	args := []string{"-D", s.dataDir(), "-U", AdminUser, "--auth-local=trust", "--auth-host=scram-sha-256",
		"-E", "UTF8", "--locale=C", fmt.Sprintf("--wal-segsize=%d", walSegmentMB)}
	if opts.NoSync {
		args = append(args, "--no-sync")
	}
	if err := s.runTool(ctx, "initdb", args...); err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		return err
	}
	return s.withAdmin(ctx, func(c *pgx.Conn) error { return s.bootstrap(ctx, c, verifier) })
}

// bootstrap creates the master user and database. The master user is a superuser: RDS
// gives it rds_superuser, which cannot do everything a superuser can, but what works
// against RDS must work here, and the role rds_superuser exists (granted to the master
// user) for scripts that grant it on.
func (s *Server) bootstrap(ctx context.Context, c *pgx.Conn, verifier string) error {
	master := pgx.Identifier{s.spec.MasterUsername}.Sanitize()
	stmts := []string{
		"CREATE ROLE rds_superuser NOLOGIN",
		"CREATE ROLE " + master + " LOGIN SUPERUSER CREATEDB CREATEROLE PASSWORD " + quoteLiteral(verifier),
		"GRANT rds_superuser TO " + master + " WITH ADMIN OPTION",
	}
	if db := s.spec.DBName; db != "" && db != "postgres" {
		stmts = append(stmts, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()+" OWNER "+master)
	}
	for _, q := range stmts {
		if _, err := c.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgres: creating %s: %s: %w", s.spec.ID, strings.SplitN(q, " PASSWORD", 2)[0], err)
		}
	}
	return nil
}

// checkMasterUsername refuses the names PostgreSQL or the engine reserve; RDS's own
// rules (length, first letter) are the RDS service's to check.
func checkMasterUsername(name string) error {
	switch {
	case name == "":
		return errors.New("postgres: a master username is required")
	case name == AdminUser || name == "rds_superuser" || strings.HasPrefix(name, "pg_"):
		return fmt.Errorf("postgres: %q is a reserved user name", name)
	}
	return nil
}

// runTool runs one of the installation's programs as the server's user and returns its
// failure with what it printed.
func (s *Server) runTool(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, s.spec.Install.Program(name), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Env = &out, &out, childEnv()
	if err := proc.Start(cmd, s.user); err != nil {
		return fmt.Errorf("postgres: %s: %w", name, err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("postgres: %s: %w\n%s", name, err, lastBytes(out.Bytes(), 4096))
	}
	return nil
}

func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
