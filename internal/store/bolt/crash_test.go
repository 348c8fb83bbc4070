//go:build unix

package bolt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/xregion/xregion/internal/store"
)

// The crash test runs a writer in a child process (this test binary again, running only
// TestCrashChild) and kills it with SIGKILL while it writes. The child prints a line
// for each Update that returned nil, so the parent knows exactly which writes were
// acknowledged, and when, without sleeping.
const (
	crashPathEnv    = "XREGION_STORE_CRASH_PATH"
	crashRoundEnv   = "XREGION_STORE_CRASH_ROUND"
	crashWritersEnv = "XREGION_STORE_CRASH_WRITERS"
	ackPrefix       = "ack "
)

// crashValue is deterministic, so the parent can tell a torn value from a whole one, and
// its size varies up to several pages so that commits grow the file and remap it.
func crashValue(round, i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("<%d.%d>", round, i)), 1+(i*37)%3000)
}

func crashKey(round, i int, part string) string {
	return store.Key("crash", strconv.Itoa(round), fmt.Sprintf("%06d", i), part)
}

// maxWriters bounds the child's concurrent writers.
const maxWriters = 8

// TestCrashChild is the child half of TestCrashKeepsAcknowledgedWrites; on its own it
// skips.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashPathEnv)
	if path == "" {
		t.Skip("runs only as the child of TestCrashKeepsAcknowledgedWrites")
	}
	round, err := strconv.Atoi(os.Getenv(crashRoundEnv))
	if err != nil {
		t.Fatal(err)
	}
	writers, err := strconv.Atoi(os.Getenv(crashWritersEnv))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Writer w writes transactions w, w+writers, w+2*writers...: with several writers,
	// commits are shared (commit.go), and each must still be acknowledged only once on
	// disk.
	failed := make(chan error)
	for w := range writers {
		go func() {
			// The bound only matters if the parent fails to kill us.
			for i := w; i < 1_000_000; i += writers {
				if err := s.Update(crashTx(round, i)); err != nil {
					failed <- err
					return
				}
				// os.Stdout is unbuffered and each line is one write to the pipe: once
				// this line is readable, the write was acknowledged.
				fmt.Printf("%s%d\n", ackPrefix, i)
			}
		}()
	}
	t.Fatal(<-failed)
}

// crashTx is transaction i of a round.
func crashTx(round, i int) func(store.Tx) error {
	return func(tx store.Tx) error {
		// Two keys per transaction: after the crash both or neither must exist.
		if err := tx.Put(crashKey(round, i, "a"), crashValue(round, i)); err != nil {
			return err
		}
		if err := tx.Put(crashKey(round, i, "b"), crashValue(round, i)); err != nil {
			return err
		}
		// Churn: overwrite and delete too, so commits free and reuse pages.
		if err := tx.Put(store.Key("crash", "latest"), []byte(strconv.Itoa(i))); err != nil {
			return err
		}
		if i%10 == 9 {
			return tx.Delete(crashKey(round, i-5, "scratch"))
		}
		return tx.Put(crashKey(round, i, "scratch"), crashValue(round, i))
	}
}

func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "data", "xregion.db")
	acked := map[int][]int{} // round -> acknowledged transaction numbers
	// Each round kills the writer at a different point and then recovers the same file;
	// the later rounds write from several goroutines, whose commits are shared.
	rounds := []struct{ killAfter, writers int }{{1, 1}, {40, 1}, {150, 8}, {400, 8}}
	for round, r := range rounds {
		killAfter := r.killAfter
		acked[round] = runAndKill(t, path, round, killAfter, r.writers)
		if len(acked[round]) < killAfter {
			t.Fatalf("round %d: %d acknowledgements before the kill, want at least %d", round, len(acked[round]), killAfter)
		}
		t.Logf("round %d: killed after %d acknowledged writes", round, len(acked[round]))
		verifyAfterCrash(t, path, acked)
	}
}

// runAndKill starts a writer, SIGKILLs it once it has acknowledged killAfter writes and
// returns every write it acknowledged, including any it reported after the kill was sent.
func runAndKill(t *testing.T, path string, round, killAfter, writers int) []int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashPathEnv+"="+path, crashRoundEnv+"="+strconv.Itoa(round),
		crashWritersEnv+"="+strconv.Itoa(writers))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	var acks []int
	var other []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := lines.Text()
		n, err := strconv.Atoi(strings.TrimPrefix(line, ackPrefix))
		if !strings.HasPrefix(line, ackPrefix) || err != nil {
			other = append(other, line)
			continue
		}
		acks = append(acks, n)
		if len(acks) == killAfter {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
		// Keep reading: acknowledgements already in the pipe count too.
	}
	err = cmd.Wait()
	killed = true
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("round %d: child ended with %v, not SIGKILL\nstdout: %s\nstderr: %s",
			round, err, strings.Join(other, "\n"), stderr.String())
	}
	return acks
}

// verifyAfterCrash reopens the store and checks that every acknowledged write is whole,
// that no transaction is half there, and that the file is structurally sound.
func verifyAfterCrash(t *testing.T, path string, acked map[int][]int) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	defer s.Close()
	err = s.View(func(tx store.Tx) error {
		for round, acks := range acked {
			for _, i := range acks {
				for _, part := range []string{"a", "b"} {
					if !bytes.Equal(tx.Get(crashKey(round, i, part)), crashValue(round, i)) {
						return fmt.Errorf("round %d: acknowledged write %d/%s is missing or torn", round, i, part)
					}
				}
			}
			// The transactions in flight at the kill (one per writer) may or may not
			// have committed, but never in part.
			for i := range slices.Max(acks) + maxWriters + 1 {
				a, b := tx.Get(crashKey(round, i, "a")), tx.Get(crashKey(round, i, "b"))
				if (a == nil) != (b == nil) || (a != nil && !bytes.Equal(a, crashValue(round, i))) {
					return fmt.Errorf("round %d: transaction %d survived in part", round, i)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.View(func(btx *bbolt.Tx) error {
		for err := range btx.Check() {
			return fmt.Errorf("bbolt consistency check: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
