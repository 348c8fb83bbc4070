package rds

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// runInstanceStep takes an instance from a transitional status to the next one. A job
// whose Seq is not the instance's is stale: a later request has moved the instance on.
func (s *Service) runInstanceStep(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	inst, err := instanceByResourceID(tx, sc, p.ID)
	if err != nil || inst == nil || inst.Seq != p.Seq {
		return err
	}
	if wait, err := s.engineStep(tx, sc, inst, p); wait || err != nil {
		return err
	}
	now := s.clock.Now()
	switch inst.Status {
	case statusCreating:
		if inst.Created.IsZero() {
			inst.Created = now
		}
		if inst.Retention > 0 {
			// RDS takes the first automated backup before the instance is available.
			inst.Status = statusBackingUp
			return s.step(tx, sc, inst)
		}
		return s.becomeAvailable(tx, sc, inst, now)
	case statusBackingUp:
		if err := s.firstBackup(tx, sc, inst, now); err != nil {
			return err
		}
		return s.becomeAvailable(tx, sc, inst, now)
	case statusModifying, statusResetting, statusRenaming:
		return s.finishModify(tx, sc, inst, now)
	case statusRebooting:
		return s.becomeAvailable(tx, sc, inst, now)
	case statusStarting:
		// Logs are shipped again once the instance is up, not when the start was asked.
		// becomeAvailable gives the closed gap to the instance's own automated backup.
		resumeLogs(inst, now)
		if err := s.becomeAvailable(tx, sc, inst, now); err != nil {
			return err
		}
		return s.shareLogGaps(tx, sc, inst)
	case statusStopping:
		inst.Status = statusStopped
		inst.AutoStart = now.Add(autoStartAfter)
		stopLogs(inst, now)
		if err := putInstance(tx, sc, inst); err != nil {
			return err
		}
		if err := s.syncOwnBackup(tx, sc, inst); err != nil {
			return err
		}
		if err := s.shareLogGaps(tx, sc, inst); err != nil {
			return err
		}
		return s.enqueue(tx, jobAutoStart, payload{Account: sc.Account, Region: sc.Region, ID: inst.ResourceID, At: inst.AutoStart}, inst.AutoStart)
	case statusDeleting:
		return s.finishDelete(tx, sc, inst, now)
	}
	return nil
}

// becomeAvailable makes inst available and arms what an available instance needs: its
// daily backup and, if changes wait for it, its maintenance window.
func (s *Service) becomeAvailable(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	inst.Status = statusAvailable
	if inst.Retention > 0 && !inst.BackupStart.IsZero() && !inst.NextBackup.After(now) {
		if err := s.scheduleDailyBackup(tx, sc, inst, now); err != nil {
			return err
		}
	}
	if !inst.Pending.empty() && !inst.NextMaint.After(now) {
		if err := s.scheduleMaintenance(tx, sc, inst, now); err != nil {
			return err
		}
	}
	if err := putInstance(tx, sc, inst); err != nil {
		return err
	}
	return s.syncOwnBackup(tx, sc, inst)
}

func (s *Service) scheduleMaintenance(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	w, err := parseWeeklyWindow(inst.MaintWindow)
	if err != nil {
		return err
	}
	inst.NextMaint = nextWeekly(now, w)
	return s.enqueue(tx, jobMaintenance, payload{Account: sc.Account, Region: sc.Region, ID: inst.ResourceID, At: inst.NextMaint}, inst.NextMaint)
}

// runMaintenance applies the modifications that waited for the maintenance window.
func (s *Service) runMaintenance(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	inst, err := instanceByResourceID(tx, sc, p.ID)
	if err != nil || inst == nil || !inst.NextMaint.Equal(p.At) {
		return err
	}
	now := s.clock.Now()
	inst.NextMaint = time.Time{}
	if inst.Pending.empty() {
		return putInstance(tx, sc, inst)
	}
	if inst.Status != statusAvailable {
		// A stopped or busy instance keeps its pending changes for the next window.
		if err := s.scheduleMaintenance(tx, sc, inst, now); err != nil {
			return err
		}
		return putInstance(tx, sc, inst)
	}
	inst.Applying, inst.Pending = inst.Pending, nil
	inst.Status = statusModifying
	return s.step(tx, sc, inst)
}

func (s *Service) runAutoStart(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	inst, err := instanceByResourceID(tx, sc, p.ID)
	if err != nil || inst == nil || inst.Status != statusStopped || !inst.AutoStart.Equal(p.At) {
		return err
	}
	inst.AutoStart = time.Time{}
	inst.Status = statusStarting
	return s.step(tx, sc, inst)
}

// finishDelete removes an instance whose deletion has run its course. Its automated
// backup is deleted or retained as DeleteDBInstance asked; replications of it stop and
// leave their replicated backups retained.
func (s *Service) finishDelete(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	b, err := getBackup(tx, sc, inst.ResourceID)
	if err != nil {
		return err
	}
	if b != nil {
		if inst.DeleteBackups || b.Start.IsZero() {
			if err := s.dropBackup(tx, sc, b); err != nil {
				return err
			}
		} else {
			s.refreshBackup(sc, b, inst)
			b.Replications = nil
			// A stopped instance deleted keeps the window it had when it stopped.
			if err := s.retain(tx, sc, b, logsUntil(now, b.Start, b.LogGaps), now); err != nil {
				return err
			}
		}
	}
	for _, ref := range inst.Replications {
		if err := s.retainReplica(tx, scopeOf(sc.Account, ref.Region), sc.Region, inst.ResourceID, now); err != nil {
			return err
		}
	}
	if err := addCount(tx, sc, countInstance, -1); err != nil {
		return err
	}
	if err := addCount(tx, sc, countStorage, -inst.AllocatedStorage); err != nil {
		return err
	}
	return deleteInstance(tx, sc, inst)
}
