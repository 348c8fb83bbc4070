package rds

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// runInstanceStep takes an instance from a transitional status to the next one. A job
// whose Seq is not the instance's is stale: a later request has moved the instance on.
func (s *Service) runInstanceStep(tx kit.Tx, p stepPayload) error {
	v := tx.In(p.Account, p.Region)
	inst, err := instanceByResourceID(v, p.ID)
	if err != nil || inst == nil || inst.Seq != p.Seq {
		return err
	}
	if wait, err := s.engineStep(tx, v, inst, p); wait || err != nil {
		return err
	}
	now := s.Clock.Now()
	switch inst.Status {
	case statusCreating:
		if inst.Created.IsZero() {
			inst.Created = now
		}
		if inst.Retention > 0 {
			// RDS takes the first automated backup before the instance is available.
			inst.Status = statusBackingUp
			if err := recordEvent(v, now, evBackupStarted, inst.ID); err != nil {
				return err
			}
			return s.step(tx, v, inst)
		}
		if err := s.announce(tx, v, inst, now, evInstanceCreated); err != nil || inst.ReplicaOf == nil {
			return err
		}
		// A read replica replicates from the moment it is available (RDS-EVENT-0046).
		return recordEvent(v, now, evReplicationResumed, inst.ID)
	case statusBackingUp:
		if err := s.firstBackup(tx, v, inst, now); err != nil {
			return err
		}
		if err := recordEvent(v, now, evBackupFinished, inst.ID); err != nil {
			return err
		}
		return s.announce(tx, v, inst, now, evInstanceCreated)
	case statusModifying, statusResetting, statusRenaming:
		return s.finishModify(tx, v, inst, now)
	case statusRebooting:
		return s.announce(tx, v, inst, now, evInstanceRestarted)
	case statusStarting:
		if err := recordEvent(v, now, evInstanceStarted, inst.ID); err != nil {
			return err
		}
		// Logs are shipped again once the instance is up, not when the start was asked.
		// becomeAvailable gives the closed gap to the instance's own automated backup.
		resumeLogs(inst, now)
		if err := s.becomeAvailable(tx, v, inst, now); err != nil {
			return err
		}
		return shareLogGaps(tx, v, inst)
	case statusStopping:
		if err := recordEvent(v, now, evInstanceStopped, inst.ID); err != nil {
			return err
		}
		return s.finishStop(tx, v, inst, now)
	case statusDeleting:
		if err := recordEvent(v, now, evInstanceDeleted, inst.ID); err != nil {
			return err
		}
		return s.finishDelete(tx, v, inst, now)
	}
	return nil
}

// announce records an event about inst and makes it available.
func (s *Service) announce(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time, def eventDef) error {
	if err := recordEvent(v, now, def, inst.ID); err != nil {
		return err
	}
	return s.becomeAvailable(tx, v, inst, now)
}

// becomeAvailable makes inst available and arms what an available instance needs: its
// daily backup and, if changes wait for it, its maintenance window.
func (s *Service) becomeAvailable(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	inst.Status = statusAvailable
	if inst.Retention > 0 && !inst.BackupStart.IsZero() && !inst.NextBackup.After(now) {
		if err := scheduleDailyBackup(tx, v, inst, now); err != nil {
			return err
		}
	}
	if !inst.Pending.empty() && !inst.NextMaint.After(now) {
		if err := scheduleMaintenance(tx, v, inst, now); err != nil {
			return err
		}
	}
	if err := putInstance(v, inst); err != nil {
		return err
	}
	return syncOwnBackup(v, inst)
}

// finishStop stops inst: its logs stop, and it starts again by itself after seven days.
func (s *Service) finishStop(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	inst.Status = statusStopped
	inst.AutoStart = now.Add(autoStartAfter)
	stopLogs(inst, now)
	if err := putInstance(v, inst); err != nil {
		return err
	}
	if err := syncOwnBackup(v, inst); err != nil {
		return err
	}
	if err := shareLogGaps(tx, v, inst); err != nil {
		return err
	}
	return arm(tx, jobAutoStart, v, inst.ResourceID, inst.AutoStart)
}

func scheduleMaintenance(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	w, err := parseWeeklyWindow(inst.MaintWindow)
	if err != nil {
		return err
	}
	inst.NextMaint = nextWeekly(now, w)
	return arm(tx, jobMaintenance, v, inst.ResourceID, inst.NextMaint)
}

// runMaintenance applies the modifications that waited for the maintenance window.
func (s *Service) runMaintenance(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	inst, err := instanceByResourceID(v, p.ID)
	if err != nil || inst == nil || !inst.NextMaint.Equal(p.At) {
		return err
	}
	now := s.Clock.Now()
	inst.NextMaint = time.Time{}
	if inst.Pending.empty() {
		return putInstance(v, inst)
	}
	if inst.Status != statusAvailable {
		// A stopped or busy instance keeps its pending changes for the next window.
		if err := scheduleMaintenance(tx, v, inst, now); err != nil {
			return err
		}
		return putInstance(v, inst)
	}
	inst.Applying, inst.Pending = inst.Pending, nil
	inst.Status = statusModifying
	return s.step(tx, v, inst)
}

func (s *Service) runAutoStart(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	inst, err := instanceByResourceID(v, p.ID)
	if err != nil || inst == nil || inst.Status != statusStopped || !inst.AutoStart.Equal(p.At) {
		return err
	}
	inst.AutoStart = time.Time{}
	inst.Status = statusStarting
	return s.step(tx, v, inst)
}

// finishDelete removes an instance whose deletion has run its course. Its automated
// backup is deleted or retained as DeleteDBInstance asked; replications of it stop and
// leave their replicated backups retained.
func (s *Service) finishDelete(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	b, err := backups.Get(v, inst.ResourceID)
	if err != nil {
		return err
	}
	if b != nil {
		if inst.DeleteBackups || b.Start.IsZero() {
			if err := s.dropBackup(tx, v, b); err != nil {
				return err
			}
		} else {
			refreshBackup(v, b, inst)
			b.Replications = nil
			// A stopped instance deleted keeps the window it had when it stopped.
			if err := retain(tx, v, b, logsUntil(now, b.Start, b.LogGaps), now); err != nil {
				return err
			}
		}
	}
	if err := s.releaseReplicas(tx, v, inst, now); err != nil {
		return err
	}
	if err := unlinkReplica(tx, v, inst); err != nil {
		return err
	}
	for _, ref := range inst.Replications {
		if err := s.retainReplica(tx, tx.In(v.Account(), ref.Region), v.Region(), inst.ResourceID, now); err != nil {
			return err
		}
	}
	if err := addCount(v, countInstance, -1); err != nil {
		return err
	}
	if err := addCount(v, countStorage, -inst.AllocatedStorage); err != nil {
		return err
	}
	if err := s.retireInstanceGrant(tx, v, inst); err != nil {
		return err
	}
	return deleteInstance(v, inst)
}
