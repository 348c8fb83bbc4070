package proc

import (
	"errors"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// Start starts cmd as the identity, in a process group of its own (a terminal's Ctrl-C
// reaches xregion, which stops the servers in order, not the servers directly), and —
// where the system allows — set to receive SIGINT, PostgreSQL's fast shutdown, when
// xregion dies: a server is not left running by a crash or a kill -9. (The supervisor
// also finds and stops leftovers when it starts, for systems without that signal and for
// servers left by an earlier version.)
//
// Linux sends the parent-death signal when the thread that started the child exits, not
// the process, and Go retires threads at will; so every child is started from one
// goroutine locked to its thread for the life of the process.
func Start(cmd *exec.Cmd, id Identity) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Credential = id.Credential()
	setParentDeathSignal(cmd.SysProcAttr, syscall.SIGINT)
	spawnOnce.Do(func() { go spawner() })
	done := make(chan error, 1)
	spawns <- spawnRequest{cmd: cmd, done: done}
	return <-done
}

type spawnRequest struct {
	cmd  *exec.Cmd
	done chan error
}

var (
	spawnOnce sync.Once
	spawns    = make(chan spawnRequest)
)

// spawner starts every child from the same, never-exiting thread.
func spawner() {
	runtime.LockOSThread() // never unlocked: the thread must live as long as the process
	for req := range spawns {
		req.done <- req.cmd.Start()
	}
}

// ErrUnsupported means the system does not tell what is asked (see WorkingDir).
var ErrUnsupported = errors.New("proc: unsupported on this system")

// Alive reports whether a process with this pid exists (a zombie counts as existing).
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Gone returns a channel closed once process pid has exited. It serves for processes
// that are not this one's children (a server left by an earlier xregion), which can only
// be watched, not waited for.
func Gone(pid int) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		for Alive(pid) && !zombie(pid) {
			time.Sleep(20 * time.Millisecond)
		}
		close(ch)
	}()
	return ch
}

// Signal sends sig to pid, ignoring a process that is already gone.
func Signal(pid int, sig syscall.Signal) error {
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}
