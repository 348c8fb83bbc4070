package supervisor

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/engines/pgtest"
)

// TestPsql connects with psql, the client the issue names, as a user would: host,
// port, master user and password, database.
func TestPsql(t *testing.T) {
	t.Parallel()
	s := open(t, config(pgtest.Dir(t), nil))
	psql := s.Installs()[0].Program("psql")
	if _, err := os.Stat(psql); err != nil {
		if psql, err = exec.LookPath("psql"); err != nil {
			t.Skip("SKIPPED: psql is not installed")
		}
	}
	st := create(t, s, "db-psql")
	cmd := exec.CommandContext(context.Background(), psql, "-h", st.Address, "-p", strconv.Itoa(st.Port), "-U", master, "-d", "app",
		"-At", "-c", "SELECT current_user || '@' || current_database()")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != master+"@app" {
		t.Fatalf("psql: %q, %v", out, err)
	}
}
