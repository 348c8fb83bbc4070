package rds

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// changeInstance runs fn on an existing instance in one transaction and answers with
// the instance as fn left it.
func (s *Service) changeInstance(ctx context.Context, ident *string, fn func(tx store.Tx, sc store.Scope, inst *instanceRec) error) (*rdsapi.DBInstance, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	var out rdsapi.DBInstance
	err := s.st.Update(func(tx store.Tx) error {
		inst, err := getInstance(tx, sc, strings.ToLower(deref(ident)))
		if err != nil {
			return err
		}
		if inst == nil {
			return instanceNotFound(deref(ident))
		}
		if err := fn(tx, sc, inst); err != nil {
			return err
		}
		out = s.instanceOut(sc, inst, s.clock.Now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) deleteDBInstance(ctx context.Context, in *rdsapi.DeleteDBInstanceMessage) (*rdsapi.DeleteDBInstanceResult, error) {
	skip := deref(in.SkipFinalSnapshot)
	final := ""
	switch {
	case skip && in.FinalDBSnapshotIdentifier != nil:
		return nil, invalidCombination("Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.")
	case !skip && in.FinalDBSnapshotIdentifier == nil:
		return nil, invalidCombination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	case !skip:
		var err error
		if final, err = snapshotIdentifier("FinalDBSnapshotIdentifier", *in.FinalDBSnapshotIdentifier); err != nil {
			return nil, err
		}
	}
	// RDS removes automated backups with the instance unless asked to retain them.
	deleteBackups := in.DeleteAutomatedBackups == nil || *in.DeleteAutomatedBackups
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx store.Tx, sc store.Scope, inst *instanceRec) error {
		if inst.Status == statusDeleting {
			return instanceState("Instance %s is already being deleted.", inst.ID)
		}
		if inst.DeletionProtection {
			return invalidCombination("Cannot delete protected DB Instance, please disable deletion protection and try again.")
		}
		if final != "" {
			if inst.Status == statusCreating {
				return instanceState("Instance is currently creating - a final snapshot cannot be taken.")
			}
			if err := checkNewManualSnapshot(tx, sc, final); err != nil {
				return err
			}
			snap := snapshotOf(inst, final, snapshotManual, s.clock.Now())
			if inst.CopyTags {
				snap.Tags = append([]tagRec(nil), inst.Tags...)
			}
			if err := s.insertSnapshot(tx, sc, snap); err != nil {
				return err
			}
		}
		inst.Status, inst.DeleteBackups = statusDeleting, deleteBackups
		inst.Applying = nil
		return s.step(tx, sc, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.DeleteDBInstanceResult{DBInstance: out}, nil
}

func (s *Service) rebootDBInstance(ctx context.Context, in *rdsapi.RebootDBInstanceMessage) (*rdsapi.RebootDBInstanceResult, error) {
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx store.Tx, sc store.Scope, inst *instanceRec) error {
		if inst.Status != statusAvailable {
			return instanceState("Instance %s is not in available state.", inst.ID)
		}
		if deref(in.ForceFailover) && !inst.MultiAZ {
			return invalidCombination("Cannot reboot with forced failover. Forced failover requires a Multi-AZ DB instance.")
		}
		// A reboot applies the parameter group changes that were waiting for it.
		inst.ParamGroupStatus = parameterGroupSync
		inst.Status = statusRebooting
		return s.step(tx, sc, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.RebootDBInstanceResult{DBInstance: out}, nil
}

func (s *Service) stopDBInstance(ctx context.Context, in *rdsapi.StopDBInstanceMessage) (*rdsapi.StopDBInstanceResult, error) {
	snapID := ""
	if in.DBSnapshotIdentifier != nil {
		var err error
		if snapID, err = snapshotIdentifier("DBSnapshotIdentifier", *in.DBSnapshotIdentifier); err != nil {
			return nil, err
		}
	}
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx store.Tx, sc store.Scope, inst *instanceRec) error {
		if inst.Status != statusAvailable {
			return instanceState("Instance %s is not in available state.", inst.ID)
		}
		if snapID != "" {
			if err := checkNewManualSnapshot(tx, sc, snapID); err != nil {
				return err
			}
			if err := s.insertSnapshot(tx, sc, snapshotOf(inst, snapID, snapshotManual, s.clock.Now())); err != nil {
				return err
			}
		}
		inst.Status = statusStopping
		return s.step(tx, sc, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StopDBInstanceResult{DBInstance: out}, nil
}

func (s *Service) startDBInstance(ctx context.Context, in *rdsapi.StartDBInstanceMessage) (*rdsapi.StartDBInstanceResult, error) {
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx store.Tx, sc store.Scope, inst *instanceRec) error {
		if inst.Status != statusStopped {
			return instanceState("Instance %s is not stopped, it cannot be started.", inst.ID)
		}
		if inst.Encrypted {
			ok, err := s.keyUsable(tx, sc.Account, sc.Region, inst.KmsKey)
			if err != nil {
				return err
			}
			if !ok {
				return keyNotAccessible(inst.KmsKey)
			}
		}
		inst.Status = statusStarting
		inst.AutoStart = time.Time{}
		return s.step(tx, sc, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StartDBInstanceResult{DBInstance: out}, nil
}
