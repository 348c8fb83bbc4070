package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// A cluster's DB instances: CreateDBInstance with DBClusterIdentifier. The first becomes
// the writer, the others readers; in a secondary cluster of a global database all are
// readers. An instance takes its engine, credentials, encryption and backups from its
// cluster: it keeps no automated backup of its own (Retention 0 on its record), and
// shows its cluster's.

// createClusterInstance creates a member of a cluster.
func (s *Service) createClusterInstance(ctx context.Context, in *rdsapi.CreateDBInstanceMessage) (*rdsapi.CreateDBInstanceResult, error) {
	c := s.Call(ctx)
	if !validIdentifier(deref(in.DBInstanceIdentifier), maxInstanceID) {
		return nil, msgInvalidIdentifier.New(paramInstanceID)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBInstanceResult, error) {
		v := c.In(tx)
		cl, err := findCluster(v, *in.DBClusterIdentifier)
		if err != nil {
			return nil, err
		}
		// RDS looks the cluster up before it checks what the request sets on it.
		if cl == nil {
			return nil, msgClusterNotFound.New(*in.DBClusterIdentifier)
		}
		if err := checkMemberRequest(in); err != nil {
			return nil, err
		}
		inst, err := s.memberOf(c, v, cl, in)
		if err != nil {
			return nil, err
		}
		if err := s.checkNewNames(tx, v, inst); err != nil {
			return nil, err
		}
		if err := s.insertInstance(tx, v, inst); err != nil {
			return nil, err
		}
		if cl.Writer == "" && !cl.Secondary {
			cl.Writer = inst.ID
			if err := putCluster(v, cl); err != nil {
				return nil, err
			}
		}
		return &rdsapi.CreateDBInstanceResult{DBInstance: new(s.instanceOut(v, inst, c.Now()))}, nil
	})
}

// checkMemberRequest refuses what belongs to the cluster, not to its instances.
func checkMemberRequest(in *rdsapi.CreateDBInstanceMessage) error {
	switch {
	case in.MasterUsername != nil:
		return msgMemberUsername.New()
	case in.MasterUserPassword != nil || in.ManageMasterUserPassword != nil:
		return msgMemberPassword.New()
	case in.AllocatedStorage != nil:
		return msgMemberStorage.New()
	case deref(in.DBInstanceClass) == "":
		return msgMemberClass.New()
	}
	return checkSecurityGroups(in.VpcSecurityGroupIds)
}

