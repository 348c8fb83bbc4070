package main

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/server"
)

func captureLog() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, nil)), &b
}

func TestWarnExposure(t *testing.T) {
	loopback := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 4566}
	anywhere := &net.TCPAddr{IP: net.IPv4zero, Port: 4566}
	locked := server.Config{Auth: auth.Strict, AdminToken: "t", AllowedHosts: []string{"xregion.corp"}}
	for _, c := range []struct {
		name string
		addr net.Addr
		cfg  server.Config
		want []string
	}{
		{"loopback, defaults", loopback, server.Config{Auth: auth.Permissive}, nil},
		{"beyond loopback, defaults", anywhere, server.Config{Auth: auth.Permissive}, []string{"--admin-token", "permissive", "--allowed-hosts"}},
		{"beyond loopback, locked down", anywhere, locked, nil},
		{"beyond loopback, no token", anywhere, server.Config{Auth: auth.Strict, AllowedHosts: []string{"x"}}, []string{"--admin-token"}},
	} {
		logger, out := captureLog()
		warnExposure(logger, c.addr, c.cfg)
		if got := strings.Count(out.String(), "level=WARN"); got != len(c.want) {
			t.Errorf("%s: %d warnings, want %d:\n%s", c.name, got, len(c.want), out)
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: no warning about %s:\n%s", c.name, w, out)
			}
		}
	}
}

func TestSecretsOnTheCommandLineAreNamed(t *testing.T) {
	t.Setenv("XREGION_CREDENTIALS", "")
	t.Setenv("XREGION_ADMIN_TOKEN", "")
	o, err := parseFlags([]string{"--credentials", "AKID:SECRET", "--admin-token", "tok", "--in-memory"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	logger, out := captureLog()
	warnSecretsOnCommandLine(logger, o.onCommandLine)
	for _, f := range []string{"--credentials", "--admin-token"} {
		if !strings.Contains(out.String(), f+" was given on the command line") {
			t.Errorf("no warning for %s:\n%s", f, out)
		}
	}
	if strings.Contains(out.String(), "SECRET") || strings.Contains(out.String(), "tok ") {
		t.Errorf("the warning repeats the secret:\n%s", out)
	}

	t.Setenv("XREGION_CREDENTIALS", "AKID:SECRET")
	t.Setenv("XREGION_ADMIN_TOKEN", "tok")
	if o, err = parseFlags([]string{"--in-memory"}, &bytes.Buffer{}); err != nil || len(o.onCommandLine) != 0 || o.cfg.AdminToken != "tok" {
		t.Errorf("from the environment: %v, flagged %v", err, o.onCommandLine)
	}
}

func TestAdminTokenFile(t *testing.T) {
	t.Setenv("XREGION_ADMIN_TOKEN", "")
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := parseFlags([]string{"--admin-token-file", path}, &bytes.Buffer{})
	if err != nil || o.cfg.AdminToken != "from-a-file" {
		t.Fatalf("token file: %v %q", err, o.cfg.AdminToken)
	}
	if _, err := parseFlags([]string{"--admin-token-file", path, "--admin-token", "x"}, &bytes.Buffer{}); err == nil {
		t.Error("two admin tokens accepted")
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := parseFlags([]string{"--admin-token-file", empty}, &bytes.Buffer{}); err == nil {
		t.Error("an empty token file accepted")
	}
}
