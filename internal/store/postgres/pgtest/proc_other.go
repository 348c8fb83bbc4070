//go:build !linux

package pgtest

import "syscall"

// processAttr runs the postmaster as cred. Only Linux can tie its life to the test
// binary's; elsewhere a killed test leaves the server running until it is stopped by hand.
func processAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
