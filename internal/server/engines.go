package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/xregion/xregion/internal/engines/pgbin"
	"github.com/xregion/xregion/internal/engines/rdsengines"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// realEngines is the --real-engines part of a server: the provider of
// port.DatabaseEngines, and where its files live. A nil *realEngines is a server without
// them; every method accepts it.
type realEngines struct {
	provider *rdsengines.Provider
	tempDir  string // in memory: the engines' directory, removed at shutdown
}

// enginesDir is where the engines keep their servers and backups: <data-dir>/engines.
// When xregion runs as root the servers run as an unprivileged user, who must pass
// through the data directory to reach them: the data directory is then searchable by
// others (0711: enter, not list — see privateDir) and holds nothing they can read (the
// store and the root key are 0600, the engines' records and backups 0700). In memory,
// the engines get a temporary directory of their own, removed at shutdown.
func enginesDir(cfg Config) (dir, temp string, err error) {
	if !cfg.InMemory {
		return filepath.Join(cfg.DataDir, "engines"), "", nil
	}
	temp, err = os.MkdirTemp("", "xregion-engines-")
	if err == nil {
		err = os.Chmod(temp, 0o711)
	}
	return temp, temp, err
}

// enginesNeedSearchableDataDir reports whether the data directory must let the servers'
// user through.
func enginesNeedSearchableDataDir(cfg Config) bool {
	return cfg.RealEngines && os.Geteuid() == 0
}

// checkEnginesConfig refuses what the real engines cannot do, before anything is opened.
func checkEnginesConfig(cfg Config) error {
	if cfg.RealEngines && cfg.Store != "" {
		return errors.New("--real-engines keeps its servers on this node's disk, and cannot be combined with a shared --store")
	}
	return nil
}

// openEngines starts the real database engines when asked, and provides them to RDS.
// Without PostgreSQL installed it logs one line and returns nil: RDS keeps its
// metadata-only instances.
func openEngines(cfg Config, st store.Store, root *seal.Sealer, clock *jobs.Clock, fr *faults.Registry, ports *service.Ports) (*realEngines, error) {
	if !cfg.RealEngines {
		return nil, nil
	}
	dir, temp, err := enginesDir(cfg)
	if err != nil {
		return nil, fmt.Errorf("engines: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := rdsengines.Open(ctx, rdsengines.Config{Dir: dir, BinDir: cfg.PostgresBin, Store: st, Root: root,
		Unreachable: fr.Unreachable, Logger: cfg.Logger})
	if errors.Is(err, pgbin.ErrNotFound) {
		cfg.Logger.Warn("--real-engines: PostgreSQL is not installed, so RDS instances keep no data (install Debian's "+
			"postgresql package, or give its bin directory with --postgres-bin)", "err", err)
		removeTemp(temp)
		return nil, nil
	}
	if err != nil {
		removeTemp(temp)
		return nil, fmt.Errorf("--real-engines: %w", err)
	}
	cfg.Logger.Info("real engines: RDS PostgreSQL instances run as PostgreSQL servers", "versions", p.Versions(), "dir", dir)
	p.NoteClock(clock.Offset())
	clock.Watch(p.NoteClock)
	service.Provide[port.DatabaseEngines](ports, p)
	service.Need(ports, p.KeyRing())
	return &realEngines{provider: p, tempDir: temp}, nil
}

func removeTemp(dir string) {
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

// run starts what needs the wired ports: replication.
func (e *realEngines) run() {
	if e != nil {
		e.provider.Run()
	}
}

// health lists the servers for the admin API's health view.
func (e *realEngines) health() any {
	if e == nil {
		return nil
	}
	return e.provider.Status()
}

// wipe deletes every server and backup: the admin API reset everything.
func (e *realEngines) wipe() {
	if e == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = e.provider.Wipe(ctx)
}

// close stops every server.
func (e *realEngines) close(ctx context.Context) error {
	if e == nil {
		return nil
	}
	err := e.provider.Close(ctx)
	removeTemp(e.tempDir)
	return err
}
