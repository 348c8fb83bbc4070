// Command loadgen drives a running xregion with real clients and reports, per scenario,
// one JSON line: requests per second, p50/p99 latency, errors, server CPU per request,
// and the same load against a reference server (a bare net/http server answering a fixed
// body) measured in the same run, so that figures read as a share of the machine's ceiling.
//
//	go build -o /tmp/xregion ./cmd/xregion
//	go run ./bench/loadgen -binary /tmp/xregion -scenario all
//
// Scenarios: get (GetSecretValue over -secrets secrets), create (CreateSecret),
// replicate-latency (CreateSecret + ReplicateSecretToRegions to two Regions, time until
// InSync and readable everywhere), mixed (90% GetSecretValue / 10% PutSecretValue on
// replicated secrets, with the write-to-replica lag and a lost-write check), kms
// (Encrypt/Decrypt), rss (memory after creating -secrets secrets). -mode raw sends
// requests signed before the clock starts, so the server's cost is measured, not the
// client's signing; -mode sdk uses aws-sdk-go-v2 clients. Every loop is bounded by
// -duration and -max-requests; everything runs on loopback.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/store/postgres/pgtest"
)

type scenarioFunc func(context.Context, *env) (result, error)

var scenarios = []struct {
	name string
	run  scenarioFunc
	// compare: also run against the reference server and, with -moto, moto.
	compare bool
}{
	{"get", scenarioGet, true},
	{"create", scenarioCreate, false},
	{"kms", scenarioKMS, false},
	{"replicate-latency", scenarioReplicateLatency, false},
	{"mixed", scenarioMixed, false},
	{"rss", scenarioRSS, false},
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-reference-server" {
		if err := serveReference(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	binary := fs.String("binary", "", "xregion binary to start (one fresh server per scenario)")
	scenario := fs.String("scenario", "all", "scenario to run, or all: "+names())
	mode := fs.String("mode", "raw", "raw (pre-signed HTTP requests) or sdk (aws-sdk-go-v2 clients)")
	durable := fs.Bool("durable", false, "run xregion with its durable store on a fresh data directory instead of in memory")
	nodes := fs.Int("nodes", 0, "run a shared deployment instead: this many xregion nodes on a throwaway PostgreSQL (its server binaries, as the tests find them), requests spread over the nodes")
	concurrency := fs.Int("concurrency", 16, "concurrent workers")
	duration := fs.Duration("duration", 10*time.Second, "how long each measured loop runs at most")
	maxRequests := fs.Int("max-requests", 2_000_000, "how many requests each measured loop makes at most")
	secrets := fs.Int("secrets", 100, "secrets the get scenario reads")
	rssSecrets := fs.Int("rss-secrets", 10000, "secrets the rss scenario creates")
	moto := fs.Bool("moto", false, "also run the comparable scenarios against moto_server, if installed")
	serverArgs := fs.String("server-args", "", "more flags for xregion, space-separated (e.g. \"--pprof-listen 127.0.0.1:6060\")")
	failOnErrors := fs.Bool("fail-on-errors", false, "exit non-zero if any scenario reports errors or lost writes (for CI)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *binary == "" {
		return fmt.Errorf("-binary is required")
	}
	start := func() (*target, error) { return startXregion(*binary, *durable, strings.Fields(*serverArgs)...) }
	if *nodes > 0 {
		pg, err := pgtest.Start()
		if err != nil {
			return err
		}
		defer pg.Stop()
		start = func() (*target, error) { return startShared(*binary, pg, *nodes, strings.Fields(*serverArgs)...) }
	}
	failed := false
	for _, sc := range scenarios {
		if *scenario != "all" && *scenario != sc.name {
			continue
		}
		e := &env{mode: *mode, concurrency: *concurrency, duration: *duration, maxRequests: *maxRequests, secrets: *secrets, rssSecrets: *rssSecrets}
		res, err := runOn(sc.run, e, start)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		if sc.compare {
			ref, err := runOn(sc.run, e, startReference)
			if err != nil {
				return fmt.Errorf("%s on the reference server: %w", sc.name, err)
			}
			res.RefRPS, res.RefCPUPerReqUs = ref.RPS, ref.CPUPerReqUs
			if ref.RPS > 0 {
				res.RefRatio = res.RPS / ref.RPS
			}
		}
		report(res)
		failed = failed || res.Errors > 0 || (res.LostWrites != nil && *res.LostWrites > 0)
		if sc.compare && *moto {
			m, err := runOn(sc.run, e, startMoto)
			if err != nil {
				fmt.Fprintf(os.Stderr, "loadgen: %s on moto: %v\n", sc.name, err)
				continue
			}
			report(m)
		}
	}
	if failed && *failOnErrors {
		return fmt.Errorf("errors were reported")
	}
	return nil
}

func runOn(fn scenarioFunc, e *env, start func() (*target, error)) (result, error) {
	t, err := start()
	if err != nil {
		return result{}, err
	}
	defer t.stop()
	run := &env{mode: e.mode, concurrency: e.concurrency, duration: e.duration, maxRequests: e.maxRequests,
		secrets: e.secrets, rssSecrets: e.rssSecrets, target: t, runID: ids.Lower(6)}
	return fn(context.Background(), run)
}

func report(r result) {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func names() string {
	var n []string
	for _, s := range scenarios {
		n = append(n, s.name)
	}
	return strings.Join(n, ", ")
}
