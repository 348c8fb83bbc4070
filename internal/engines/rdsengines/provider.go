// Package rdsengines provides port.DatabaseEngines: it puts the engines (package
// supervisor and its companions) behind the port RDS uses, so that RDS never imports
// them. It keeps, besides the supervisor's directory, the backup stores of every
// instance and snapshot with their wrapped data keys, which server each store belongs
// to, and the replications between Regions.
//
// # Files
//
// Config.Dir (<data-dir>/engines) holds
//
//	lock, records/, servers/     the supervisor's (see package supervisor)
//	backups/<account>/<region>/<kind>/<name>/      a backup store (package backupstore)
//	backups/<account>/<region>/<kind>/<name>.key   its data key, wrapped (JSON, 0600)
//	owners/<server id>.json      the automated backup store of a server
//	replications.json            the stores copied to other Regions, and from where
//	standbys.json                the read replicas' servers, and their Regions
//
// # Time
//
// Servers work in wall time, RDS in xregion's movable clock: every instant crosses the
// port through the clock map (package clockmap), whose rule the README states.
package rdsengines

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/clockmap"
	"github.com/xregion/xregion/internal/engines/supervisor"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// Config configures a Provider.
type Config struct {
	Dir    string       // <data-dir>/engines
	BinDir string       // --postgres-bin; "" searches
	Store  store.Store  // for the clock map, and to reach KMS keys outside requests
	Root   *seal.Sealer // wraps the data keys of stores without a KMS key
	// Unreachable reports whether a Region is cut off by an injected fault: replication
	// to or from it waits.
	Unreachable func(region string) bool
	// Every is how often running servers are flushed into their stores and stores are
	// replicated to other Regions; 0 means supervisor.DefaultFlushEvery.
	Every  time.Duration
	Logger *slog.Logger
	NoSync bool // initdb without fsync: tests only
}

// Provider is the port.DatabaseEngines of a running xregion.
type Provider struct {
	cfg   Config
	sup   *supervisor.Supervisor
	clock *clockmap.Map
	keys  port.KeyRing // wired by the registry (Need) before Start
	tasks *tasks

	mu     sync.Mutex // guards stores, writing and the files stores are opened from
	stores map[string]*backupstore.Store
	// writing counts, per store directory, the snapshots and copies writing into the
	// store: AWS Backup answers its snapshots and copies as ready at once, and a restore
	// from one waits until its data is all there (awaitWriters).
	writing map[string]int

	replMu sync.Mutex // guards replications.json
	// standbyMu guards standbys.json and streaming, whether each standby's stream was
	// last set on or off (replicas.go).
	standbyMu sync.Mutex
	streaming map[string]bool
	stop      chan struct{}
	wg        sync.WaitGroup
}

var _ port.DatabaseEngines = (*Provider)(nil)

// Open finds PostgreSQL and opens the supervisor, which restarts the servers an earlier
// xregion ran. It fails with pgbin.ErrNotFound when PostgreSQL is not installed.
func Open(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Every == 0 {
		cfg.Every = supervisor.DefaultFlushEvery
	}
	if cfg.Unreachable == nil {
		cfg.Unreachable = func(string) bool { return false }
	}
	p := &Provider{cfg: cfg, tasks: newTasks(), stores: map[string]*backupstore.Store{}, writing: map[string]int{},
		streaming: map[string]bool{}, stop: make(chan struct{})}
	cm, err := clockmap.Open(cfg.Store)
	if err != nil {
		return nil, err
	}
	p.clock = cm
	p.tasks.logf = func(op string, err error) { cfg.Logger.Warn("engines: an operation failed", "op", op, "err", err) }
	for _, d := range []string{filepath.Join(cfg.Dir, "backups"), filepath.Join(cfg.Dir, "owners")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("engines: %w", err)
		}
	}
	logf := func(format string, args ...any) { cfg.Logger.Info(fmt.Sprintf(format, args...)) }
	p.sup, err = supervisor.Open(ctx, supervisor.Config{Dir: cfg.Dir, BinDir: cfg.BinDir, FlushEvery: cfg.Every,
		Backups: supervisor.BackupFunc(p.serverStore), NoSync: cfg.NoSync, Logf: logf})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// KeyRing is where the registry puts the KMS key ring (service.Need).
func (p *Provider) KeyRing() *port.KeyRing { return &p.keys }

// Run begins replicating; call it once the ports are wired.
func (p *Provider) Run() {
	p.wg.Add(1)
	go p.replicateLoop()
}

// NoteClock records xregion's clock offset from now on (clockmap.Note); the server calls
// it at start-up and after every move of the clock (jobs.Clock.Watch).
func (p *Provider) NoteClock(offset time.Duration) {
	if err := p.clock.Note(time.Now(), offset); err != nil {
		p.cfg.Logger.Error("engines: recording the clock", "err", err)
	}
}