// memberOf is the instance a request adds to cl.
func (s *Service) memberOf(c kit.Call, v kit.View, cl *clusterRec, in *rdsapi.CreateDBInstanceMessage) (*instanceRec, error) {
	if !strings.EqualFold(deref(in.Engine), cl.Engine) {
		return nil, msgMemberEngine.New(deref(in.Engine), cl.Engine)
	}
	if cl.Status != statusAvailable && cl.Status != statusCreating && cl.Status != statusModifying {
		return nil, msgClusterState.New(cl.ID, cl.Status)
	}
	e := auroraEngines()[cl.Engine]
	ver, _ := e.version(cl.EngineVersion)
	class := deref(in.DBInstanceClass)
	if !e.hasClass(class) {
		return nil, msgCombination.New(class, e.Name, ver.Version, e.Licenses[0])
	}
	inst := newInstance(c.Region, c.Account, strings.ToLower(*in.DBInstanceIdentifier), e, ver)
	inst.Cluster, inst.Class, inst.Retention = cl.ID, class, 0
	inst.LifecycleSupport = ""
	inst.MasterUsername, inst.DBName, inst.Port = cl.MasterUsername, cl.DatabaseName, cl.Port
	inst.Encrypted, inst.KmsKey, inst.StorageType, inst.AllocatedStorage = cl.Encrypted, cl.KmsKey, storageAurora, 1
	inst.VpcSGs, inst.BackupWindow, inst.MaintWindow = cl.VpcSGs, cl.BackupWindow, cl.MaintWindow
	inst.PromotionTier = 1
	if in.PromotionTier != nil {
		inst.PromotionTier = *in.PromotionTier
	}
	p := createSettings(in)
	p.AllocatedStorage, p.StorageType, p.VpcSGs = nil, nil, nil
	if err := p.check(c.Region); err != nil {
		return nil, err
	}
	p.apply(inst)
	// A member lives in its cluster's DB subnet group and security groups.
	if in.DBSubnetGroupName != nil && !strings.EqualFold(*in.DBSubnetGroupName, cl.SubnetGroup) {
		return nil, msgMemberSubnetGroup.New(*in.DBSubnetGroupName, cl.SubnetGroup)
	}
	inst.SubnetGroup = cl.SubnetGroup
	if in.PreferredMaintenanceWindow != nil {
		if _, err := parseWeeklyWindow(*in.PreferredMaintenanceWindow); err != nil {
			return nil, err
		}
		inst.MaintWindow = strings.ToLower(*in.PreferredMaintenanceWindow)
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	inst.Tags = tags
	pg, err := checkParamGroup(v, ver.Family, inst.ParamGroup)
	if err != nil {
		return nil, err
	}
	inst.ParamGroup = pg
	return inst, nil
}

// clusterMemberOut shows a member with what it takes from its cluster.
func (s *Service) clusterMemberOut(v kit.View, inst *instanceRec, out *rdsapi.DBInstance) {
	if inst.Cluster == "" {
		return
	}
	out.DBClusterIdentifier = new(inst.Cluster)
	out.PromotionTier = new(inst.PromotionTier)
	out.OptionGroupMemberships = []rdsapi.OptionGroupMembership{}
	out.StorageType = new(storageAurora)
	out.LatestRestorableTime = nil
	cl, err := clusters.Get(v, inst.Cluster)
	if err != nil || cl == nil {
		return
	}
	out.BackupRetentionPeriod = new(cl.Retention)
	out.PreferredBackupWindow = new(cl.BackupWindow)
	out.IAMDatabaseAuthenticationEnabled = new(cl.IAMAuth)
	out.DeletionProtection = new(cl.DeletionProtection)
	out.CopyTagsToSnapshot = new(cl.CopyTags)
	out.MasterUserSecret = nil
	s.memberEngineOut(cl, out)
}

// isClusterMember reports whether an identifier names a member of a cluster: the
// instance operations that differ for members ask it before they run.
func (s *Service) isClusterMember(ctx context.Context, ident *string) bool {
	c := s.Call(ctx)
	member, _ := kit.Read(s.Kit, func(tx kit.Tx) (bool, error) {
		inst, err := instances.Get(c.In(tx), strings.ToLower(deref(ident)))
		return inst != nil && inst.Cluster != "", err
	})
	return member
}

// deleteClusterMember deletes a member: no final snapshot (the cluster's backups hold its
// data), and a writer deleted hands the writes to the reader with the best promotion
// tier, as Aurora fails over.
func (s *Service) deleteClusterMember(ctx context.Context, in *rdsapi.DeleteDBInstanceMessage) (*rdsapi.DeleteDBInstanceResult, error) {
	if in.FinalDBSnapshotIdentifier != nil {
		return nil, msgMemberFinalSnapshot.New()
	}
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx kit.Tx, v kit.View, inst *instanceRec) error {
		if inst.Status == statusDeleting {
			return msgAlreadyDeleting.New(inst.ID)
		}
		if inst.DeletionProtection {
			return msgDeletionProtected.New()
		}
		cl, err := clusters.Get(v, inst.Cluster)
		if err != nil {
			return err
		}
		inst.Status, inst.DeleteBackups, inst.Applying = statusDeleting, true, nil
		if err := s.step(tx, v, inst); err != nil {
			return err
		}
		if cl != nil && cl.Writer == inst.ID {
			next, err := promotionCandidate(v, cl, "")
			if err != nil {
				return err
			}
			cl.Writer = ""
			if next != nil {
				cl.Writer = next.ID
			}
			return putCluster(v, cl)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.DeleteDBInstanceResult{DBInstance: out}, nil
}

// promotionCandidate is the reader Aurora promotes: the target if named, otherwise the
// available reader with the lowest promotion tier, then the lowest identifier.
func promotionCandidate(v kit.View, cl *clusterRec, target string) (*instanceRec, error) {
	ms, err := members(v, cl.ID)
	if err != nil {
		return nil, err
	}
	ms = slices.DeleteFunc(ms, func(m *instanceRec) bool {
		return m.ID == cl.Writer || m.Status == statusDeleting || (target != "" && m.ID != target)
	})
	if len(ms) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(ms, func(a, b *instanceRec) int { return int(a.PromotionTier - b.PromotionTier) })
	return ms[0], nil
}

// modifyClusterMember applies what a member's ModifyDBInstance may change: its class,
// promotion tier, DB parameter group and instance settings. Its cluster's settings are
// the cluster's to change.
func (s *Service) modifyClusterMember(ctx context.Context, in *rdsapi.ModifyDBInstanceMessage) (*rdsapi.ModifyDBInstanceResult, error) {
	out, err := s.changeInstance(ctx, in.DBInstanceIdentifier, func(tx kit.Tx, v kit.View, inst *instanceRec) error {
		if inst.Status != statusAvailable {
			return msgNotAvailable.New(inst.ID)
		}
		if c := in.DBInstanceClass; c != nil && !auroraEngines()[inst.Engine].hasClass(*c) {
			return msgCombination.New(*c, inst.Engine, inst.EngineVersion, inst.LicenseModel)
		}
		if in.DBParameterGroupName != nil {
			ver, _ := auroraEngines()[inst.Engine].version(inst.EngineVersion)
			pg, err := checkParamGroup(v, ver.Family, *in.DBParameterGroupName)
			if err != nil {
				return err
			}
			inst.ParamGroup = pg
		}
		if in.PromotionTier != nil {
			inst.PromotionTier = *in.PromotionTier
		}
		for dst, val := range map[*bool]*bool{&inst.AutoMinor: in.AutoMinorVersionUpgrade, &inst.Public: in.PubliclyAccessible} {
			if val != nil {
				*dst = *val
			}
		}
		if in.DBInstanceClass != nil && *in.DBInstanceClass != inst.Class {
			inst.Class, inst.Status = *in.DBInstanceClass, statusModifying
			return s.step(tx, v, inst)
		}
		return putInstance(v, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.ModifyDBInstanceResult{DBInstance: out}, nil
}
