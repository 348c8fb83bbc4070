package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// trimAfterStart gives back what start-up alone needed, so that an idle server holds
// little memory (bench/README.md):
//
//   - The pages of the binary's code and read-only data that start-up touched once
//     (every package's initialisation, flag parsing, wiring): the kernel maps them in
//     64 KiB runs around each fault, so most of the 20 MB of an idle xregion's resident
//     set was the binary itself. They are clean copies of the file, so MADV_DONTNEED
//     only unmaps them; what runs later faults back in from the page cache. MADV_RANDOM
//     then maps only the page a fault needs, so the resident set grows by the code that
//     serving really uses.
//   - The heap start-up left as garbage, returned to the system by a collection.
//
// Writable mappings are never touched: DONTNEED would discard their contents.
func trimAfterStart() {
	// The collection first: it reads the binary's tables (to scan stacks), which would
	// fault their pages straight back in.
	debug.FreeOSMemory()
	for _, m := range executableMappings() {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED)
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_RANDOM)
	}
}

type mapping struct{ start, end uintptr }

// executableMappings lists the read-only (code and constant data) mappings of the
// running binary's file, from /proc/self/maps.
func executableMappings() []mapping {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil
	}
	var out []mapping
	lines := bufio.NewScanner(bytes.NewReader(maps))
	for lines.Scan() {
		// address perms offset dev inode path
		f := strings.Fields(lines.Text())
		if len(f) < 6 || f[5] != exe || (f[1] != "r-xp" && f[1] != "r--p") {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil && end > start {
			out = append(out, mapping{uintptr(start), uintptr(end)})
		}
	}
	return out
}
