// Command xregion serves the AWS APIs for cross-Region data protection — Secrets Manager,
// KMS, RDS, AWS Backup, STS and IAM — for every Region on one local endpoint.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/server"
	"github.com/xregion/xregion/internal/version"
)

func main() {
	var err error
	if isAdminCommand(os.Args[1:]) {
		err = runAdmin(os.Args[1:], os.Stdout, os.Stderr)
	} else {
		err = run(os.Args[1:], os.Stderr)
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "xregion:", err)
			os.Exit(1)
		}
	}
}

// options are the command line, each flag with its XREGION_* variable.
type options struct {
	cfg      server.Config
	logLevel string
	logJSON  bool
	version  bool
	// pprofListen serves the profiler on its own listener, never on the AWS endpoint.
	pprofListen    string
	adminTokenFile string
	// onCommandLine names the secret-bearing flags given as arguments, which every user
	// of the machine can read (ps, /proc/PID/cmdline).
	onCommandLine []string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("xregion", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return def
	}
	envBool := func(name string) bool {
		b, _ := strconv.ParseBool(os.Getenv(name))
		return b
	}
	delay, err := time.ParseDuration(env("XREGION_TRANSITION_DELAY", server.DefaultTransitionDelay.String()))
	if err != nil {
		return nil, fmt.Errorf("XREGION_TRANSITION_DELAY: %w", err)
	}
	fs.StringVar(&o.cfg.Listen, "listen", env("XREGION_LISTEN", server.DefaultListen),
		"address to serve on (XREGION_LISTEN). Loopback by default; use 0.0.0.0:4566 to serve other hosts")
	fs.StringVar(&o.cfg.DataDir, "data-dir", env("XREGION_DATA_DIR", server.DefaultDataDir()),
		"directory of the durable store and its root key (XREGION_DATA_DIR)")
	fs.BoolVar(&o.cfg.InMemory, "in-memory", envBool("XREGION_IN_MEMORY"),
		"keep all state in memory and nothing on disk (XREGION_IN_MEMORY)")
	fs.StringVar(&o.cfg.Store, "store", env("XREGION_STORE", ""),
		"postgres://user@host/db: keep all state in PostgreSQL, shared by every node given the same URL and root key (XREGION_STORE); default: a bbolt file under --data-dir")
	fs.StringVar(&o.cfg.NodeID, "node-id", env("XREGION_NODE_ID", ""),
		"this node's name among the nodes sharing a --store, unique among them (XREGION_NODE_ID); default: the host name and a random suffix")
	fs.StringVar(&o.cfg.Account, "account", env("XREGION_ACCOUNT", server.DefaultAccount),
		"account of access keys that name none (XREGION_ACCOUNT); a 12-digit access key id acts in that account")
	fs.StringVar(&o.cfg.Auth, "auth", env("XREGION_AUTH", auth.Permissive),
		"authentication: permissive (any well-formed SigV4 request) or strict (verify signatures) (XREGION_AUTH)")
	fs.StringVar(&o.cfg.Credentials, "credentials", env("XREGION_CREDENTIALS", ""),
		"access keys as AKID:SECRET[:ACCOUNT], comma-separated (XREGION_CREDENTIALS); prefer the variable or --credentials-file: "+
			"the command line is visible to every user (ps)")
	fs.StringVar(&o.cfg.CredentialsFile, "credentials-file", env("XREGION_CREDENTIALS_FILE", ""),
		"access keys in the AWS shared credentials file format; aws_account_id names a key's account (XREGION_CREDENTIALS_FILE)")
	fs.StringVar(&o.cfg.AdminToken, "admin-token", env("XREGION_ADMIN_TOKEN", ""),
		"bearer token the admin API (/_xregion/) requires; empty means none (XREGION_ADMIN_TOKEN); prefer the variable or "+
			"--admin-token-file: the command line is visible to every user (ps)")
	fs.StringVar(&o.adminTokenFile, "admin-token-file", env("XREGION_ADMIN_TOKEN_FILE", ""),
		"file holding the admin API's bearer token (XREGION_ADMIN_TOKEN_FILE)")
	fs.StringVar(&o.cfg.OIDCKeys, "oidc-jwks", env("XREGION_OIDC_JWKS", ""),
		"JSON Web Key Set file, or directory of *.json files, holding the signing keys of OpenID Connect identity providers, "+
			`each with "issuer": "https://..." beside "keys"; strict mode verifies AssumeRoleWithWebIdentity tokens with them (XREGION_OIDC_JWKS)`)
	fs.Func("allowed-hosts", "Host names (comma-separated; *.example.com for a domain) that requests may name besides localhost "+
		"and IP addresses, for a shared deployment reached by name; with it, every connection is checked (XREGION_ALLOWED_HOSTS)",
		func(v string) error { o.cfg.AllowedHosts = splitList(v); return nil })
	fs.BoolVar(&o.cfg.RealEngines, "real-engines", envBool("XREGION_REAL_ENGINES"),
		"run every RDS PostgreSQL DB instance as a real PostgreSQL server, with real backups, replication and restores; needs "+
			"PostgreSQL's server programs (Debian's postgresql package) (XREGION_REAL_ENGINES)")
	fs.StringVar(&o.cfg.PostgresBin, "postgres-bin", env("XREGION_POSTGRES_BIN", ""),
		"directory of PostgreSQL's programs (postgres, initdb, pg_basebackup) for --real-engines; default: search "+
			"/usr/lib/postgresql/*/bin and PATH (XREGION_POSTGRES_BIN)")
	fs.DurationVar(&o.cfg.TransitionDelay, "transition-delay", delay,
		"how long each asynchronous transition takes (InProgress -> InSync, creating -> available, ...); 0 = as fast as possible (XREGION_TRANSITION_DELAY)")
	fs.StringVar(&o.logLevel, "log-level", env("XREGION_LOG_LEVEL", "info"),
		"debug, info, warn or error (XREGION_LOG_LEVEL); info logs one line per request")
	fs.BoolVar(&o.logJSON, "log-json", envBool("XREGION_LOG_JSON"), "log JSON lines instead of text (XREGION_LOG_JSON)")
	fs.StringVar(&o.pprofListen, "pprof-listen", env("XREGION_PPROF_LISTEN", ""),
		"serve Go's profiler (net/http/pprof) on this separate address, e.g. 127.0.0.1:6060; empty means off (XREGION_PPROF_LISTEN)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: xregion [flags]\n       xregion [admin] COMMAND ... (health, clock, jobs, fault, faults, reset, metrics: xregion admin --help)\n\n"+
			"Serves Secrets Manager, KMS, RDS, DynamoDB, EC2 (networks, EBS), EFS, AWS Backup, SNS, CloudTrail, STS and IAM\nfor every Region on one endpoint, with a web console at /_xregion/console/.\n"+
			"The root key that encrypts secrets and key material at rest comes from XREGION_ROOT_KEY\n"+
			"(base64, 32 bytes) or from root.key in the data directory, created on first start; with\n"+
			"--store postgres://… it must be given, the same on every node, and is never created.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	o.cfg.AllowedHosts = splitList(os.Getenv("XREGION_ALLOWED_HOSTS"))
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "credentials" || f.Name == "admin-token" {
			o.onCommandLine = append(o.onCommandLine, "--"+f.Name)
		}
	})
	if o.adminTokenFile != "" {
		if o.cfg.AdminToken != "" {
			return nil, errors.New("give the admin token once: --admin-token-file, or --admin-token / XREGION_ADMIN_TOKEN")
		}
		if o.cfg.AdminToken, err = readSecretFile(o.adminTokenFile); err != nil {
			return nil, fmt.Errorf("admin token: %w", err)
		}
	}
	o.cfg.RootKey = os.Getenv("XREGION_ROOT_KEY")
	return o, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func newLogger(level string, asJSON bool, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	if asJSON {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// trimDelay is how long after start trimAfterStart waits.
const trimDelay = 500 * time.Millisecond

// listen binds the endpoint's TCP listener. Multipath TCP, which Go turns on for
// listeners by default, is turned off: deciding whether the kernel offers it costs a probe
// socket on every start (about 0.25 ms of CPU here), and it only serves clients that reach
// the endpoint over several network paths — not a local endpoint's. Plain TCP clients
// were served the same either way.
func listen(addr string) (net.Listener, error) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	return lc.Listen(context.Background(), "tcp", addr)
}

func run(args []string, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintln(os.Stdout, "xregion", version.String())
		return nil
	}
	logger, err := newLogger(o.logLevel, o.logJSON, stderr)
	if err != nil {
		return err
	}
	o.cfg.Logger = logger

	// The listener is bound before the server is built: a client that connects meanwhile
	// waits in the kernel's backlog and is answered as soon as serving starts, instead of
	// being refused and retrying after its own back-off (bench/README.md, start-up).
	ln, err := listen(o.cfg.Listen)
	if err != nil {
		return err
	}
	srv, err := server.New(o.cfg)
	if err != nil {
		ln.Close()
		return err
	}
	if err := srv.Start(); err != nil {
		ln.Close()
		_ = srv.Shutdown(context.Background())
		return err
	}
	logger.Info("xregion ready", "version", version.String(), "endpoint", "http://"+ln.Addr().String(),
		"store", srv.StoreName(), "node", srv.Engine().Node().ID, "auth", o.cfg.Auth, "transitionDelay", o.cfg.TransitionDelay)
	warnSecretsOnCommandLine(logger, o.onCommandLine)
	warnExposure(logger, ln.Addr(), o.cfg)

	if o.pprofListen != "" {
		if err := serveProfiler(o.pprofListen, logger); err != nil {
			_ = srv.Shutdown(context.Background())
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// After the first answers rather than before them: trimming costs a collection and
	// the faults of whatever code runs next, which must not delay the first answer.
	trim := time.AfterFunc(trimDelay, trimAfterStart)
	defer trim.Stop()
	select {
	case err := <-served:
		_ = srv.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests and jobs in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	<-served
	return err
}
