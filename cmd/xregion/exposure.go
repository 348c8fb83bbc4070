package main

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/server"
)

// readSecretFile reads a secret kept in a file of its own (a Docker or Kubernetes secret,
// say), without its trailing newline.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", errors.New(path + " is empty")
	}
	return secret, nil
}

// warnSecretsOnCommandLine says, once per flag, that a secret given as an argument is
// visible to every user of the machine, and what to use instead.
func warnSecretsOnCommandLine(logger *slog.Logger, flags []string) {
	instead := map[string]string{
		"--credentials": "XREGION_CREDENTIALS or --credentials-file",
		"--admin-token": "XREGION_ADMIN_TOKEN or --admin-token-file",
	}
	for _, f := range flags {
		logger.Warn("SECURITY: "+f+" was given on the command line, which every user of this machine can read (ps); "+
			"use "+instead[f]+" instead", "flag", f)
	}
}

// warnExposure warns, loudly, when xregion listens beyond loopback in a way that lets
// anyone who can reach it change its state: no admin token (reset, clock, faults are
// open to all), permissive authentication (any access key acts in any account), no
// --allowed-hosts (Host names are not checked, so DNS rebinding can reach it from a
// browser on the network).
func warnExposure(logger *slog.Logger, addr net.Addr, cfg server.Config) {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return
	}
	where := addr.String()
	if cfg.AdminToken == "" {
		logger.Warn("SECURITY: listening on " + where + " beyond loopback without --admin-token: anyone who can reach it " +
			"can wipe all state, move the clock and inject faults through /_xregion/")
	}
	if cfg.Auth != auth.Strict {
		logger.Warn("SECURITY: listening on " + where + " beyond loopback in permissive mode: any request with any " +
			"access key is served, in any account; use --auth strict with --credentials-file")
	}
	if len(cfg.AllowedHosts) == 0 {
		logger.Warn("SECURITY: listening on " + where + " beyond loopback without --allowed-hosts: Host names are not " +
			"checked, so a web page can reach xregion through DNS rebinding; list the names clients use")
	}
}
