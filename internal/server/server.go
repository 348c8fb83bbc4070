// Package server assembles xregion: store, sealer, clock, job engine, faults, identity,
// services, gateway and admin API, and runs them behind one HTTP listener.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/admin"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/auth/authport"
	"github.com/xregion/xregion/internal/console"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/gateway"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/metrics"
	"github.com/xregion/xregion/internal/reportfiles"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/webhook"
)

// Config is xregion's configuration; cmd/xregion fills it from flags and XREGION_*
// variables.
type Config struct {
	Listen          string        // host:port; loopback unless told otherwise
	DataDir         string        // where the durable store and root key live
	InMemory        bool          // keep nothing on disk
	Store           string        // a postgres:// URL: state shared by nodes; "" for bbolt or in memory
	NodeID          string        // this node's name among those sharing a store; "" means DefaultNodeID()
	Account         string        // account of unknown access keys in permissive mode
	Auth            string        // auth.Permissive or auth.Strict
	Credentials     string        // static keys, "AKID:SECRET[:ACCOUNT],..."
	CredentialsFile string        // static keys in the AWS shared credentials format
	RootKey         string        // base64 root key; empty means DataDir/root.key
	AdminToken      string        // bearer token for the admin API; empty means none
	AllowedHosts    []string      // Host names served besides localhost and IP addresses
	OIDCKeys        string        // JWKS file or directory of the identity providers' signing keys
	TransitionDelay time.Duration // delay of each asynchronous transition; 0 = at once
	RealEngines     bool          // run RDS PostgreSQL instances as real servers (see engines.go)
	PostgresBin     string        // PostgreSQL's programs; "" searches
	Logger          *slog.Logger
}

// Defaults.
const (
	DefaultListen          = "127.0.0.1:4566"
	DefaultAccount         = "123456789012"
	DefaultTransitionDelay = time.Second
	storeFile              = "xregion.db"
)

// DefaultDataDir is $XDG_DATA_HOME/xregion, else ~/.local/share/xregion.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "xregion")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "xregion")
	}
	return "xregion-data"
}

// Server is a configured xregion.
type Server struct {
	cfg      Config
	store    store.Store
	engine   *jobs.Engine
	services *service.Registry
	gateway  *gateway.Gateway
	webhooks *webhook.Poster
	http     *http.Server
	engines  *realEngines // nil without --real-engines or without PostgreSQL
	meters   *metrics.Metrics
}

// New builds a server without starting anything.
func New(cfg Config) (_ *Server, err error) {
	if cfg, err = withDefaults(cfg); err != nil {
		return nil, err
	}
	st, sealer, err := openStore(&cfg)
	if err != nil {
		return nil, err
	}
	meters := metrics.New()
	s := &Server{cfg: cfg, store: meters.TimedStore(store.Watch(st, cfg.Logger)), meters: meters}
	defer func() {
		if err != nil {
			s.store.Close()
		}
	}()
	keys, err := staticKeys(cfg)
	if err != nil {
		return nil, err
	}
	resolver, err := newResolver(cfg, keys, sealer, s.store)
	if err != nil {
		return nil, err
	}
	clock, err := jobs.NewClock(s.store)
	if err != nil {
		return nil, err
	}
	faultRegistry, err := faults.Load(s.store, faults.WithClock(clock.Now))
	if err != nil {
		return nil, err
	}
	s.engine = jobs.New(jobs.Config{Store: s.store, Clock: clock, TransitionDelay: cfg.TransitionDelay, Logger: cfg.Logger,
		Observe: meters.Job, Node: cfg.NodeID, Shared: cfg.Store != "", OnPoll: reloadFaults(faultRegistry, cfg.Logger),
		OnRemoteReset: func() { s.resetServices() }})
	ports := serverPorts(cfg, resolver)
	s.webhooks = newWebhooks(cfg.Listen, ports)
	if s.engines, err = openEngines(cfg, s.store, sealer, clock, faultRegistry, ports); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.engines.close(context.Background())
		}
	}()
	s.services, err = service.Build(service.Deps{
		Deps:  kit.Deps{Store: s.store, Jobs: s.engine, Clock: clock, Faults: faultRegistry, Sealer: sealer, Logger: cfg.Logger},
		Auth:  resolver,
		Ports: ports,
	})
	if err != nil {
		return nil, err
	}
	meters.Watch(metrics.Sources{Jobs: s.engine, Store: s.store, Faults: faultRegistry})
	s.buildFront(resolver, keys, clock, faultRegistry, meters)
	return s, nil
}

