package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xregion/xregion/internal/faults"
)

// The admin subcommands drive a running server through its admin API (/_xregion/), so
// that a drill needs neither curl nor JSON bodies: `xregion admin fault add --region
// us-east-1 --outage api`, `xregion admin clock advance 24h`. The same commands work
// without the word admin (`xregion jobs`).

// adminCommand is one subcommand: what it takes, and what it does with the rest of the
// command line.
type adminCommand struct {
	args, help string
	run        func(c *adminCLI, args []string) error
}

var adminCommands map[string]adminCommand

// adminOrder is the order of the commands in the usage text.
var adminOrder = []string{"health", "clock", "jobs", "fault", "faults", "reset", "metrics"}

func init() {
	adminCommands = map[string]adminCommand{
		"health":  {"", "the server's health, store, clock and faults", (*adminCLI).health},
		"clock":   {"[advance 24h | set 2030-01-01T00:00:00Z]", "show the engine clock, or move it (due jobs run on the way)", (*adminCLI).clock},
		"jobs":    {"[--recent N]", "pending jobs and the N most recently finished", (*adminCLI).jobs},
		"fault":   {"add|region|clear|list [flags]", "inject, clear and list faults (xregion fault add --help)", (*adminCLI).fault},
		"faults":  {"", "the faults in force", (*adminCLI).listFaults},
		"reset":   {"", "wipe every resource, job and fault, and put the clock back", (*adminCLI).reset},
		"metrics": {"", "the Prometheus metrics, as a scrape sees them", (*adminCLI).metrics},
	}
}

// isAdminCommand reports whether a command line is an admin subcommand.
func isAdminCommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	_, ok := adminCommands[args[0]]
	return ok || args[0] == "admin"
}

// adminCLI is the client of one server's admin API.
type adminCLI struct {
	endpoint  string
	tokenFile string
	token     string
	json      bool
	out       io.Writer
	errOut    io.Writer
	http      *http.Client
}

// commonFlags are accepted before the command and after it.
func (c *adminCLI) commonFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.endpoint, "endpoint", c.endpoint,
		"the server's endpoint (XREGION_ENDPOINT, else AWS_ENDPOINT_URL, else http://127.0.0.1:4566)")
	fs.StringVar(&c.tokenFile, "admin-token-file", c.tokenFile,
		"file holding the admin API's bearer token (XREGION_ADMIN_TOKEN_FILE); XREGION_ADMIN_TOKEN gives it directly")
	fs.BoolVar(&c.json, "json", c.json, "print the admin API's JSON answer instead of text")
}

func (c *adminCLI) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("xregion "+name, flag.ContinueOnError)
	fs.SetOutput(c.errOut)
	c.commonFlags(fs)
	return fs
}

func newAdminCLI(stdout, stderr io.Writer) *adminCLI {
	endpoint := os.Getenv("XREGION_ENDPOINT")
	if endpoint == "" {
		endpoint = os.Getenv("AWS_ENDPOINT_URL") // set already on a game day's shell
	}
	if endpoint == "" {
		endpoint = "http://127.0.0.1:4566"
	}
	return &adminCLI{endpoint: endpoint, tokenFile: os.Getenv("XREGION_ADMIN_TOKEN_FILE"), token: os.Getenv("XREGION_ADMIN_TOKEN"),
		out: stdout, errOut: stderr, http: &http.Client{Timeout: 10 * time.Minute}}
}

// runAdmin runs an admin subcommand ("admin" in front is optional).
func runAdmin(args []string, stdout, stderr io.Writer) error {
	c := newAdminCLI(stdout, stderr)
	if len(args) > 0 && args[0] == "admin" {
		args = args[1:]
	}
	fs := c.flagSet("admin")
	fs.Usage = func() { c.usage(fs) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		c.usage(fs)
		return errors.New("name a command")
	}
	cmd, ok := adminCommands[fs.Arg(0)]
	if !ok {
		c.usage(fs)
		return fmt.Errorf("unknown command %q", fs.Arg(0))
	}
	return cmd.run(c, fs.Args()[1:])
}

func (c *adminCLI) usage(fs *flag.FlagSet) {
	fmt.Fprint(c.errOut, "Usage: xregion [admin] [flags] COMMAND [ARGS]\n\n"+
		"Drives a running xregion through its admin API.\n\nCommands:\n")
	w := tabwriter.NewWriter(c.errOut, 0, 0, 2, ' ', 0)
	for _, name := range adminOrder {
		fmt.Fprintf(w, "  %s %s\t%s\n", name, adminCommands[name].args, adminCommands[name].help)
	}
	w.Flush()
	fmt.Fprint(c.errOut, "\nFlags:\n")
	fs.PrintDefaults()
}

