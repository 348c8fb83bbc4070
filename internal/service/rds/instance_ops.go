package rds

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// changeInstance runs fn on an existing instance in one transaction and answers with
// the instance as fn left it.
func (s *Service) changeInstance(ctx context.Context, ident *string, fn func(tx kit.Tx, v kit.View, inst *instanceRec) error) (*rdsapi.DBInstance, error) {
	out := func(_ kit.Tx, v kit.View, inst *instanceRec, now time.Time) rdsapi.DBInstance {
		return s.instanceOut(v, inst, now)
	}
	return changeOne(s, ctx, ident, instanceLookup, fn, out)
}

var instanceLookup = lookup[instanceRec]{table: instances, maxLen: maxInstanceID, param: paramInstanceID, notFound: msgInstanceNotFound}

// lookup says how an operation finds a record by the identifier a request gives.
type lookup[T any] struct {
	table    kit.Table[T]
	maxLen   int
	param    string
	notFound awserr.Message
}

// changeOne runs fn on the existing record ident names in one transaction and answers
// with the record as fn left it, as out shows it. An ARN or an over-long identifier is
// not an identifier: InvalidParameterValue, not a NotFound fault.
func changeOne[T, O any](s *Service, ctx context.Context, ident *string, l lookup[T], fn func(tx kit.Tx, v kit.View, rec *T) error, out func(tx kit.Tx, v kit.View, rec *T, now time.Time) O) (*O, error) {
	c := s.Call(ctx)
	if !validIdentifier(deref(ident), l.maxLen) {
		return nil, msgInvalidIdentifier.New(l.param)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*O, error) {
		v := c.In(tx)
		rec, err := l.table.Get(v, strings.ToLower(deref(ident)))
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, l.notFound.New(deref(ident))
		}
		if err := fn(tx, v, rec); err != nil {
			return nil, err
		}
		return new(out(tx, v, rec, c.Now())), nil
	})
}

func (s *Service) DeleteDBInstance(ctx context.Context, in *rdsapi.DeleteDBInstanceMessage) (*rdsapi.DeleteDBInstanceResult, error) {
	if s.isClusterMember(ctx, in.DBInstanceIdentifier) {
		return s.deleteClusterMember(ctx, in) // no final snapshot: clusters_members.go
	}
	skip := deref(in.SkipFinalSnapshot)
	final := ""
	switch {
	case skip && in.FinalDBSnapshotIdentifier != nil:
		return nil, msgSkipAndFinal.New()
	case !skip && in.FinalDBSnapshotIdentifier != nil:
		var err error
		if final, err = snapshotIdentifier(paramFinalSnapshotID, *in.FinalDBSnapshotIdentifier); err != nil {
			return nil, err
		}
	}
	// RDS removes automated backups with the instance unless asked to retain them.
	deleteBackups := in.DeleteAutomatedBackups == nil || *in.DeleteAutomatedBackups
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx kit.Tx, v kit.View, inst *instanceRec) error {
		if inst.Status == statusDeleting {
			return msgAlreadyDeleting.New(inst.ID)
		}
		if inst.DeletionProtection {
			return msgDeletionProtected.New()
		}
		if err := checkReplicaDelete(inst, final); err != nil {
			return err
		}
		// A read replica takes no final snapshot: it needs no identifier.
		if !skip && final == "" && inst.ReplicaOf == nil {
			return msgFinalRequired.New()
		}
		if final != "" {
			if inst.Status == statusCreating {
				return msgFinalWhileCreating.New()
			}
			if err := checkNewManualSnapshot(v, final); err != nil {
				return err
			}
			snap := snapshotOf(inst, final, snapshotManual, s.Clock.Now())
			if inst.CopyTags {
				snap.Tags = append([]tagRec(nil), inst.Tags...)
			}
			if err := s.insertSnapshot(tx, v, snap); err != nil {
				return err
			}
		}
		// RDS deletes the secret of a managed master password with the instance.
		if err := s.deleteMasterSecret(tx, v, inst); err != nil {
			return err
		}
		inst.Status, inst.DeleteBackups = statusDeleting, deleteBackups
		inst.Applying = nil
		return s.step(tx, v, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.DeleteDBInstanceResult{DBInstance: out}, nil
}

func (s *Service) RebootDBInstance(ctx context.Context, in *rdsapi.RebootDBInstanceMessage) (*rdsapi.RebootDBInstanceResult, error) {
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx kit.Tx, v kit.View, inst *instanceRec) error {
		if inst.Status != statusAvailable {
			return msgInstanceNotAvailable.New(inst.ID)
		}
		if deref(in.ForceFailover) && !inst.MultiAZ {
			return msgFailoverNeedsMultiAZ.New()
		}
		// A reboot applies the parameter group changes that were waiting for it.
		inst.ParamGroupStatus, inst.ParamRebootPending = parameterGroupSync, false
		inst.Status = statusRebooting
		return s.step(tx, v, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.RebootDBInstanceResult{DBInstance: out}, nil
}

func (s *Service) StopDBInstance(ctx context.Context, in *rdsapi.StopDBInstanceMessage) (*rdsapi.StopDBInstanceResult, error) {
	snapID := ""
	if in.DBSnapshotIdentifier != nil {
		var err error
		if snapID, err = snapshotIdentifier(paramSnapshotID, *in.DBSnapshotIdentifier); err != nil {
			return nil, err
		}
	}
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx kit.Tx, v kit.View, inst *instanceRec) error {
		if inst.Cluster != "" {
			return msgMemberStop.New(inst.ID, inst.Cluster)
		}
		if inst.Status != statusAvailable {
			return msgInstanceNotAvailable.New(inst.ID)
		}
		if isReplicated(inst) {
			return msgStopReplication.New(inst.ID)
		}
		if snapID != "" {
			if err := checkNewManualSnapshot(v, snapID); err != nil {
				return err
			}
			if err := s.insertSnapshot(tx, v, snapshotOf(inst, snapID, snapshotManual, s.Clock.Now())); err != nil {
				return err
			}
		}
		inst.Status = statusStopping
		return s.step(tx, v, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StopDBInstanceResult{DBInstance: out}, nil
}

func (s *Service) StartDBInstance(ctx context.Context, in *rdsapi.StartDBInstanceMessage) (*rdsapi.StartDBInstanceResult, error) {
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx kit.Tx, v kit.View, inst *instanceRec) error {
		if inst.Cluster != "" {
			return msgMemberStop.New(inst.ID, inst.Cluster)
		}
		if inst.Status != statusStopped {
			return msgNotStopped.New(inst.ID)
		}
		if inst.Encrypted {
			if err := s.requireKey(tx, v.Account(), v.Region(), inst.KmsKey, msgKeyNotAccessible); err != nil {
				return err
			}
		}
		inst.Status = statusStarting
		inst.AutoStart = time.Time{}
		return s.step(tx, v, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StartDBInstanceResult{DBInstance: out}, nil
}
