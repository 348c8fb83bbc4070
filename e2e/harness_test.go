// Package e2e drives the real xregion binary with the clients users have: the AWS CLI,
// boto3 and Terraform with the AWS provider. Each test skips, and the run prints a
// banner saying so, when its tool is not installed; nothing else is skipped.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/xtest"
)

var (
	binary string // the xregion binary built for this run

	skippedMu sync.Mutex
	skipped   = map[string][]string{} // tool -> tests skipped for want of it
)

// defaultParallel is how many tests of this package run at once unless -parallel says
// otherwise. The Terraform tests spend most of their time in the provider's fixed waits
// (60 s after creating a DB instance, 30 s after a snapshot), not on the CPU, so running
// only GOMAXPROCS of them at a time would make the suite several times slower for nothing.
const defaultParallel = 8

// noteSources makes a change to the server invalidate go test's cached e2e result (see
// xtest.NoteSources); go test only records what happens once tests run.
var noteSources = sync.OnceFunc(func() { xtest.NoteSources("..") })

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(defaultParallel))
	}
	dir, err := os.MkdirTemp("", "xregion-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "xregion")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race") // the server runs under the race detector too
	}
	build := exec.Command("go", append(args, "../cmd/xregion")...)
	if !raceEnabled {
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building xregion: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if len(skipped) > 0 {
		tools := make([]string, 0, len(skipped))
		for t := range skipped {
			tools = append(tools, t)
		}
		sort.Strings(tools)
		fmt.Fprintln(os.Stderr, "\n*** e2e: SOME TESTS WERE SKIPPED BECAUSE A TOOL IS NOT INSTALLED ***")
		for _, t := range tools {
			fmt.Fprintf(os.Stderr, "***   %s missing: %s\n", t, strings.Join(skipped[t], ", "))
		}
	}
	os.Exit(code)
}

// need skips the test, loudly, when tool is not installed.
func need(t *testing.T, tool string, present bool) {
	t.Helper()
	if present {
		return
	}
	skippedMu.Lock()
	skipped[tool] = append(skipped[tool], t.Name())
	skippedMu.Unlock()
	t.Skipf("SKIPPED: %s is not installed", tool)
}

// server is a running xregion process.
type server struct {
	URL     string
	dataDir string
	cmd     *exec.Cmd
	log     *bytes.Buffer
	args    []string
	wrap    []string // a command the binary runs under (prlimit ...), if any
}

// startServer runs the binary on a free loopback port, in memory with instant
// transitions unless args say otherwise, and stops it when the test ends.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	s := &server{log: &bytes.Buffer{}}
	s.args = append([]string{"--in-memory", "--transition-delay", "0", "--log-level", "warn"}, args...)
	s.start(t)
	t.Cleanup(func() {
		if s.cmd != nil { // a test may have stopped it itself
			s.stop(t)
		}
		if t.Failed() {
			t.Logf("xregion log:\n%s", s.log.String())
		}
	})
	return s
}

// startDurableServer runs the binary with its store in dataDir.
func startDurableServer(t *testing.T, dataDir string, args ...string) *server {
	t.Helper()
	s := &server{log: &bytes.Buffer{}, dataDir: dataDir}
	s.args = append([]string{"--data-dir", dataDir, "--transition-delay", "0", "--log-level", "warn"}, args...)
	s.start(t)
	t.Cleanup(func() {
		if s.cmd != nil {
			s.stop(t)
		}
		if t.Failed() {
			t.Logf("xregion log:\n%s", s.log.String())
		}
	})
	return s
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *server) start(t *testing.T) {
	t.Helper()
	noteSources()
	addr := freePort(t)
	s.URL = "http://" + addr
	argv := append(append(append([]string{}, s.wrap...), binary, "--listen", addr), s.args...)
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+t.TempDir())
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/_xregion/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("xregion did not answer on %s: %v\n%s", s.URL, err, s.log.String())
		}
		waitBriefly()
	}
}

// stop ends the server with SIGTERM, as a user's Ctrl-C would.
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("xregion exited with %v", err)
		}
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Errorf("xregion did not stop within a minute of SIGTERM")
	}
	s.cmd = nil
}

