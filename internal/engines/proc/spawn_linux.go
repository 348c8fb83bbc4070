package proc

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

func setParentDeathSignal(attr *syscall.SysProcAttr, sig syscall.Signal) { attr.Pdeathsig = sig }

// WorkingDir returns the current directory of process pid. A PostgreSQL postmaster works
// in its data directory, so this tells whether a pid read from a postmaster.pid file is
// really that server and not an unrelated process that reused the number.
func WorkingDir(pid int) (string, error) {
	dir, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	if err != nil {
		return "", fmt.Errorf("proc: working directory of %d: %w", pid, err)
	}
	return dir, nil
}
