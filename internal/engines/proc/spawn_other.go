//go:build !linux

package proc

import "syscall"

// Only Linux has a parent-death signal; elsewhere the supervisor's start-up sweep stops
// servers a crashed xregion left behind.
func setParentDeathSignal(*syscall.SysProcAttr, syscall.Signal) {}

// WorkingDir is unknown outside Linux; callers fall back to the pid file's own checks.
func WorkingDir(int) (string, error) { return "", ErrUnsupported }

// zombie cannot be told apart from a running process here; a process left behind is
// reaped by init quickly.
func zombie(int) bool { return false }
