package pgtest

import "syscall"

// processAttr runs the postmaster as cred and has the kernel send it SIGQUIT (immediate
// shutdown) if the test binary dies first, so a killed test leaves no server behind.
func processAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
