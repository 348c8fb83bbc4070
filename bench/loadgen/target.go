package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store/postgres/pgtest"
)

// target is a server process under load: xregion, the reference server or moto; or the
// nodes of a shared deployment, the first node standing for all of them.
type target struct {
	name string
	url  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	dir  string
	// others are the other nodes of a shared deployment; requests are spread over all
	// of them (urlFor), and server CPU is theirs summed.
	others []*target
}

// urlFor is where request i goes: node i mod n of a shared deployment.
func (t *target) urlFor(i int) string {
	if i %= len(t.others) + 1; i > 0 {
		return t.others[i-1].url
	}
	return t.url
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startProcess runs a server and waits until probe answers.
func startProcess(name string, probe string, argv []string, env []string, addr string) (*target, error) {
	t := &target{name: name, url: "http://" + addr, log: &bytes.Buffer{}}
	t.cmd = exec.Command(argv[0], argv[1:]...)
	t.cmd.Env = append(os.Environ(), env...)
	t.cmd.Stdout, t.cmd.Stderr = t.log, t.log
	if err := t.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		resp, err := client.Get(t.url + probe)
		if err == nil {
			resp.Body.Close()
			return t, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.stop()
	return nil, fmt.Errorf("%s did not answer within 30s:\n%s", name, t.log.String())
}

// startXregion runs the xregion binary with instant transitions, in memory or on a fresh
// data directory.
func startXregion(binary string, durable bool, extra ...string) (*target, error) {
	store := []string{"--in-memory"}
	if durable {
		store = nil // startNode's fresh data directory
	}
	return startNode(binary, store, nil, extra)
}

// startShared runs nodes xregion nodes on a fresh schema of pg, sharing one root key: a
// shared deployment, as the README's shared-deployment section runs it.
func startShared(binary string, pg *pgtest.Server, nodes int, extra ...string) (*target, error) {
	url, err := pg.NewSchema("loadgen")
	if err != nil {
		return nil, err
	}
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	env := []string{"XREGION_ROOT_KEY=" + base64.StdEncoding.EncodeToString(key)}
	var first *target
	for i := range nodes {
		t, err := startNode(binary, []string{"--store", url, "--node-id", "node-" + strconv.Itoa(i+1)}, env, extra)
		if err != nil {
			if first != nil {
				first.stop()
			}
			return nil, err
		}
		if first == nil {
			first = t
			first.name = fmt.Sprintf("xregion (%d nodes on PostgreSQL)", nodes)
		} else {
			first.others = append(first.others, t)
		}
	}
	return first, nil
}

// startNode runs one xregion process with the given store flags (none: a durable store
// in a fresh data directory) and environment.
func startNode(binary string, store, env, extra []string) (*target, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "xregion-loadgen-")
	if err != nil {
		return nil, err
	}
	argv := []string{binary, "--listen", addr, "--transition-delay", "0", "--log-level", "warn", "--data-dir", dir}
	argv = append(append(argv, store...), extra...)
	t, err := startProcess("xregion", "/_xregion/health", argv, append(env, "XDG_DATA_HOME="+dir), addr)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	t.dir = dir
	return t, nil
}

// startReference re-runs this program as the reference server: the machine's own ceiling
// for an HTTP server answering a fixed body, measured in the same run.
func startReference() (*target, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return startProcess("reference", "/", []string{self, "-reference-server", addr}, nil, addr)
}

// startMoto runs moto's server, when it is installed, for a side-by-side figure.
func startMoto() (*target, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(addr)
	return startProcess("moto", "/moto-api/", []string{path, "-H", host, "-p", port}, nil, addr)
}

func (t *target) stop() {
	for _, o := range t.others {
		o.stop()
	}
	if t.cmd.Process != nil {
		_ = t.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = t.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = t.cmd.Process.Kill()
			<-done
		}
	}
	if t.dir != "" {
		os.RemoveAll(t.dir)
	}
}

// cpuTime is the CPU time the process (every node of a shared deployment) has used so
// far, user + system, from /proc/<pid>/stat.
func (t *target) cpuTime() (time.Duration, error) {
	total, err := t.processCPUTime()
	for _, o := range t.others {
		d, oerr := o.processCPUTime()
		total, err = total+d, errors.Join(err, oerr)
	}
	return total, err
}

func (t *target) processCPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", t.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields we need follow its closing parenthesis.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc stat: %q", s)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc stat: %q", s)
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, nil
}

// residentMB is the process's resident set size in MB, from /proc/<pid>/status.
func (t *target) residentMB() (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", t.cmd.Process.Pid))
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
	return 0, fmt.Errorf("no VmRSS for pid %d", t.cmd.Process.Pid)
}
