package rds

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// defaultPromotedRetention is the backup retention of a promoted replica when the
// request names none (API reference, PromoteReadReplica: "Default: 1").
const defaultPromotedRetention = 1

// PromoteReadReplica makes a read replica a standalone DB instance, the DR step of a
// cross-Region replica: replication stops at once, the replica is modifying while it
// restarts, then takes its first automated backup when its retention asks for backups
// (backing-up), and is available.
func (s *Service) PromoteReadReplica(ctx context.Context, in *rdsapi.PromoteReadReplicaMessage) (*rdsapi.PromoteReadReplicaResult, error) {
	retention := int64(defaultPromotedRetention)
	if in.BackupRetentionPeriod != nil {
		retention = *in.BackupRetentionPeriod
	}
	if retention < 0 || retention > maxRetention {
		return nil, msgRetention.New(retention, maxRetention)
	}
	if w := in.PreferredBackupWindow; w != nil {
		if _, err := parseDailyWindow(*w); err != nil {
			return nil, err
		}
	}
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx kit.Tx, v kit.View, inst *instanceRec) error {
		if inst.ReplicaOf == nil {
			return msgNotReadReplica.New(inst.ID)
		}
		if inst.Status != statusAvailable {
			return msgPromoteState.New(inst.ID, inst.Status)
		}
		if w := in.PreferredBackupWindow; w != nil {
			if err := checkWindows(*w, inst.MaintWindow); err != nil {
				return err
			}
			inst.BackupWindow = *w
		}
		if err := unlinkReplica(tx, v, inst); err != nil {
			return err
		}
		return s.promote(tx, v, inst, retention, s.Clock.Now())
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.PromoteReadReplicaResult{DBInstance: out}, nil
}

// promote makes inst, parted from its source, a standalone instance.
func (s *Service) promote(tx kit.Tx, v kit.View, inst *instanceRec, retention int64, now time.Time) error {
	if err := recordEvent(v, now, evReplicaPromoted, inst.ID); err != nil {
		return err
	}
	if err := s.enginePromote(v, inst); err != nil {
		return err
	}
	if retention != inst.Retention {
		inst.Applying = mergeMods(inst.Applying, &pendingMods{Retention: &retention})
	}
	inst.Status = statusModifying
	return s.step(tx, v, inst)
}

// releaseReplicas parts the replicas of a source that is being deleted from it, as RDS
// does (RDS User Guide, "Working with read replicas" and "Cross-Region replication
// considerations"): a replica in the source's Region is promoted, and so is one in
// another Region, except a PostgreSQL one, whose replication is terminated and which
// stays a replica until it is promoted or deleted. A replica that is not available yet
// only loses its source.
func (s *Service) releaseReplicas(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	for _, l := range inst.ReadReplicas {
		dest := tx.In(v.Account(), l.Region)
		replica, err := instanceByResourceID(dest, l.ResourceID)
		if err != nil {
			return err
		}
		if replica == nil || replica.ReplicaOf == nil {
			continue
		}
		if err := s.releaseReplica(tx, dest, replica, l.Region != v.Region(), now); err != nil {
			return err
		}
	}
	inst.ReadReplicas = nil
	return nil
}

func (s *Service) releaseReplica(tx kit.Tx, dest kit.View, replica *instanceRec, crossRegion bool, now time.Time) error {
	if crossRegion && replica.Engine == "postgres" {
		replica.ReplicaOf.Terminated = now
		if err := recordEvent(dest, now, evReplicationTerminated, replica.ID); err != nil {
			return err
		}
		return putInstance(dest, replica)
	}
	replica.ReplicaOf = nil
	if replica.Status != statusAvailable {
		return putInstance(dest, replica)
	}
	return s.promote(tx, dest, replica, defaultPromotedRetention, now)
}

// checkReplicaModify refuses what ModifyDBInstance can't change on a read replica or on
// the source of one.
func checkReplicaModify(inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage) error {
	if inst.ReplicaOf != nil {
		if in.MasterUserPassword != nil {
			return msgReplicaPassword.New(inst.ID)
		}
		if deref(in.ManageMasterUserPassword) || in.RotateMasterUserPassword != nil && *in.RotateMasterUserPassword {
			return msgReplicaManagedSecret.New(inst.ID)
		}
		// MySQL and MariaDB replicas can keep automated backups; the others can't (RDS
		// User Guide, "Differences between read replicas for different DB engines").
		if r := in.BackupRetentionPeriod; r != nil && *r > 0 && inst.Engine != "mysql" && inst.Engine != "mariadb" {
			return msgReplicaBackups.New(inst.Engine)
		}
	}
	if r := in.BackupRetentionPeriod; r != nil && *r == 0 && len(inst.ReadReplicas) > 0 {
		return msgSourceBackupsOff.New(inst.ID)
	}
	return nil
}

// checkReplicaDelete refuses a final snapshot of a read replica (API reference,
// DeleteDBInstance: FinalDBSnapshotIdentifier "can't be specified when deleting a read
// replica").
func checkReplicaDelete(inst *instanceRec, final string) error {
	if inst.ReplicaOf != nil && final != "" {
		return msgReplicaFinalSnapshot.New()
	}
	return nil
}

// isReplicated reports whether inst is a read replica or the source of one, which RDS
// can't stop (RDS User Guide, "Stopping an Amazon RDS DB instance temporarily").
func isReplicated(inst *instanceRec) bool { return inst.ReplicaOf != nil || len(inst.ReadReplicas) > 0 }
