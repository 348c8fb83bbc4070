package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// connConfig is xregion's own connection: over the socket, as rdsadmin, no password.
// Settings are given explicitly so that PG* variables in xregion's environment do not
// redirect it.
func (s *Server) connConfig() (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig("sslmode=disable")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg.Host, cfg.Port = s.socketDir(), uint16(s.spec.Port)
	cfg.User, cfg.Database, cfg.Password = AdminUser, "postgres", ""
	cfg.TLSConfig, cfg.Fallbacks = nil, nil
	cfg.ConnectTimeout = 10 * time.Second
	cfg.RuntimeParams = map[string]string{"application_name": "xregion"}
	return cfg, nil
}

// admin opens a connection for xregion's own statements.
func (s *Server) admin(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := s.connConfig()
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connecting to %s: %w", s.spec.ID, err)
	}
	return conn, nil
}

// withAdmin runs fn on a fresh admin connection.
func (s *Server) withAdmin(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.admin(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return fn(conn)
}

// waitReady polls until the server accepts a connection and answers ready(conn), the
// process exits, or ctx ends.
func (s *Server) waitReady(ctx context.Context, exited <-chan struct{}) error {
	return s.waitFor(ctx, exited, func(*pgx.Conn) (bool, error) { return true, nil })
}

// waitFor polls the server until ready says so. Connection failures are retried (the
// server is starting, or recovering); an error from ready is not.
func (s *Server) waitFor(ctx context.Context, exited <-chan struct{}, ready func(*pgx.Conn) (bool, error)) error {
	wait := 10 * time.Millisecond
	for {
		var done bool
		var readyErr error
		err := s.withAdmin(ctx, func(c *pgx.Conn) error {
			done, readyErr = ready(c)
			return nil
		})
		if readyErr != nil {
			return readyErr
		}
		if err == nil && done {
			return nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-exited:
			timer.Stop()
			return fmt.Errorf("postgres: %s exited while starting", s.spec.ID)
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("postgres: %s did not become ready: %w (last: %v)", s.spec.ID, ctx.Err(), err)
		case <-timer.C:
		}
		wait = min(wait*2, 250*time.Millisecond)
	}
}

// SetMasterPassword changes the master user's password in the server. The password is
// turned into a SCRAM verifier here, so that it never reaches the server — or its log,
// were statements logged — in plain text.
func (s *Server) SetMasterPassword(ctx context.Context, password string) error {
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	return s.withAdmin(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "ALTER ROLE "+pgx.Identifier{s.spec.MasterUsername}.Sanitize()+" PASSWORD "+quoteLiteral(verifier))
		if err != nil {
			return fmt.Errorf("postgres: changing the master password of %s: %w", s.spec.ID, err)
		}
		return nil
	})
}

// scramIterations is PostgreSQL's default scram_iterations.
const scramIterations = 4096

// ErrPassword means a password the engine cannot turn into a SCRAM verifier exactly as
// PostgreSQL would. RDS accepts printable ASCII only, for which SASLprep changes nothing.
var ErrPassword = errors.New("postgres: the master password must be printable ASCII")

// scramVerifier computes the SCRAM-SHA-256 verifier PostgreSQL stores for password
// (RFC 5802, RFC 7677): SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
func scramVerifier(password string) (string, error) {
	if password == "" {
		return "", ErrPassword
	}
	for _, r := range password {
		if r < 0x20 || r > 0x7e {
			return "", ErrPassword
		}
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return "", err
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := hmacSHA256(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", scramIterations, b64(salt), b64(storedKey[:]), b64(serverKey)), nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// quoteLiteral quotes s as an SQL string literal (standard_conforming_strings is on in
// every supported version, so only quotes need doubling).
func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
