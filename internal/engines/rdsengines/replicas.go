package rdsengines

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/engines/supervisor"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Read replicas: the supervisor's standbys (supervisor/standby.go), with the Regions of
// each end kept in standbys.json so that a fault on either cuts the stream. The stream
// follows the faults on wall time, every Config.Every, as backup replication does: a
// Region fault is a state of the links now, not an event of xregion's movable clock.

// standby is one read replica's server and where it and its source are.
type standby struct {
	ID           string `json:"id"`
	Region       string `json:"region"`
	SourceRegion string `json:"sourceRegion"`
}

func (p *Provider) standbysPath() string { return filepath.Join(p.cfg.Dir, "standbys.json") }

func (p *Provider) loadStandbys() ([]standby, error) { return loadList[standby](p.standbysPath()) }

// changeStandbys rewrites the list through fn.
func (p *Provider) changeStandbys(fn func([]standby) []standby) error {
	return changeList(&p.standbyMu, p.standbysPath(), fn)
}

// forgetStandby drops id from the list: it was promoted or deleted.
func (p *Provider) forgetStandby(id string) error {
	err := p.changeStandbys(func(list []standby) []standby {
		return slices.DeleteFunc(list, func(s standby) bool { return s.ID == id })
	})
	p.standbyMu.Lock()
	delete(p.streaming, id)
	p.standbyMu.Unlock()
	return err
}

// forgetStandbys drops the whole list: the admin API's reset deleted every server.
func (p *Provider) forgetStandbys() error {
	p.standbyMu.Lock()
	defer p.standbyMu.Unlock()
	clear(p.streaming)
	return removeFile(p.standbysPath())
}

// CreateReplica implements port.DatabaseEngines. The replica's automated backups are
// recorded now (empty until it is promoted and backed up), as a created server's are.
func (p *Provider) CreateReplica(tx kit.Tx, op string, r port.DBReplica) (bool, error) {
	if err := p.adopt(tx, r.ID, r.Backups); err != nil {
		return false, err
	}
	return p.tasks.runWith(op, func() func() { return p.writer(serverKey(r.ID)) }, func(ctx context.Context) error {
		// Listed first: a standby made but not listed would never have its stream cut.
		err := p.changeStandbys(func(list []standby) []standby {
			list = slices.DeleteFunc(list, func(s standby) bool { return s.ID == r.ID })
			return append(list, standby{ID: r.ID, Region: r.Region, SourceRegion: r.SourceRegion})
		})
		if err != nil {
			return err
		}
		_, err = p.sup.CreateStandby(ctx, supervisor.StandbySpec{ID: r.ID, Primary: r.Source})
		if errors.Is(err, supervisor.ErrExists) {
			err = nil // made before a restart of xregion
		}
		if err == nil {
			p.streamOne(ctx, standby{ID: r.ID, Region: r.Region, SourceRegion: r.SourceRegion})
		}
		return err
	})
}

// ReplicaLag implements port.DatabaseEngines. It asks both servers (one short
// connection each): RDS reads it when it describes a replica.
func (p *Provider) ReplicaLag(id string) (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lag, err := p.sup.ReplicaLag(ctx, id)
	if err != nil {
		return 0, false
	}
	return lag, true
}

// PromoteReplica implements port.DatabaseEngines.
func (p *Provider) PromoteReplica(op, id string) (bool, error) {
	return p.tasks.run(op, func(ctx context.Context) error {
		if err := p.sup.Promote(ctx, id); err != nil {
			return err
		}
		return p.forgetStandby(id)
	})
}

// streamOnce gives every standby the stream the faults allow: cut while its Region or
// its source's is unreachable, restored when both are back. A standby is set again
// only when that changes (and once after a restart of xregion); one that is not
// running yet is tried again next round.
func (p *Provider) streamOnce() {
	p.standbyMu.Lock()
	list, err := p.loadStandbys()
	p.standbyMu.Unlock()
	if err != nil {
		p.cfg.Logger.Error("engines: standbys", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, s := range list {
		p.streamOne(ctx, s)
	}
}

func (p *Provider) streamOne(ctx context.Context, s standby) {
	on := !p.cfg.Unreachable(s.Region) && !p.cfg.Unreachable(s.SourceRegion)
	p.standbyMu.Lock()
	was, known := p.streaming[s.ID]
	p.standbyMu.Unlock()
	if known && was == on {
		return
	}
	if err := p.sup.SetStream(ctx, s.ID, on); err != nil {
		if errors.Is(err, supervisor.ErrNotStandby) {
			err = p.forgetStandby(s.ID) // promoted before a restart of xregion
		}
		if err != nil && !errors.Is(err, supervisor.ErrNotFound) {
			p.cfg.Logger.Warn("engines: setting a replica's stream", "replica", s.ID, "streaming", on, "err", err)
		}
		return
	}
	p.standbyMu.Lock()
	p.streaming[s.ID] = on
	p.standbyMu.Unlock()
}
