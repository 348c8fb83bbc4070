package supervisor

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/engines/proc"
	"github.com/xregion/xregion/internal/xtest"
)

// helperEnv makes the test binary play xregion: open a supervisor on the directory the
// variable names, create a server, print its status and wait to be killed.
const helperEnv = "SUPERVISOR_TEST_HELPER_DIR"

func runHelper() {
	s, err := Open(context.Background(), config(os.Getenv(helperEnv), nil))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	st, err := s.Create(context.Background(), CreateSpec{ID: "db-crash", MasterUsername: master, MasterPassword: password, DBName: "app"})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(st)
	select {}
}

// TestKilledXregion: xregion is killed with -9 while its server runs. No postgres is
// left running by it, and the next supervisor brings the server back, with its rows, on
// its port.
func TestKilledXregion(t *testing.T) {
	t.Parallel()
	pgtest.Need(t)
	dir := pgtest.Dir(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	helper := exec.Command(exe, "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer helper.Process.Kill()
	line, err := bufio.NewReader(out).ReadBytes('\n')
	var st Status
	if err != nil || json.Unmarshal(line, &st) != nil {
		t.Fatalf("helper said %q (%v)", line, err)
	}
	fill(t, st.Port, 2)

	helper.Process.Kill() // SIGKILL
	helper.Wait()
	xtest.CheckFor(t, 2*time.Minute, func() error {
		if proc.Alive(st.PID) {
			return fmt.Errorf("postmaster %d outlived the xregion that started it", st.PID)
		}
		return nil
	})

	s := open(t, config(dir, nil))
	back := waitState(t, s, "db-crash", StateRunning)
	if back.Port != st.Port || count(t, back.Port) != 2 {
		t.Errorf("after the crash: %+v", back)
	}
}
