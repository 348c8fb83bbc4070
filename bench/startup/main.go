// Command startup measures how fast xregion answers after it is started and how much
// memory it holds while idle: it runs the binary several times, polls the admin health
// endpoint until the first answer, then reads the process's resident set size from /proc.
//
//	go build -o /tmp/xregion ./cmd/xregion && go run ./bench/startup -binary /tmp/xregion
//
// It prints one JSON line per store mode.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

type result struct {
	Mode          string  `json:"mode"`
	Runs          int     `json:"runs"`
	FirstAnswerMs float64 `json:"firstAnswerP50Ms"`
	FirstAnswerMx float64 `json:"firstAnswerMaxMs"`
	IdleRSSMB     float64 `json:"idleRssMB"`
	LoadAverage   string  `json:"loadAverage"` // of the machine at the end: the figures are noisy under load
}

func main() {
	binary := flag.String("binary", "", "path of the xregion binary")
	runs := flag.Int("runs", 5, "starts per mode")
	poll := flag.Duration("poll", time.Millisecond, "how often to ask for the first answer")
	flag.Parse()
	if *binary == "" {
		fmt.Fprintln(os.Stderr, "usage: startup -binary path/to/xregion")
		os.Exit(2)
	}
	for _, mode := range []string{"in-memory", "durable"} {
		r, err := measure(*binary, mode, *runs, *poll)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
	}
}

func measure(binary, mode string, runs int, poll time.Duration) (result, error) {
	var firsts []float64
	var rss float64
	for i := 0; i < runs; i++ {
		addr, err := freeAddr()
		if err != nil {
			return result{}, err
		}
		args := []string{"--listen", addr, "--log-level", "warn"}
		dir, err := os.MkdirTemp("", "xregion-startup-")
		if err != nil {
			return result{}, err
		}
		if mode == "in-memory" {
			args = append(args, "--in-memory")
		} else {
			args = append(args, "--data-dir", dir)
		}
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return result{}, err
		}
		first, err := firstAnswer("http://"+addr+"/_xregion/health", poll, 10*time.Second)
		if err != nil {
			_ = cmd.Process.Kill()
			return result{}, err
		}
		firsts = append(firsts, float64(first.Sub(start).Microseconds())/1000)
		if i == runs-1 {
			// Idle: give the runtime a moment after start-up before reading the RSS.
			time.Sleep(2 * time.Second)
			rss, err = residentMB(cmd.Process.Pid)
			if err != nil {
				_ = cmd.Process.Kill()
				return result{}, err
			}
		}
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	slices.Sort(firsts)
	return result{Mode: mode, Runs: runs, FirstAnswerMs: firsts[len(firsts)/2], FirstAnswerMx: firsts[len(firsts)-1], IdleRSSMB: rss,
		LoadAverage: loadAverage()}, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// firstAnswer polls url every poll until it answers 200; the figure is at most one poll
// late.
func firstAnswer(url string, poll, timeout time.Duration) (time.Time, error) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Now(), nil
			}
		}
		time.Sleep(poll)
	}
	return time.Time{}, fmt.Errorf("no answer from %s within %v", url, timeout)
}

// residentMB reads VmRSS from /proc/<pid>/status.
func residentMB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
