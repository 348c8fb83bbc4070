//go:build unix

package server

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

// A first start killed (SIGKILL) at any step of making its data directory leaves one the
// next start opens, with every write the killed one acknowledged. The child is this test
// binary again, running only TestFirstStartChild, which kills itself when it reaches
// the step it is given. (The steps inside bbolt's own creation of the file — an empty
// file, an initialised one without the bucket — are TestEmptyStoreFile and bolt's
// TestOpenCreatesAMissingBucket.)
func TestFirstStartKilledAtEveryStep(t *testing.T) {
	steps := []string{"data directory made", "store opened", "root key chosen", "root key written", "directory synced",
		"fingerprint recorded", "first write acknowledged"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			acked := runFirstStartChild(t, dir, step)
			s, err := New(Config{DataDir: dir})
			if err != nil {
				t.Fatalf("restart after a first start killed at %q: %v", step, err)
			}
			var marker []byte
			err = s.Store().Update(func(tx store.Tx) error {
				marker = tx.Get(firstStartMarker)
				return tx.Put("test/after-restart", []byte("y"))
			})
			if err != nil {
				t.Fatal(err)
			}
			if acked && string(marker) != "x" {
				t.Errorf("the acknowledged write is gone after a kill at %q", step)
			}
			if err := s.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := startStop(t, dir, ""); err != nil {
				t.Errorf("second restart: %v", err)
			}
		})
	}
}

const (
	firstStartDirEnv  = "XREGION_TEST_FIRST_START_DIR"
	firstStartStepEnv = "XREGION_TEST_FIRST_START_KILL_AT"
	firstStartMarker  = "test/first-start"
)

// runFirstStartChild runs TestFirstStartChild and reports whether it acknowledged its
// write before it was killed.
func runFirstStartChild(t *testing.T, dir, step string) (acked bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFirstStartChild$")
	cmd.Env = append(os.Environ(), firstStartDirEnv+"="+dir, firstStartStepEnv+"="+step)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed at %q: %v\n%s", step, err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		acked = acked || sc.Text() == "acknowledged"
	}
	return acked
}

// TestFirstStartChild is the child half of TestFirstStartKilledAtEveryStep; on its own it
// skips.
func TestFirstStartChild(t *testing.T) {
	dir, step := os.Getenv(firstStartDirEnv), os.Getenv(firstStartStepEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestFirstStartKilledAtEveryStep")
	}
	startupStep = func(name string) {
		if name == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}
	s, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Store().Update(func(tx store.Tx) error { return tx.Put(firstStartMarker, []byte("x")) }); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("acknowledged\n")
	startupStep("first write acknowledged")
	t.Fatalf("the step %q was never reached", step)
}
