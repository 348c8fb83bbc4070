package rdsengines

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/postgres"
	"github.com/xregion/xregion/internal/engines/supervisor"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Restore implements port.DatabaseEngines. A point in time of xregion's clock becomes
// the wall instant at which the clock showed it (clockmap.ToWall): the server replays
// exactly the transactions committed by then.
func (p *Provider) Restore(tx kit.Tx, op string, r port.DBRestore) (bool, error) {
	from, err := p.open(&tx, r.From)
	if err != nil {
		return false, err
	}
	if err := p.adopt(tx, r.ID, r.Backups); err != nil {
		return false, err
	}
	return p.tasks.runWith(op, func() func() { return p.writer(serverKey(r.ID)) }, func(ctx context.Context) error {
		if err := p.awaitWriters(ctx, from.Dir()); err != nil {
			return err
		}
		spec, err := p.restoreSpec(r, from)
		if err != nil {
			return err
		}
		_, err = p.sup.Restore(ctx, spec)
		if errors.Is(err, supervisor.ErrExists) {
			return nil // restored before a restart of xregion
		}
		return err
	})
}

// restoreSpec says where a restore from the store from stops: a snapshot's store is
// restored to its newest base backup's moment, or, when its window says it holds WAL
// beyond (the snapshot of a stopped instance), to the end of that window.
func (p *Provider) restoreSpec(r port.DBRestore, from *backupstore.Store) (supervisor.RestoreSpec, error) {
	spec := supervisor.RestoreSpec{ID: r.ID, MasterUsername: r.MasterUsername, DBName: r.DBName, From: from}
	w, err := from.Window()
	if err != nil {
		return spec, err
	}
	switch {
	case r.Snapshot && !w.Latest.IsZero():
		spec.Target.Time = w.Latest
	case r.Snapshot:
		bases, err := from.Bases()
		if err != nil || len(bases) == 0 {
			return spec, fmt.Errorf("engines: snapshot %s holds no backup: %w", r.From.Name, errors.Join(err, backupstore.ErrNoBase))
		}
		spec.BaseID, spec.Target = bases[len(bases)-1].ID, postgres.Target{Immediate: true}
	case r.Latest:
		spec.Target.Time = w.Latest
	default:
		spec.Target.Time = p.clock.ToWall(r.Time)
	}
	return spec, nil
}

// Backup implements port.DatabaseEngines.
func (p *Provider) Backup(op, id string) (bool, error) {
	return p.tasks.run(op, func(ctx context.Context) error {
		_, err := p.sup.BaseBackup(ctx, id)
		return err
	})
}

// Snapshot implements port.DatabaseEngines. A stopped server cannot take a base backup:
// its automated backups, which hold everything up to its stop, are copied whole instead.
func (p *Provider) Snapshot(tx kit.Tx, op, id string, dst port.BackupStore) (bool, error) {
	to, err := p.open(&tx, dst)
	if err != nil {
		return false, err
	}
	return p.tasks.runWith(op, func() func() { return p.writer(to.Dir()) }, func(ctx context.Context) error {
		if to.HasBase() {
			// Taken before a restart of xregion: a base backup appears in a snapshot's
			// store last (CopyBackup), or after the window (Copy), so the snapshot is
			// whole — even one cut short by kill -9 among the bases of a stopped server.
			return nil
		}
		from, err := p.serverStore(id)
		if err != nil {
			return err
		}
		base, err := p.sup.BaseBackup(ctx, id)
		if errors.Is(err, supervisor.ErrNotRunning) {
			_, err = backupstore.Copy(ctx, from, to)
			return err
		}
		if err != nil {
			return err
		}
		_, err = backupstore.CopyBackup(ctx, from, base.ID, to)
		return err
	})
}

// CopyBackups implements port.DatabaseEngines.
func (p *Provider) CopyBackups(tx kit.Tx, op string, src, dst port.BackupStore) (bool, error) {
	from, err := p.open(&tx, src)
	if err != nil {
		return false, err
	}
	to, err := p.open(&tx, dst)
	if err != nil {
		return false, err
	}
	return p.tasks.runWith(op, func() func() { return p.writer(to.Dir()) }, func(ctx context.Context) error {
		if err := p.awaitWriters(ctx, from.Dir()); err != nil { // a snapshot still being taken
			return err
		}
		rep, err := backupstore.Copy(ctx, from, to)
		if err == nil {
			p.cfg.Logger.Info("engines: backups copied", "from", src.Region+"/"+src.Name, "to", dst.Region+"/"+dst.Name,
				"objects", len(rep.Copied), "bytes", rep.BytesWritten)
		}
		return err
	})
}

// Window implements port.DatabaseEngines, in xregion's clock. Only stores this process
// has opened answer (all of them, once Start has run): it is asked inside RDS's
// transactions, where no other may be taken.
func (p *Provider) Window(ref port.BackupStore) (port.RestoreWindow, bool) {
	st, ok := p.cached(ref)
	if !ok {
		return port.RestoreWindow{}, false
	}
	w, err := st.Window()
	if err != nil || w.Latest.IsZero() {
		return port.RestoreWindow{}, false
	}
	return port.RestoreWindow{Earliest: p.clock.ToClock(w.Earliest), Latest: p.clock.ToClock(w.Latest)}, true
}

// Prune implements port.DatabaseEngines.
func (p *Provider) Prune(ref port.BackupStore, before time.Time) error {
	st, ok := p.cached(ref)
	if !ok {
		return nil
	}
	_, err := st.Prune(p.clock.ToWall(before))
	return err
}

// DropBackups implements port.DatabaseEngines; replications into the store end with it.
func (p *Provider) DropBackups(ref port.BackupStore) error {
	if err := p.StopReplicating(ref); err != nil {
		return err
	}
	return p.drop(ref)
}
