package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
)

// fault runs "fault add|region|clear|list".
func (c *adminCLI) fault(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: xregion fault add|region|clear|list [flags] (xregion fault add --help)")
	}
	switch args[0] {
	case "add":
		return c.addFault(args[1:], "")
	case "region":
		// "fault region us-east-1 --outage api", the spelling of add --region.
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return errors.New("usage: xregion fault region REGION [flags]")
		}
		return c.addFault(args[2:], args[1])
	case "clear":
		return c.clearFaults(args[1:])
	case "list":
		return c.listFaults(args[1:])
	}
	return fmt.Errorf("unknown fault command %q: add, region, clear or list", args[0])
}

func (c *adminCLI) addFault(args []string, region string) error {
	fs := c.flagSet("fault add")
	var req struct {
		faults.Fault
		For string `json:"for,omitempty"`
	}
	var latency time.Duration
	faultFlags(fs, &req.Fault, &latency, &req.For)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if region != "" {
		req.Region = region
	}
	req.Latency = faults.Duration(latency)
	answer, err := c.call(http.MethodPost, "faults", req)
	if err != nil {
		return err
	}
	return c.printFaults(answer)
}

func (c *adminCLI) clearFaults(args []string) error {
	fs := c.flagSet("fault clear")
	q := url.Values{}
	for _, name := range []string{"region", "service", "operation"} {
		fs.Func(name, "clear the faults of this "+name, func(v string) error { q.Set(name, v); return nil })
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := "faults"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	answer, err := c.call(http.MethodDelete, path, struct{}{})
	if err != nil {
		return err
	}
	return c.printFaults(answer)
}

func (c *adminCLI) listFaults(args []string) error {
	answer, err := c.fetch("faults", args)
	if err != nil {
		return err
	}
	return c.printFaults(answer)
}

func (c *adminCLI) printFaults(answer []byte) error {
	var l struct{ Faults []faults.Fault }
	return c.show(answer, &l, func() { c.faultTable(l.Faults) })
}

func (c *adminCLI) faultTable(fs []faults.Fault) {
	if len(fs) == 0 {
		fmt.Fprintln(c.out, "no faults in force")
		return
	}
	w := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "REGION\tSERVICE\tOPERATION\tEFFECT\tSINCE\tEXPIRES")
	for _, f := range fs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", or(f.Region, "*"), or(f.Service, "*"), or(f.Operation, "*"),
			effects(f), stamp(f.Since), or(stamp(f.Expires), "never"))
	}
	w.Flush()
}

// effects says what a fault does, in words.
func effects(f faults.Fault) string {
	var out []string
	if f.Outage != "" {
		out = append(out, fmt.Sprintf("outage %s (%s)", f.Outage, or(f.Mode, faults.ModeUnavailable)))
	}
	if f.Unreachable {
		out = append(out, "unreachable for cross-Region work")
	}
	if f.Latency > 0 {
		out = append(out, "latency +"+time.Duration(f.Latency).String())
	}
	if f.ThrottleRate > 0 {
		out = append(out, "throttle "+strconv.FormatFloat(f.ThrottleRate*100, 'f', -1, 64)+"%")
	}
	return strings.Join(out, ", ")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

func (c *adminCLI) health(args []string) error {
	answer, err := c.fetch("health", args)
	if err != nil {
		return err
	}
	var h struct {
		Status, Version, Uptime, Auth string
		Services, Regions             []string
		Store                         struct {
			Kind, Path, Problem string
			Keys                int
			SizeBytes           int64
		}
		Clock  clockAnswer
		Faults []faults.Fault
		Node   jobs.NodeReport
	}
	return c.show(answer, &h, func() {
		w := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
		fmt.Fprintf(w, "status\t%s\nversion\t%s\nuptime\t%s\nauth\t%s\n", h.Status, h.Version, h.Uptime, h.Auth)
		fmt.Fprintf(w, "services\t%s\nregions\t%d\n", strings.Join(h.Services, ", "), len(h.Regions))
		fmt.Fprintf(w, "store\t%s %s (%d keys, %d bytes)\n", h.Store.Kind, h.Store.Path, h.Store.Keys, h.Store.SizeBytes)
		if h.Store.Problem != "" {
			fmt.Fprintf(w, "store problem\t%s\n", h.Store.Problem)
		}
		fmt.Fprintf(w, "clock\t%s\n", h.Clock)
		fmt.Fprintf(w, "node\t%s\n", nodeLine(h.Node))
		if h.Node.Problem != "" {
			fmt.Fprintf(w, "node problem\t%s\n", h.Node.Problem)
		}
		w.Flush()
		fmt.Fprintln(c.out)
		c.faultTable(h.Faults)
	})
}

// nodeLine describes the node in one line: its id, its leases and, when it shares the
// store, its peers.
func nodeLine(n jobs.NodeReport) string {
	line := fmt.Sprintf("%s (%d jobs leased", n.ID, len(n.Leases))
	if !n.Shared {
		return line + ", alone on its store)"
	}
	var peers []string
	for _, p := range n.Peers {
		state := "alive"
		switch {
		case !p.Alive:
			state = "silent"
		case p.Draining:
			state = "draining"
		}
		peers = append(peers, p.ID+" "+state)
	}
	if n.Draining {
		line += ", draining"
	}
	return line + "; peers: " + or(strings.Join(peers, ", "), "none") + ")"
}

func (c *adminCLI) jobs(args []string) error {
	fs := c.flagSet("jobs")
	recentN := fs.Int("recent", 10, "how many finished jobs to list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	answer, err := c.call(http.MethodGet, "jobs", nil)
	if err != nil {
		return err
	}
	var l struct {
		Pending []jobs.Job
		Recent  []jobs.Finished
	}
	return c.show(answer, &l, func() {
		w := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
		fmt.Fprintf(w, "PENDING (%d)\nKIND\tACCOUNT\tREGION\tRUN AT\tATTEMPT\tLAST ERROR\n", len(l.Pending))
		for _, j := range l.Pending {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", j.Kind, j.Account, j.Region, stamp(j.RunAt), j.Attempt, j.LastError)
		}
		fmt.Fprintf(w, "\nRECENT\nKIND\tACCOUNT\tREGION\tFINISHED\tOUTCOME\tERROR\n")
		for i, f := range l.Recent {
			if i == *recentN {
				break
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Job.Kind, f.Job.Account, f.Job.Region, stamp(f.FinishedAt), f.Outcome, f.Error)
		}
		w.Flush()
	})
}
