package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// changeCluster runs fn on an existing cluster in one transaction and answers with the
// cluster as fn left it.
func (s *Service) changeCluster(ctx context.Context, ident *string, fn func(tx kit.Tx, v kit.View, cl *clusterRec) error) (*rdsapi.DBCluster, error) {
	return changeOne(s, ctx, ident, clusterLookup, fn, s.clusterOut)
}

var clusterLookup = lookup[clusterRec]{table: clusters, maxLen: maxClusterID, param: paramClusterID, notFound: msgClusterNotFound}

func requireAvailable(cl *clusterRec) error {
	if cl.Status != statusAvailable {
		return msgClusterState.New(cl.ID, cl.Status)
	}
	return nil
}

// ModifyDBCluster applies a modification at once: Aurora applies most cluster settings
// immediately whatever ApplyImmediately says, and the ones that would wait for the
// maintenance window (an engine upgrade) are not modelled here. A change that touches the
// running cluster (a new identifier, a port, a password) takes it through modifying.
func (s *Service) ModifyDBCluster(ctx context.Context, in *rdsapi.ModifyDBClusterMessage) (*rdsapi.ModifyDBClusterResult, error) {
	if in.NewDBClusterIdentifier != nil && !validIdentifier(*in.NewDBClusterIdentifier, maxClusterID) {
		return nil, msgInvalidIdentifier.New(paramNewClusterID)
	}
	if r := in.BackupRetentionPeriod; r != nil && (*r < 1 || *r > maxClusterRetention) {
		return nil, msgClusterRetention.New(*r, maxClusterRetention)
	}
	if p := in.Port; p != nil && (*p < 1150 || *p > 65535) {
		return nil, msgClusterPort.New(*p)
	}
	if err := checkSecurityGroups(in.VpcSecurityGroupIds); err != nil {
		return nil, err
	}
	out, err := s.changeCluster(ctx, in.DBClusterIdentifier, func(tx kit.Tx, v kit.View, cl *clusterRec) error {
		// The stages of validate.go: the request against the cluster, what it names, then
		// the cluster's state; the changes after.
		if err := checkClusterPasswordChange(cl, in); err != nil {
			return err
		}
		if in.PreferredBackupWindow != nil || in.PreferredMaintenanceWindow != nil {
			if err := s.changeClusterWindows(v, cl, in); err != nil {
				return err
			}
		}
		if err := s.changeClusterNames(tx, v, cl, in); err != nil {
			return err
		}
		if err := requireAvailable(cl); err != nil {
			return err
		}
		busy, err := s.applyClusterChanges(tx, v, cl, in)
		if err != nil {
			return err
		}
		if busy {
			cl.Status = statusModifying
			return s.clusterStep(tx, v, cl)
		}
		return putCluster(v, cl)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.ModifyDBClusterResult{DBCluster: out}, nil
}

// changeClusterNames checks what a ModifyDBCluster names (stage 4 of validate.go) and
// sets it on cl: the new identifier is free, the parameter group exists, the security
// groups are in the cluster's VPC.
func (s *Service) changeClusterNames(tx kit.Tx, v kit.View, cl *clusterRec, in *rdsapi.ModifyDBClusterMessage) error {
	if id := in.NewDBClusterIdentifier; id != nil && !strings.EqualFold(*id, cl.ID) && clusters.Has(v, strings.ToLower(*id)) {
		return msgClusterExists.New()
	}
	if in.DBClusterParameterGroupName != nil {
		draft := *cl
		draft.ParamGroup = *in.DBClusterParameterGroupName
		if err := checkClusterParamGroup(v, &draft); err != nil {
			return err
		}
		cl.ParamGroup = draft.ParamGroup
	}
	if len(in.VpcSecurityGroupIds) > 0 {
		vpc, err := s.subnetGroupVPC(tx, v, cl.SubnetGroup)
		if err != nil {
			return err
		}
		if cl.VpcSGs, err = s.vpcSecurityGroups(tx, v, vpc, in.VpcSecurityGroupIds); err != nil {
			return err
		}
	}
	return nil
}

// applyClusterChanges sets the rest of what a ModifyDBCluster asks for on cl, once
// checked; busy says the cluster goes through modifying.
func (s *Service) applyClusterChanges(tx kit.Tx, v kit.View, cl *clusterRec, in *rdsapi.ModifyDBClusterMessage) (busy bool, err error) {
	if err := s.changeClusterPassword(tx, v, cl, in); err != nil {
		return false, err
	}
	if in.MasterUserPassword != nil {
		if err := s.clusterEnginePassword(v, cl, *in.MasterUserPassword); err != nil {
			return false, err
		}
	}
	for dst, val := range map[*bool]*bool{&cl.DeletionProtection: in.DeletionProtection, &cl.CopyTags: in.CopyTagsToSnapshot,
		&cl.IAMAuth: in.EnableIAMDatabaseAuthentication} {
		if val != nil {
			*dst = *val
		}
	}
	if in.BackupRetentionPeriod != nil {
		cl.Retention = *in.BackupRetentionPeriod
	}
	if lc := in.CloudwatchLogsExportConfiguration; lc != nil {
		cl.LogExports = applyLogExports(cl.LogExports, lc)
	}
	// A real cluster's server takes a new managed password in the modifying step too.
	busy = in.MasterUserPassword != nil || in.Port != nil && *in.Port != cl.Port ||
		cl.RealData && deref(in.ManageMasterUserPassword)
	if in.Port != nil {
		cl.Port = *in.Port
	}
	if in.NewDBClusterIdentifier != nil && !strings.EqualFold(*in.NewDBClusterIdentifier, cl.ID) {
		if err := renameCluster(v, cl, strings.ToLower(*in.NewDBClusterIdentifier)); err != nil {
			return false, err
		}
		busy = true
	}
	return busy, nil
}

func applyLogExports(have []string, lc *rdsapi.CloudwatchLogsExportConfiguration) []string {
	out := []string{}
	for _, l := range have {
		if !slices.Contains(lc.DisableLogTypes, l) {
			out = append(out, l)
		}
	}
	for _, l := range lc.EnableLogTypes {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func (s *Service) changeClusterWindows(v kit.View, cl *clusterRec, in *rdsapi.ModifyDBClusterMessage) error {
	backup, maint := cl.BackupWindow, cl.MaintWindow
	if in.PreferredBackupWindow != nil {
		w, err := parseDailyWindow(*in.PreferredBackupWindow)
		if err != nil {
			return err
		}
		backup = w.String()
	}
	if in.PreferredMaintenanceWindow != nil {
		w, err := parseWeeklyWindow(*in.PreferredMaintenanceWindow)
		if err != nil {
			return err
		}
		maint = w.String()
	}
	if err := checkWindows(backup, maint); err != nil {
		return err
	}
	cl.BackupWindow, cl.MaintWindow = backup, maint
	return nil
}

// checkClusterPasswordChange checks the master password changes of a ModifyDBCluster against
// the cluster (stage 3 of validate.go).
func checkClusterPasswordChange(cl *clusterRec, in *rdsapi.ModifyDBClusterMessage) error {
	if cl.Secondary && (in.MasterUserPassword != nil || in.ManageMasterUserPassword != nil) {
		return msgSecondaryCredentials.New()
	}
	err := checkManagedChange(cl.MasterSecretARN != "", managedChange{
		manage: in.ManageMasterUserPassword, password: in.MasterUserPassword, rotate: deref(in.RotateMasterUserPassword),
		immediately: deref(in.ApplyImmediately), keyID: in.MasterUserSecretKmsKeyId,
	})
	if err != nil {
		return err
	}
	if in.MasterUserPassword != nil {
		return checkPassword(auroraEngines()[cl.Engine], *in.MasterUserPassword)
	}
	return nil
}

// changeClusterPassword carries out the master password changes of a ModifyDBCluster
// that checkClusterPasswordChange passed: a new password (never stored), a managed
// password turned on or off, or rotated.
func (s *Service) changeClusterPassword(tx kit.Tx, v kit.View, cl *clusterRec, in *rdsapi.ModifyDBClusterMessage) error {
	managed := cl.MasterSecretARN != ""
	turnOn := in.ManageMasterUserPassword != nil && *in.ManageMasterUserPassword
	turnOff := in.ManageMasterUserPassword != nil && !*in.ManageMasterUserPassword
	switch {
	case turnOn && !managed:
		return s.createClusterSecret(tx, v, cl, deref(in.MasterUserSecretKmsKeyId))
	case turnOff && managed:
		if err := s.secrets.DeleteManaged(tx, v.Account(), v.Region(), cl.MasterSecretARN); err != nil {
			return err
		}
		cl.MasterSecretARN, cl.MasterSecretKey = "", ""
	case deref(in.RotateMasterUserPassword):
		return s.secrets.RotateManaged(tx, v.Account(), v.Region(), cl.MasterSecretARN)
	}
	return nil
}

// renameCluster moves cl and its members to a new identifier.
func renameCluster(v kit.View, cl *clusterRec, id string) error {
	if clusters.Has(v, id) {
		return msgClusterExists.New()
	}
	ms, err := members(v, cl.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		m.Cluster = id
		if err := putInstance(v, m); err != nil {
			return err
		}
	}
	if err := clusters.Delete(v, cl.ID); err != nil {
		return err
	}
	cl.ID = id
	return nil
}

func (s *Service) StopDBCluster(ctx context.Context, in *rdsapi.StopDBClusterMessage) (*rdsapi.StopDBClusterResult, error) {
	out, err := s.changeCluster(ctx, in.DBClusterIdentifier, func(tx kit.Tx, v kit.View, cl *clusterRec) error {
		if err := requireAvailable(cl); err != nil {
			return err
		}
		// Aurora can't stop a cluster of a global database (RDS User Guide, "Stopping and
		// starting an Amazon Aurora DB cluster").
		if cl.Global != "" {
			return msgClusterInGlobal.New()
		}
		cl.Status = statusStopping
		if err := setMembersStatus(v, cl, statusStopping); err != nil {
			return err
		}
		return s.clusterStep(tx, v, cl)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StopDBClusterResult{DBCluster: out}, nil
}

func (s *Service) StartDBCluster(ctx context.Context, in *rdsapi.StartDBClusterMessage) (*rdsapi.StartDBClusterResult, error) {
	out, err := s.changeCluster(ctx, in.DBClusterIdentifier, func(tx kit.Tx, v kit.View, cl *clusterRec) error {
		if cl.Status != statusStopped {
			return msgClusterNotStopped.New(cl.ID)
		}
		if cl.Encrypted {
			if err := s.requireKey(tx, v.Account(), v.Region(), cl.KmsKey, msgKeyNotAccessible); err != nil {
				return err
			}
		}
		return s.startCluster(tx, v, cl)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StartDBClusterResult{DBCluster: out}, nil
}

// FailoverDBCluster makes a reader the writer: the one named, or the one Aurora would
// choose by promotion tier. The cluster is failing-over until the job engine's next step.
func (s *Service) FailoverDBCluster(ctx context.Context, in *rdsapi.FailoverDBClusterMessage) (*rdsapi.FailoverDBClusterResult, error) {
	out, err := s.changeCluster(ctx, in.DBClusterIdentifier, func(tx kit.Tx, v kit.View, cl *clusterRec) error {
		if err := requireAvailable(cl); err != nil {
			return err
		}
		if cl.Secondary {
			return msgSecondaryWriter.New(cl.ID, cl.Global)
		}
		target := strings.ToLower(deref(in.TargetDBInstanceIdentifier))
		next, err := promotionCandidate(v, cl, target)
		if err != nil {
			return err
		}
		switch {
		case next == nil && target != "":
			return msgFailoverTarget.New(deref(in.TargetDBInstanceIdentifier), cl.ID)
		case next == nil || next.Status != statusAvailable:
			return msgFailoverNoReader.New(cl.ID)
		}
		now := s.Clock.Now()
		if err := recordEvent(v, now, evClusterFailoverStarted, cl.ID, next.ID); err != nil {
			return err
		}
		cl.Writer, cl.Status = next.ID, statusFailingOver
		if err := recordEvent(v, now, evClusterFailoverDone, cl.ID, next.ID); err != nil {
			return err
		}
		return s.clusterStep(tx, v, cl)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.FailoverDBClusterResult{DBCluster: out}, nil
}

// DeleteDBCluster deletes a cluster without members. AWS checks, in this order, deletion
// protection, the members, and then the final snapshot.
func (s *Service) DeleteDBCluster(ctx context.Context, in *rdsapi.DeleteDBClusterMessage) (*rdsapi.DeleteDBClusterResult, error) {
	final, err := finalClusterSnapshot(in)
	if err != nil {
		return nil, err
	}
	deleteBackups := in.DeleteAutomatedBackups == nil || *in.DeleteAutomatedBackups
	out, err := s.changeCluster(ctx, in.DBClusterIdentifier, func(tx kit.Tx, v kit.View, cl *clusterRec) error {
		if cl.Status == statusDeleting {
			return msgClusterState.New(cl.ID, cl.Status)
		}
		if cl.DeletionProtection {
			return msgClusterProtected.New()
		}
		if cl.Global != "" {
			return msgClusterInGlobal.New()
		}
		ms, err := members(v, cl.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Status != statusDeleting {
				return msgClusterHasMembers.New()
			}
		}
		if final != "" {
			if cl.Status == statusCreating {
				return msgClusterFinalCreating.New()
			}
			if err := s.takeClusterSnapshot(tx, v, cl, final, snapshotManual); err != nil {
				return err
			}
		}
		if err := s.deleteClusterSecret(tx, v, cl); err != nil {
			return err
		}
		cl.Status, cl.DeleteBackups = statusDeleting, deleteBackups
		return s.clusterStep(tx, v, cl)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.DeleteDBClusterResult{DBCluster: out}, nil
}

func finalClusterSnapshot(in *rdsapi.DeleteDBClusterMessage) (string, error) {
	skip := deref(in.SkipFinalSnapshot)
	switch {
	case skip && in.FinalDBSnapshotIdentifier != nil:
		return "", msgSkipAndFinal.New()
	case !skip && in.FinalDBSnapshotIdentifier == nil:
		return "", msgFinalRequired.New()
	case !skip:
		return snapshotIdentifier("FinalDBSnapshotIdentifier", *in.FinalDBSnapshotIdentifier)
	}
	return "", nil
}

func (s *Service) deleteClusterSecret(tx kit.Tx, v kit.View, cl *clusterRec) error {
	if cl.MasterSecretARN == "" {
		return nil
	}
	if err := s.secrets.DeleteManaged(tx, v.Account(), v.Region(), cl.MasterSecretARN); err != nil {
		return err
	}
	cl.MasterSecretARN, cl.MasterSecretKey = "", ""
	return nil
}
