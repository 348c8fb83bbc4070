//go:build linux

package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

// A full disk is simulated with the file size limit (RLIMIT_FSIZE), which only a child
// process may lower without starving the rest of the test binary: writes past it fail
// with EFBIG, as writes to a full disk fail with ENOSPC.
const noSpaceDirEnv = "XREGION_STORE_NOSPACE_DIR"

// TestNoSpaceChild is the child half of TestFullDiskIsErrNoSpace; on its own it skips.
func TestNoSpaceChild(t *testing.T) {
	dir := os.Getenv(noSpaceDirEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestFullDiskIsErrNoSpace")
	}
	s, err := Open(filepath.Join(dir, "xregion.db"))
	if err != nil {
		t.Fatal(err)
	}
	limit := uint64(s.Stats().Size) + 4<<20
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Fatal(err)
	}
	value := bytes.Repeat([]byte("x"), 64<<10)
	var failed error
	written := 0
	for i := 0; i < 1000 && failed == nil; i++ {
		failed = s.Update(func(tx store.Tx) error { return tx.Put(fmt.Sprintf("k%04d", i), value) })
		if failed == nil {
			written++
		}
	}
	if !errors.Is(failed, store.ErrNoSpace) {
		t.Fatalf("after %d writes: %v, want ErrNoSpace", written, failed)
	}
	// What was acknowledged is intact, the failed write left nothing, and reads go on.
	err = s.View(func(tx store.Tx) error {
		for i := range written {
			if !bytes.Equal(tx.Get(fmt.Sprintf("k%04d", i)), value) {
				return fmt.Errorf("acknowledged write %d lost", i)
			}
		}
		if tx.Get(fmt.Sprintf("k%04d", written)) != nil {
			return errors.New("the failed write is visible")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("nospace ok after %d writes: %v\n", written, failed)
}

func TestFullDiskIsErrNoSpace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoSpaceChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), noSpaceDirEnv+"="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "nospace ok") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}
