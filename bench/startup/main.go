// Command startup measures how fast xregion answers after it is started and how much
// memory it holds while idle: it runs the binary several times, polls the admin health
// endpoint until the first answer, then reads the process's resident set size from /proc.
//
//	go build -o /tmp/xregion ./cmd/xregion && go run ./bench/startup -binary /tmp/xregion
//
// It prints one JSON line per mode: in memory, durable on a fresh data directory (a
// first start: the store and the root key are created), and durable restarting on an
// existing data directory (made by one start before the measured ones).
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
	// What the server spent up to its first answer, medians, from /proc: CPU time of all
	// its threads, time its threads waited for a core (run queue), and page faults. Unlike
	// the wall time they barely depend on the machine's load, so they compare builds on a
	// busy machine; the wall time is about CPU + run-queue wait + what it waited on I/O.
	CPUMs       float64 `json:"cpuP50Ms"`
	RunQueueMs  float64 `json:"runQueueP50Ms"`
	MinorFaults float64 `json:"minorFaultsP50"`
	IdleRSSMB   float64 `json:"idleRssMB"`
	LoadAverage string  `json:"loadAverage"` // of the machine at the end: the figures are noisy under load
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
	for _, mode := range []string{"in-memory", "durable", "durable-restart"} {
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
	var firsts, cpus, waits, faults []float64
	var rss float64
	existing := ""
	if mode == "durable-restart" {
		dir, err := os.MkdirTemp("", "xregion-startup-")
		if err != nil {
			return result{}, err
		}
		defer os.RemoveAll(dir)
		existing = dir
		first, err := startAndAsk(binary, mode, existing, poll) // makes the data directory
		if err != nil {
			return result{}, err
		}
		first.stop()
	}
	for i := 0; i < runs; i++ {
		run, err := startAndAsk(binary, mode, existing, poll)
		if err != nil {
			return result{}, err
		}
		firsts = append(firsts, run.firstMs)
		cpus, waits, faults = append(cpus, run.usage.cpuMs), append(waits, run.usage.runQueueMs), append(faults, run.usage.minorFaults)
		if i == runs-1 {
			// Idle: give the runtime a moment after start-up before reading the RSS.
			time.Sleep(2 * time.Second)
			rss, err = residentMB(run.cmd.Process.Pid)
		}
		run.stop()
		if err != nil {
			return result{}, err
		}
	}
	return result{Mode: mode, Runs: runs, FirstAnswerMs: median(firsts), FirstAnswerMx: slices.Max(firsts),
		CPUMs: median(cpus), RunQueueMs: median(waits), MinorFaults: median(faults), IdleRSSMB: rss, LoadAverage: loadAverage()}, nil
}

// started is one start of the server, asked until its first answer.
type started struct {
	cmd     *exec.Cmd
	dir     string // removed at stop; "" for an existing data directory, which is kept
	firstMs float64
	usage   usage // up to the first answer
}

func (s *started) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// startAndAsk starts the binary on the data directory existing, or on a fresh one when
// existing is "", and polls its health endpoint until it answers, then reads what the
// process has used so far.
func startAndAsk(binary, mode, existing string, poll time.Duration) (*started, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir, removed := existing, ""
	if dir == "" {
		if dir, err = os.MkdirTemp("", "xregion-startup-"); err != nil {
			return nil, err
		}
		removed = dir
	}
	args := []string{"--listen", addr, "--log-level", "warn"}
	if mode == "in-memory" {
		args = append(args, "--in-memory")
	} else {
		args = append(args, "--data-dir", dir)
	}
	s := &started{cmd: exec.Command(binary, args...), dir: removed}
	s.cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir)
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(removed)
		return nil, err
	}
	first, err := firstAnswer("http://"+addr+"/_xregion/health", poll, 10*time.Second)
	if err == nil {
		s.usage, err = usageOf(s.cmd.Process.Pid)
	}
	if err != nil {
		_ = s.cmd.Process.Kill()
		s.stop()
		return nil, err
	}
	s.firstMs = float64(first.Sub(start).Microseconds()) / 1000
	return s, nil
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
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