// call sends one admin request and returns the answer's body; an answer other than 200
// is an error with the server's reason.
func (c *adminCLI) call(method, path string, body any) ([]byte, error) {
	token := c.token
	if c.tokenFile != "" {
		var err error
		if token, err = readSecretFile(c.tokenFile); err != nil {
			return nil, fmt.Errorf("admin token: %w", err)
		}
	}
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(c.endpoint, "/")+"/_xregion/"+path, in)
	if err != nil {
		return nil, err
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json") // the admin API's rule for calls that change state
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reaching xregion at %s: %w", c.endpoint, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(out, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(out))
		}
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	return out, nil
}

// show prints a JSON answer as it came with --json, or decodes it into v and prints it
// as text.
func (c *adminCLI) show(answer []byte, v any, text func()) error {
	if c.json {
		_, err := c.out.Write(answer)
		return err
	}
	if err := json.Unmarshal(answer, v); err != nil {
		return fmt.Errorf("reading the admin API's answer: %w", err)
	}
	text()
	return nil
}

// noArgs parses a command's flags and refuses positional arguments.
func (c *adminCLI) noArgs(name string, args []string) error {
	fs := c.flagSet(name)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes no arguments (got %s)", name, strings.Join(fs.Args(), " "))
	}
	return nil
}

func (c *adminCLI) reset(args []string) error {
	if err := c.noArgs("reset", args); err != nil {
		return err
	}
	answer, err := c.call(http.MethodPost, "reset", struct{}{})
	if err != nil {
		return err
	}
	var r struct{ Clock clockAnswer }
	return c.show(answer, &r, func() {
		fmt.Fprintf(c.out, "reset: every resource, job and fault is gone; the clock reads %s\n", r.Clock)
	})
}

// fetch runs a command without arguments that reads the admin endpoint of its name.
func (c *adminCLI) fetch(name string, args []string) ([]byte, error) {
	if err := c.noArgs(name, args); err != nil {
		return nil, err
	}
	return c.call(http.MethodGet, name, nil)
}

func (c *adminCLI) metrics(args []string) error {
	answer, err := c.fetch("metrics", args)
	if err != nil {
		return err
	}
	_, err = c.out.Write(answer) // the exposition format is text already
	return err
}

type clockAnswer struct {
	Now    time.Time
	Offset string
}

func (a clockAnswer) String() string {
	offset := a.Offset
	if d, err := time.ParseDuration(a.Offset); err == nil {
		offset = d.Round(time.Second).String() // the offset is measured against real time, to the nanosecond
	}
	return fmt.Sprintf("%s (offset %s)", a.Now.UTC().Format(time.RFC3339), offset)
}

// clock shows the engine clock, or moves it: "advance 24h" or "set <RFC 3339 time>".
// Jobs that fall due on the way run before it answers.
func (c *adminCLI) clock(args []string) error {
	fs := c.flagSet("clock")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var answer []byte
	var err error
	switch rest := fs.Args(); {
	case len(rest) == 0:
		answer, err = c.call(http.MethodGet, "clock", nil)
	case len(rest) == 2 && rest[0] == "advance":
		answer, err = c.call(http.MethodPost, "clock", map[string]string{"advance": rest[1]})
	case len(rest) == 2 && rest[0] == "set":
		answer, err = c.call(http.MethodPost, "clock", map[string]string{"to": rest[1]})
	default:
		return errors.New("usage: xregion clock [advance DURATION | set RFC3339-TIME]")
	}
	if err != nil {
		return err
	}
	var a clockAnswer
	return c.show(answer, &a, func() { fmt.Fprintf(c.out, "clock: %s\n", a) })
}

// faultFlags binds a fault's flags.
func faultFlags(fs *flag.FlagSet, f *faults.Fault, latency *time.Duration, lasts *string) {
	fs.StringVar(&f.Region, "region", "", "the Region; empty with --service means every Region")
	fs.StringVar(&f.Service, "service", "", "limit the fault to one service (its signing name: secretsmanager, rds, kms, ...)")
	fs.StringVar(&f.Operation, "operation", "", "limit the fault to one operation of --service (GetSecretValue, ...)")
	fs.StringVar(&f.Outage, "outage", "", `"api": every call in scope fails`)
	fs.StringVar(&f.Mode, "mode", "", `how an outage fails calls: "unavailable" (HTTP 503, the default) or "reset" (the connection is reset)`)
	fs.BoolVar(&f.Unreachable, "unreachable", false, "cut the Region off for cross-Region work (its API keeps answering)")
	fs.DurationVar(latency, "latency", 0, "latency added to every call in scope (250ms, 2s)")
	fs.Float64Var(&f.ThrottleRate, "throttle", 0, "share of calls in scope (0 to 1) answered with the protocol's throttling error")
	fs.StringVar(lasts, "for", "", "end the fault after this long on the engine clock (30m, 2h)")
}
