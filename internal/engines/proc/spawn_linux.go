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

// zombie reports whether pid has exited and only waits to be reaped by its parent.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may hold any
	// character: look after the last ')'.
	for i := len(b) - 1; i > 0; i-- {
		if b[i] == ')' {
			return i+2 < len(b) && b[i+2] == 'Z'
		}
	}
	return false
}