// withDefaults fills in what the configuration leaves out and checks what it says.
func withDefaults(cfg Config) (Config, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Account == "" {
		cfg.Account = DefaultAccount
	}
	if cfg.Auth == "" {
		cfg.Auth = auth.Permissive
	}
	if cfg.NodeID == "" {
		cfg.NodeID = DefaultNodeID()
	}
	if !auth.IsAccountID(cfg.Account) {
		return cfg, fmt.Errorf("account %q is not a 12-digit AWS account id", cfg.Account)
	}
	return cfg, checkEnginesConfig(cfg)
}

// openStore opens the store the configuration names — PostgreSQL, memory, or the bbolt
// file in the data directory (which it defaults) — with the sealer of its root key.
func openStore(cfg *Config) (store.Store, *seal.Sealer, error) {
	switch {
	case cfg.Store != "":
		return openShared(*cfg)
	case cfg.InMemory:
		if cfg.RootKey == "" {
			return memory.New(), seal.Ephemeral(), nil
		}
		sealer, err := seal.Load("", cfg.RootKey)
		if err != nil {
			return nil, nil, err
		}
		return memory.New(), sealer, nil
	}
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir()
	}
	return openDurable(*cfg)
}

// newResolver is the authentication of requests: static keys, the store's IAM users and
// roles, and the web identity providers' keys when configured.
func newResolver(cfg Config, keys []auth.Identity, sealer *seal.Sealer, st store.Store) (*auth.Resolver, error) {
	var webKeys *auth.WebIdentityKeys
	if cfg.OIDCKeys != "" {
		var err error
		if webKeys, err = auth.LoadWebIdentityKeys(cfg.OIDCKeys); err != nil {
			return nil, err
		}
	}
	return auth.NewResolver(auth.Config{Mode: cfg.Auth, DefaultAccount: cfg.Account, Static: keys, Sealer: sealer, Store: st,
		WebIdentityKeys: webKeys})
}

// serverPorts are the ports the server itself provides to services: credentials,
// presigned URLs and report files.
func serverPorts(cfg Config, resolver *auth.Resolver) *service.Ports {
	ports := service.NewPorts()
	service.Provide[port.Credentials](ports, authport.Credentials(resolver))
	reportDir := cfg.DataDir
	if cfg.InMemory {
		reportDir = "" // nothing on disk: reports are kept in memory too
	}
	service.Provide[port.Reports](ports, reportfiles.New(reportDir))
	service.Provide[port.PresignedURLs](ports, authport.PresignedURLs(resolver))
	return ports
}

