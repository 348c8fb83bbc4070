package postgres

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/engines/proc"
	"github.com/xregion/xregion/internal/lazyregexp"
)

// args is the postmaster's command line: the data directory and every setting xregion
// relies on. Command-line settings outrank postgresql.conf and postgresql.auto.conf, so
// ALTER SYSTEM cannot move the port or stop the archiving.
func (s *Server) args() []string {
	settings := []string{
		"listen_addresses=127.0.0.1",
		"port=" + strconv.Itoa(s.spec.Port),
		"unix_socket_directories=" + s.socketDir(),
		"unix_socket_permissions=0700",
		"wal_level=replica",
		"archive_mode=on",
		"archive_command=" + archiveCommand(s.spoolDir()),
		// No timed switches: the supervisor switches WAL itself (Flush) and knows the
		// instant each switch covers, which is what the restore window needs.
		"archive_timeout=0",
		// Flush records the last commit's time, so that a restore to a time after it
		// knows to replay to the end of the WAL (see Restore).
		"track_commit_timestamp=on",
		"cluster_name=" + clusterName(s.spec.ID),
		"timezone=UTC", // RDS's default; commit timestamps are absolute either way
		"log_timezone=UTC",
		"lc_messages=C", // the engine reads a few log lines (see restore)
		"logging_collector=off",
		"log_destination=stderr",
	}
	args := []string{"-D", s.dataDir()}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	return args
}

// childEnv is the whole environment of the servers' programs: none of xregion's own
// (PGPASSWORD, PGHOST, a proxy) leaks into them.
func childEnv() []string {
	return []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
}

// archiveCommand copies a finished WAL file into the spool, under a temporary name first
// so that xregion never seals half a file. It runs as the server's user, who can write
// the spool but not the backup store; xregion seals and moves what it finds there
// (Ingest). A file archived again (after a crash) replaces the earlier, identical copy.
func archiveCommand(spool string) string {
	dst := shellQuote(filepath.Join(escapePercent(spool), "%f"))
	tmp := shellQuote(filepath.Join(escapePercent(spool), "%f.tmp"))
	return fmt.Sprintf("cp %%p %s && mv -f %s %s", tmp, tmp, dst)
}

// restoreCommand hands recovery the WAL files unsealed into dir; a file that is not
// there makes cp fail, which tells PostgreSQL it does not exist.
func restoreCommand(dir string) string {
	return fmt.Sprintf("cp %s %%p", shellQuote(filepath.Join(escapePercent(dir), "%f")))
}

// escapePercent keeps a % in a path from being read as one of PostgreSQL's %p, %f.
func escapePercent(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

var unsafeName = lazyregexp.MustCompile(`[^A-Za-z0-9_-]`)

// clusterName shows the server's id in ps; PostgreSQL accepts only printable ASCII.
func clusterName(id string) string { return "xregion-" + unsafeName.ReplaceAllString(id, "_") }

// hba is the whole of pg_hba.conf: trust on the socket, whose directory only root and
// the server's user can enter; passwords over TCP for everyone but rdsadmin.
const hba = `# Written by xregion at every start; changes here do not last.
local   all          all                        trust
local   replication  all                        trust
host    all          ` + AdminUser + `     127.0.0.1/32   reject
host    all          all          127.0.0.1/32   scram-sha-256
host    replication  all          127.0.0.1/32   scram-sha-256
`

// writeHBA writes pg_hba.conf into the data directory.
func writeHBA(dataDir string, user proc.Identity) error {
	path := filepath.Join(dataDir, "pg_hba.conf")
	if err := os.WriteFile(path, []byte(hba), 0o600); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return user.Own(path)
}
