package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// usage is what a process has used so far, read from /proc (Linux).
type usage struct {
	cpuMs       float64 // on a core, all threads
	runQueueMs  float64 // waiting for a core, all threads
	minorFaults float64
}

// usageOf sums /proc/<pid>/task/*/schedstat (nanoseconds on a core, nanoseconds waiting
// on a run queue, time slices) over the threads, and reads the process's minor faults
// from /proc/<pid>/stat.
func usageOf(pid int) (usage, error) {
	var u usage
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return u, fmt.Errorf("no schedstat for process %d (needs Linux with schedstats): %v", pid, err)
	}
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // the thread ended meanwhile
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			return u, fmt.Errorf("%s: %q", t, b)
		}
		onCPU, err1 := strconv.ParseFloat(f[0], 64)
		waiting, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			return u, fmt.Errorf("%s: %q", t, b)
		}
		u.cpuMs += onCPU / 1e6
		u.runQueueMs += waiting / 1e6
	}
	u.minorFaults, err = minorFaults(pid)
	return u, err
}

// minorFaults is field 10 of /proc/<pid>/stat; the fields are counted after the command
// name, which is in parentheses and may hold spaces.
func minorFaults(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 8 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	return strconv.ParseFloat(f[7], 64) // field 10 of the line is the 8th after "(comm) "
}