// buildFront builds what answers requests once the services are built: the admin API,
// the console, the gateway in front of them all, and the HTTP server.
func (s *Server) buildFront(resolver *auth.Resolver, keys []auth.Identity, clock *jobs.Clock, faultRegistry *faults.Registry, meters *metrics.Metrics) {
	cfg := s.cfg
	var gwServices []gateway.Service
	for _, name := range s.services.Names() {
		svc, _ := s.services.Get(name)
		gwServices = append(gwServices, lazyService(name, svc))
	}
	adminHandler := admin.Handler(admin.Config{
		Store: s.store, Jobs: s.engine, Faults: faultRegistry, Services: s.services.Names(), AuthMode: cfg.Auth,
		Token: cfg.AdminToken, OnReset: s.resetServices, Logger: cfg.Logger, Started: time.Now(),
		KeepOnReset: []string{rootKeyRecord}, Metrics: meters.Handler(), Engines: s.engines.health,
		Volumes: providerOf[port.VolumeData](s.services), Files: providerOf[port.FileData](s.services), Account: cfg.Account,
	})
	webConsole := console.New(console.Config{
		Services: gwServices, Resolver: resolver, Admin: adminHandler, AdminToken: cfg.AdminToken, Accounts: accountsOf(keys),
		Logger: cfg.Logger,
	})
	s.gateway = gateway.New(gateway.Config{
		Services: gwServices, Resolver: resolver, Now: clock.Now, Admin: adminHandler, Console: webConsole, Logger: cfg.Logger,
		AllowedHosts: cfg.AllowedHosts, LinkPrefix: port.LinkPath, Links: serviceLinks(s.services),
		Faults: faultRegistry, Observer: meters, Trail: s.trail(),
	})
	s.http = &http.Server{
		Handler:           s.gateway,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
}

// lazyService hands svc to the gateway without loading its model, which is parsed on
// the service's first request: start-up then parses none (bench/README.md). A module's
// name is its signing name (service.Module), which TestModulesAreNamedBySigningName
// holds to each model.
func lazyService(name string, svc service.Service) gateway.Service {
	return gateway.Service{Signing: name, Load: sync.OnceValue(func() gateway.Service {
		return gateway.Service{API: svc.Model(), Handlers: svc.Handlers(), Validation: service.ValidationOf(svc)}
	})}
}

func staticKeys(cfg Config) ([]auth.Identity, error) {
	keys, err := auth.ParseKeyList(cfg.Credentials)
	if err != nil {
		return nil, err
	}
	if cfg.CredentialsFile != "" {
		more, err := auth.ParseCredentialsFile(cfg.CredentialsFile)
		if err != nil {
			return nil, err
		}
		keys = append(keys, more...)
	}
	return keys, nil
}

// trail is the service that keeps the audit trail (CloudTrail), if the binary has one.
func (s *Server) trail() port.Trail {
	for _, name := range s.services.Names() {
		svc, _ := s.services.Get(name)
		if t, ok := svc.(port.Trail); ok {
			return t
		}
	}
	return nil
}

// accountsOf lists the accounts of the configured keys, for the console's account choice.
func accountsOf(keys []auth.Identity) []string {
	var accounts []string
	for _, k := range keys {
		accounts = append(accounts, k.Account)
	}
	return accounts
}

// providerOf returns the served service that provides the port T, for the core's own
// APIs (the admin API reaches EBS data this way); the zero T when none does.
func providerOf[T any](reg *service.Registry) T {
	for _, name := range reg.Names() {
		if svc, ok := reg.Get(name); ok {
			if p, ok := svc.(T); ok {
				return p
			}
		}
	}
	var zero T
	return zero
}

func (s *Server) resetServices() {
	s.engines.wipe()
	for _, name := range s.services.Names() {
		if svc, ok := s.services.Get(name); ok {
			if r, ok := svc.(service.Resetter); ok {
				r.Reset()
			}
		}
	}
}

// Handler is the HTTP handler of the endpoint (AWS APIs and admin API).
func (s *Server) Handler() http.Handler { return s.gateway }

// Engine is the job engine, for tests that move the clock directly.
func (s *Server) Engine() *jobs.Engine { return s.engine }

// Store is the server's store, for tests that inspect it.
func (s *Server) Store() store.Store { return s.store }

// DataDir is where the durable store lives ("" in memory).
func (s *Server) DataDir() string {
	if s.cfg.InMemory {
		return ""
	}
	return s.cfg.DataDir
}

// Start starts the job engine, which resumes the jobs a previous run left pending.
func (s *Server) Start() error {
	if err := s.engine.Start(); err != nil {
		return err
	}
	s.engines.run()
	return nil
}

// Serve answers requests on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.webhooks.SetEndpoint(webhook.ListenerURL(l.Addr().String()))
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops taking requests, lets those in flight finish, lets services write what
// they hold in memory, stops the job engine (waiting for running jobs), lets the
// webhooks in flight end and closes the store. Request bodies that stall are cut off
// within a second (gateway.Drain), and connections still busy when ctx ends are closed:
// neither is a failure of the shutdown, which reports only what could leave state behind
// (a service or the store that failed to stop).
func (s *Server) Shutdown(ctx context.Context) error {
	// First stop taking jobs, so that the requests finishing below are the node's last
	// work and, on a shared store, the other nodes run what waits.
	s.engine.Drain()
	s.gateway.Drain()
	if err := s.http.Shutdown(ctx); err != nil {
		s.cfg.Logger.Warn("shutdown: closing connections whose requests did not finish in time", "err", err)
		_ = s.http.Close()
	}
	var errs []error
	for _, name := range s.services.Names() {
		if svc, ok := s.services.Get(name); ok {
			if st, ok := svc.(service.Stopper); ok {
				errs = append(errs, st.Stop(ctx))
			}
		}
	}
	errs = append(errs, s.engine.Stop(ctx), s.webhooks.Stop(ctx))
	// The servers stop after the jobs that drive them, and before the store closes.
	errs = append(errs, s.engines.close(ctx))
	return errors.Join(append(errs, s.store.Close())...)
}
