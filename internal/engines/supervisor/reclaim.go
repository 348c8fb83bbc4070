package supervisor

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"

	"github.com/xregion/xregion/internal/engines/postgres"
	"github.com/xregion/xregion/internal/engines/proc"
)

// reclaim stops a postmaster an earlier xregion left running on a server's data
// directory: after a kill -9 on a system without a parent-death signal, or when the
// signal's fast shutdown is still under way. The server is then started again as this
// supervisor's child (see startRecorded), which is simpler and as quick as adopting a
// process it could not wait for.
//
// Candidates are the pid in postmaster.pid and the pid the record kept. A pid counts
// only if that process works in the server's data directory, as a postmaster does, so a
// pid reused by an unrelated process is never signalled. It reports whether it stopped
// something.
func reclaim(serverDir string, recordedPID int) (bool, error) {
	dataDir := filepath.Join(serverDir, "data")
	stopped := false
	for _, pid := range []int{postmasterPID(serverDir), recordedPID} {
		if pid <= 0 || !proc.Alive(pid) || !worksIn(pid, dataDir) {
			continue
		}
		if err := postgres.StopProcess(pid, proc.Gone(pid)); err != nil {
			return stopped, err
		}
		stopped = true
	}
	return stopped, nil
}

// postmasterPID reads the first line of a server's postmaster.pid (0 if none).
func postmasterPID(serverDir string) int {
	f, err := os.Open(postgres.PIDFile(serverDir))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0
	}
	pid, _ := strconv.Atoi(sc.Text())
	return pid
}

// worksIn reports whether process pid's working directory is dir. Where the system does
// not tell, postmaster.pid's own claim (it names the data directory) is trusted.
func worksIn(pid int, dir string) bool {
	cwd, err := proc.WorkingDir(pid)
	if errors.Is(err, proc.ErrUnsupported) {
		return true
	}
	if err != nil {
		return false
	}
	want, err := filepath.EvalSymlinks(dir)
	return err == nil && cwd == want
}