// kill ends the server with SIGKILL, as a crash would.
func (s *server) kill(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

func waitBriefly() {
	timer := time.NewTimer(20 * time.Millisecond)
	<-timer.C
}

// admin calls the admin API and decodes its JSON answer into out (if not nil).
func (s *server) admin(t *testing.T, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/_xregion/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json") // required of every call that changes state
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("admin %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// clientEnv is the environment of a client process: credentials, Region and endpoint for
// this server, and a private home so nothing from the machine's AWS configuration leaks in.
func (s *server) clientEnv(t *testing.T, region string) []string {
	home := t.TempDir()
	env := []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_ENDPOINT_URL=" + s.URL, "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_DEFAULT_REGION=" + region,
		"AWS_REGION=" + region, "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
	}
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION", "LANG", "LC_ALL", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	// pyenv's shims (aws, python3) find pyenv through HOME when PYENV_ROOT is unset.
	if _, ok := os.LookupEnv("PYENV_ROOT"); !ok {
		if real, err := os.UserHomeDir(); err == nil {
			if _, err := os.Stat(filepath.Join(real, ".pyenv")); err == nil {
				env = append(env, "PYENV_ROOT="+filepath.Join(real, ".pyenv"))
			}
		}
	}
	return env
}

func haveCommand(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// run runs a client command and returns its stdout and stderr.
func run(ctx context.Context, env []string, dir, name string, args ...string) (string, string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// awsIn runs the AWS CLI in region with JSON output and fails the test if it fails.
func (s *server) awsIn(t *testing.T, region string, args ...string) string {
	t.Helper()
	need(t, "aws CLI", haveCommand("aws"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stdout, stderr, err := run(ctx, s.clientEnv(t, region), "", "aws", s.cliArgs(args)...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
}

// cliArgs adds JSON output and an explicit --endpoint-url: AWS CLI v1 honours
// AWS_ENDPOINT_URL except where a customization picks the endpoint itself, as RDS in
// us-east-1 does (awscli/customizations/overridesslcommonname.py); --endpoint-url wins over
// that.
func (s *server) cliArgs(args []string) []string {
	return append(args, "--output", "json", "--endpoint-url", s.URL)
}

// aws runs the AWS CLI in us-east-1.
func (s *server) aws(t *testing.T, args ...string) string {
	t.Helper()
	return s.awsIn(t, "us-east-1", args...)
}

// awsJSON runs the AWS CLI and decodes its JSON output.
func (s *server) awsJSON(t *testing.T, region string, out any, args ...string) {
	t.Helper()
	stdout := s.awsIn(t, region, args...)
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout)
	}
}

// awsFail runs the AWS CLI expecting it to fail, and returns its stderr.
func (s *server) awsFail(t *testing.T, region string, args ...string) string {
	t.Helper()
	need(t, "aws CLI", haveCommand("aws"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stdout, stderr, err := run(ctx, s.clientEnv(t, region), "", "aws", s.cliArgs(args)...)
	if err == nil {
		t.Fatalf("aws %s succeeded, want a failure:\n%s", strings.Join(args, " "), stdout)
	}
	return stderr
}

var boto3Check = sync.OnceValue(func() bool {
	return haveCommand("python3") && exec.Command("python3", "-c", "import boto3").Run() == nil
})

// python runs a Python script with boto3 configured for this server (in region) and
// returns what it prints. The script fails the test by raising.
func (s *server) python(t *testing.T, region, script string) string {
	t.Helper()
	need(t, "boto3", boto3Check())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stdout, stderr, err := run(ctx, s.clientEnv(t, region), "", "python3", "-c", script)
	if err != nil {
		t.Fatalf("python: %v\n%s%s", err, stdout, stderr)
	}
	return stdout
}

// pluginMirror finds the Terraform filesystem mirror that holds the AWS provider.
var pluginMirror = sync.OnceValue(func() string {
	candidates := []string{os.Getenv("XREGION_TF_PLUGIN_MIRROR"), "/opt/tf-plugins", "/usr/share/terraform/plugins",
		"/usr/local/share/terraform/plugins"}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".terraform.d", "plugins"),
			filepath.Join(home, ".local", "share", "terraform", "plugins"))
	}
	for _, dir := range candidates {
		if dir == "" {
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(dir, "registry.terraform.io", "hashicorp", "aws", "*", runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-aws*"))
		if len(matches) > 0 {
			return dir
		}
	}
	return ""
})

// terraform is a Terraform working directory configured for a server.
type terraform struct {
	t   *testing.T
	dir string
	env []string
	srv *server
}

// newTerraform writes hcl (plus the providers it names with providers()) into a fresh
// directory with a CLI configuration that installs the AWS provider from the machine's
// filesystem mirror, offline.
func newTerraform(t *testing.T, srv *server, hcl string) *terraform {
	t.Helper()
	need(t, "terraform", haveCommand("terraform"))
	need(t, "terraform AWS provider mirror", pluginMirror() != "")
	dir := t.TempDir()
	cliConfig := writeMirrorConfig(t, dir)
	writeFile(t, filepath.Join(dir, "main.tf"), hcl)
	env := append(srv.clientEnv(t, "us-east-1"),
		"TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"))
	tf := &terraform{t: t, dir: dir, env: env, srv: srv}
	tf.run("init", "-input=false", "-no-color")
	return tf
}

// writeMirrorConfig writes, into dir, a Terraform CLI configuration that installs the AWS
// provider from the machine's filesystem mirror and nothing from the registry, and
// returns its path (for TF_CLI_CONFIG_FILE).
func writeMirrorConfig(t *testing.T, dir string) string {
	t.Helper()
	cliConfig := filepath.Join(dir, ".terraformrc")
	writeFile(t, cliConfig, fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`, pluginMirror()))
	return cliConfig
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (tf *terraform) run(args ...string) string {
	tf.t.Helper()
	out, err := tf.try(args...)
	if err != nil {
		tf.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (tf *terraform) try(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	stdout, stderr, err := run(ctx, tf.env, tf.dir, "terraform", args...)
	return stdout + stderr, err
}

func (tf *terraform) apply() string {
	tf.t.Helper()
	return tf.run("apply", "-auto-approve", "-input=false", "-no-color")
}

// planNoChanges fails the test unless a plan finds nothing to change: what the server
// answers must read back exactly as Terraform wrote it.
func (tf *terraform) planNoChanges() {
	tf.t.Helper()
	out, err := tf.try("plan", "-detailed-exitcode", "-input=false", "-no-color")
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		tf.t.Fatalf("the second plan wants changes:\n%s", out)
	default:
		tf.t.Fatalf("terraform plan: %v\n%s", err, out)
	}
}

func (tf *terraform) destroy() string {
	tf.t.Helper()
	return tf.run("destroy", "-auto-approve", "-input=false", "-no-color")
}

func (tf *terraform) importResource(addr, id string) string {
	tf.t.Helper()
	return tf.run("import", "-input=false", "-no-color", addr, id)
}

func (tf *terraform) stateRm(addr string) {
	tf.t.Helper()
	tf.run("state", "rm", addr)
}

func (tf *terraform) output(name string) string {
	tf.t.Helper()
	return strings.TrimSpace(tf.run("output", "-raw", name))
}

// providers returns provider blocks for the server: the default provider in the first
// Region and one aliased provider per further Region, named after it with dashes as
// underscores (provider = aws.us_west_2).
func (s *server) providers(regions ...string) string {
	var b strings.Builder
	for i, region := range regions {
		alias := ""
		if i > 0 {
			alias = fmt.Sprintf("  alias = %q\n", strings.ReplaceAll(region, "-", "_"))
		}
		fmt.Fprintf(&b, `provider "aws" {
%s  region                      = %q
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 3
  endpoints {
    backup         = %[3]q
    dynamodb       = %[3]q
    ec2            = %[3]q
    efs            = %[3]q
    iam            = %[3]q
    kms            = %[3]q
    rds            = %[3]q
    secretsmanager = %[3]q
    sts            = %[3]q
  }
}

`, alias, region, s.URL)
	}
	return b.String()
}

// dataFiles lists every file under dir, for tests that search them.
func dataFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