// ResetClock forgets the clock's history: the admin API's reset put the clock back to
// real time and wiped everything recorded against the old one.
func (p *Provider) ResetClock() {
	if err := p.clock.Reset(); err != nil {
		p.cfg.Logger.Error("engines: resetting the clock map", "err", err)
	}
}

// Versions lists the PostgreSQL versions installed, newest first: what the start-up log
// says runs the servers.
func (p *Provider) Versions() []string {
	var out []string
	for _, in := range p.sup.Installs() {
		out = append(out, in.Version)
	}
	return out
}

// Status is the health view: every server with its port and state.
func (p *Provider) Status() []supervisor.Status { return p.sup.Status() }

// Close stops replicating, lets running operations end (ctx bounds the wait), and stops
// every server.
func (p *Provider) Close(ctx context.Context) error {
	close(p.stop)
	p.tasks.close(ctx)
	p.wg.Wait()
	return p.sup.Close(ctx)
}

// Runs implements port.DatabaseEngines: PostgreSQL instances run for real.
func (p *Provider) Runs(engine string) bool { return engine == "postgres" }

// Endpoint implements port.DatabaseEngines.
func (p *Provider) Endpoint(id string) (port.DBEndpoint, bool) {
	st, err := p.sup.StatusOf(id)
	if err != nil || st.Port == 0 {
		return port.DBEndpoint{}, false
	}
	return port.DBEndpoint{Address: st.Address, Port: st.Port, Version: st.Version}, true
}

// Create implements port.DatabaseEngines.
func (p *Provider) Create(tx kit.Tx, op string, s port.DBServer) (bool, error) {
	if err := p.adopt(tx, s.ID, s.Backups); err != nil {
		return false, err
	}
	return p.tasks.runWith(op, func() func() { return p.writer(serverKey(s.ID)) }, func(ctx context.Context) error {
		_, err := p.sup.Create(ctx, supervisor.CreateSpec{ID: s.ID, EngineVersion: s.EngineVersion,
			MasterUsername: s.MasterUsername, MasterPassword: s.MasterPassword, DBName: s.DBName})
		if errors.Is(err, supervisor.ErrExists) {
			return nil // made before a restart of xregion
		}
		return err
	})
}

// serverKey names a server being made in Provider.writing.
func serverKey(id string) string { return "server/" + id }

// Stop implements port.DatabaseEngines.
func (p *Provider) Stop(op, id string) (bool, error) {
	return p.tasks.run(op, func(ctx context.Context) error { return p.sup.Stop(ctx, id) })
}

// Start implements port.DatabaseEngines.
func (p *Provider) Start(op, id string) (bool, error) {
	return p.tasks.run(op, func(ctx context.Context) error { return p.sup.Start(ctx, id) })
}

// Reboot implements port.DatabaseEngines.
func (p *Provider) Reboot(op, id string) (bool, error) {
	return p.tasks.run(op, func(ctx context.Context) error { return p.sup.Reboot(ctx, id) })
}

// SetPassword implements port.DatabaseEngines.
func (p *Provider) SetPassword(op, id, password string) (bool, error) {
	return p.tasks.run(op, func(ctx context.Context) error { return p.sup.SetMasterPassword(ctx, id, password) })
}

// Delete implements port.DatabaseEngines.
func (p *Provider) Delete(op, id string) (bool, error) {
	return p.tasks.run(op, func(ctx context.Context) error {
		// A server still being made (an instance deleted while creating) is deleted
		// once it exists, not left behind.
		if err := p.awaitWriters(ctx, serverKey(id)); err != nil {
			return err
		}
		err := p.sup.Delete(ctx, id)
		if errors.Is(err, supervisor.ErrNotFound) {
			err = nil // deleted before a restart of xregion
		}
		if err != nil {
			return err
		}
		return errors.Join(p.forgetStandby(id), removeFile(p.ownerPath(id)))
	})
}

// Wipe deletes every server and every backup store: the admin API's reset wiped the
// instances and snapshots they belonged to.
func (p *Provider) Wipe(ctx context.Context) error {
	var errs []error
	for _, st := range p.sup.Status() {
		if err := p.sup.Delete(ctx, st.ID); err != nil && !errors.Is(err, supervisor.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	p.mu.Lock()
	p.stores = map[string]*backupstore.Store{}
	p.mu.Unlock()
	p.replMu.Lock()
	defer p.replMu.Unlock()
	for _, d := range []string{"backups", "owners"} {
		dir := filepath.Join(p.cfg.Dir, d)
		errs = append(errs, os.RemoveAll(dir), os.MkdirAll(dir, 0o700))
	}
	errs = append(errs, removeFile(p.replicationsPath()), p.forgetStandbys())
	p.ResetClock()
	return errors.Join(errs...)
}
