package proc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/xtest"
)

// TestMain doubles as the helper process of TestChildrenDieWithXregion: a "parent" that
// starts a child through Start, prints its pid and waits to be killed.
func TestMain(m *testing.M) {
	if os.Getenv("PROC_TEST_PARENT") == "1" {
		runParent()
		return
	}
	os.Exit(m.Run())
}

func runParent() {
	id, err := ServerIdentity("")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	cmd := exec.Command("sleep", "600")
	if err := Start(cmd, id); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println(cmd.Process.Pid)
	// Churn goroutines and threads, as a busy xregion does, before being killed.
	for i := 0; i < 50; i++ {
		go func() { runtime.LockOSThread() }() // exits with its thread
	}
	select {}
}

func TestServerIdentity(t *testing.T) {
	id, err := ServerIdentity("")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if id.Switch || id.UID != os.Geteuid() || id.Credential() != nil {
			t.Errorf("not root: %+v", id)
		}
		return
	}
	if !id.Switch || id.UID == 0 || id.Credential() == nil || len(id.Credential().Groups) != 0 {
		t.Errorf("as root: %+v", id)
	}
	if _, err := ServerIdentity("root"); err == nil {
		t.Error("ServerIdentity accepted root")
	}
	if _, err := ServerIdentity("no-such-user-xregion"); err == nil {
		t.Error("ServerIdentity accepted a user that does not exist")
	}
}

func needRoot(t *testing.T) Identity {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED: switching users needs root")
	}
	id, err := ServerIdentity("")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCheckReach(t *testing.T) {
	id := needRoot(t)
	private := t.TempDir() // 0700, root's
	inner := filepath.Join(private, "a", "b")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	err := id.CheckReach(inner)
	if err == nil || !strings.Contains(err.Error(), private) {
		t.Fatalf("CheckReach through a private directory: %v", err)
	}
	// t.TempDir makes two private directories: the test's and its own.
	for _, d := range []string{private, filepath.Dir(private)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	if err := id.CheckReach(inner); err != nil {
		t.Fatalf("CheckReach after chmod o+x: %v", err)
	}
}

func TestMkdirOwned(t *testing.T) {
	id, err := ServerIdentity("")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := id.MkdirOwned(dir); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(dir)
	st := info.Sys().(*syscall.Stat_t)
	if info.Mode().Perm() != 0o700 || int(st.Uid) != id.UID {
		t.Errorf("mode %v owner %d, want 0700 and %d", info.Mode().Perm(), st.Uid, id.UID)
	}
}

func TestStartRunsAsTheIdentityInItsOwnGroup(t *testing.T) {
	id, err := ServerIdentity("")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "60")
	if err := Start(cmd, id); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer Signal(cmd.Process.Pid, syscall.SIGKILL)
	pid := cmd.Process.Pid
	if !Alive(pid) {
		t.Fatal("child not alive")
	}
	if runtime.GOOS != "linux" {
		return
	}
	if uid := statusField(t, pid, "Uid:"); uid != strconv.Itoa(id.UID) {
		t.Errorf("child runs as uid %s, want %d", uid, id.UID)
	}
	if pgid, _ := syscall.Getpgid(pid); pgid != pid {
		t.Errorf("child in process group %d, not its own", pgid)
	}
	if dir, err := WorkingDir(pid); err != nil || dir == "" {
		t.Errorf("WorkingDir: %q, %v", dir, err)
	}
}

func statusField(t *testing.T, pid int, field string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			return strings.Fields(line)[1]
		}
	}
	return ""
}

// TestChildrenDieWithXregion kills -9 a process that started a child through Start and
// sees the child get its parent-death signal, although the parent's goroutines came and
// went on other threads.
func TestChildrenDieWithXregion(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SKIPPED: the parent-death signal is Linux's")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parent := exec.Command(exe, "-test.run=^$")
	parent.Env = append(os.Environ(), "PROC_TEST_PARENT=1")
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("parent said %q", line)
	}
	if !Alive(child) {
		t.Fatal("child not running")
	}
	parent.Process.Kill()
	parent.Wait()
	xtest.CheckFor(t, 10*time.Second, func() error {
		if Alive(child) && !zombie(child) {
			return fmt.Errorf("child %d still running after its parent was killed", child)
		}
		return nil
	})
}
