package rds

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// Aurora DB clusters' and global clusters' entries of the catalogue. The texts of the
// member checks, the deletion checks and the global cluster state faults are AWS's as
// quoted in users' reports; the others follow their style.

const (
	paramClusterID             = "DBClusterIdentifier"
	paramNewClusterID          = "NewDBClusterIdentifier"
	paramGlobalClusterID       = "GlobalClusterIdentifier"
	paramNewGlobalClusterID    = "NewGlobalClusterIdentifier"
	paramSourceClusterSnapshot = "SourceDBClusterSnapshotIdentifier"
	quotaClusters              = 40
	maxClusterRetention        = 35
)

var (
	msgClusterExists         = awserr.Message{Kind: rdsapi.ErrDBClusterAlreadyExistsFault, Text: "DB Cluster already exists"}
	msgClusterQuota          = awserr.Message{Kind: rdsapi.ErrDBClusterQuotaExceededFault, Text: "DB cluster quota exceeded: the account may have at most %d DB clusters in %s."}
	msgClusterState          = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "DB cluster %s is not in available state: it is %s."}
	msgClusterNotStopped     = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "DbCluster %s is not in stopped state."}
	msgClusterHasMembers     = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "Cluster cannot be deleted, it still contains DB instances in non-deleting state."}
	msgClusterProtected      = awserr.Message{Kind: combo, Text: "Cannot delete protected Cluster, please disable deletion protection and try again."}
	msgClusterInGlobal       = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "This cluster is a part of a global cluster, please remove it from globalcluster first"}
	msgClusterRetention      = awserr.Message{Kind: invalid, Text: "Invalid backup retention period: %d. Valid values are 1 to %d."}
	msgClusterEngineMode     = awserr.Message{Kind: invalid, Text: "The engine mode %s you requested is currently unavailable."}
	msgClusterPort           = awserr.Message{Kind: invalid, Text: "Invalid port %d. Valid values are from 1150 to 65535."}
	msgClusterKeyNeedsCrypt  = awserr.Message{Kind: combo, Text: "KmsKeyId can only be specified for an encrypted DB cluster: set StorageEncrypted to true."}
	msgClusterParamFamily    = awserr.Message{Kind: combo, Text: "The DB cluster parameter group %s with family %s can't be used for a DB cluster of family %s."}
	msgMemberEngine          = awserr.Message{Kind: combo, Text: "The engine name requested for your DB instance (%s) doesn't match the engine name of your DB cluster (%s)."}
	msgMemberUsername        = awserr.Message{Kind: combo, Text: "The requested DB Instance will be a member of a DB Cluster. Set master user name for the DB Cluster."}
	msgMemberPassword        = awserr.Message{Kind: combo, Text: "The requested DB Instance will be a member of a DB Cluster. Set master user password for the DB Cluster."}
	msgMemberStorage         = awserr.Message{Kind: combo, Text: "The requested DB Instance will be a member of a DB Cluster. You don't need to set storage size."}
	msgMemberClass           = awserr.Message{Kind: invalid, Text: "The parameter DBInstanceClass must be provided and must not be blank."}
	msgMemberStop            = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is a member of DB cluster %s: stop or start the DB cluster instead."}
	msgFailoverNoReader      = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "Cannot fail over DB cluster %s: it has no available reader DB instance."}
	msgFailoverTarget        = awserr.Message{Kind: invalid, Text: "The DB instance %s is not a reader DB instance of DB cluster %s."}
	msgClusterFinalCreating  = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "Cluster is currently creating - a final snapshot cannot be taken."}
	msgSecondaryCredentials  = awserr.Message{Kind: combo, Text: "Cannot specify MasterUsername, MasterUserPassword or ManageMasterUserPassword for a secondary cluster of a global database: it takes the primary's."}
	msgSecondaryWriter       = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "DB cluster %s is a read-only secondary cluster of global cluster %s."}
	msgGlobalExists          = awserr.Message{Kind: rdsapi.ErrGlobalClusterAlreadyExistsFault, Text: "Global cluster %s already exists"}
	msgGlobalNotFound        = awserr.Message{Kind: rdsapi.ErrGlobalClusterNotFoundFault, Text: "Global cluster %s not found"}
	msgGlobalQuota           = awserr.Message{Kind: rdsapi.ErrGlobalClusterQuotaExceededFault, Text: "The request cannot be processed because it would exceed the maximum of %d global clusters."}
	msgGlobalHasMembers      = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "Global Cluster %s is not empty"}
	msgGlobalProtected       = awserr.Message{Kind: combo, Text: "Cannot delete protected Global Cluster, please disable deletion protection and try again."}
	msgGlobalState           = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "Global cluster %s is not in available state: it is %s."}
	msgGlobalEngine          = awserr.Message{Kind: combo, Text: "The engine %s %s of DB cluster %s doesn't match the engine %s %s of global cluster %s."}
	msgGlobalNeedsEngine     = awserr.Message{Kind: combo, Text: "Engine must be specified when SourceDBClusterIdentifier is not."}
	msgGlobalSourceAndEngine = awserr.Message{Kind: combo, Text: "When SourceDBClusterIdentifier is specified, Engine, EngineVersion, DatabaseName and StorageEncrypted must not be."}
	msgAlreadyInGlobal       = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterStateFault, Text: "DB cluster %s is already a member of global cluster %s."}
	msgGlobalRegionTaken     = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "Global cluster %s already has a member in Region %s."}
	msgGlobalNoPrimary       = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "Global cluster %s has no primary DB cluster: create the primary first."}
	msgGlobalNotMember       = awserr.Message{Kind: rdsapi.ErrDBClusterNotFoundFault, Text: "DB cluster %s is not a member of global cluster %s."}
	msgGlobalTargetPrimary   = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "DB cluster %s is already the primary cluster of global cluster %s."}
	msgGlobalPrimaryDown     = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "The primary cluster of global cluster %s in %s can't be reached: a switchover needs it. Use FailoverGlobalCluster with AllowDataLoss."}
	msgGlobalSwitchoverBoth  = awserr.Message{Kind: combo, Text: "Cannot specify both AllowDataLoss and Switchover."}
	msgGlobalRemovePrimary   = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "The primary cluster %s can't be removed from global cluster %s while it has secondary clusters."}
	msgBadClusterARN         = awserr.Message{Kind: invalid, Text: "The parameter DbClusterIdentifier is not a valid DB cluster ARN: %s"}
	msgClusterSnapshotExists = awserr.Message{Kind: rdsapi.ErrDBClusterSnapshotAlreadyExistsFault, Text: "Cannot create the cluster snapshot because one with the identifier %s already exists."}
	msgClusterSnapshotState  = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterSnapshotStateFault, Text: "Cluster snapshot %s is not in available state: it is %s."}
	msgClusterSnapshotAuto   = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterSnapshotStateFault, Text: "Only manual snapshots may be deleted: %s is an automated snapshot."}
)

var msgMemberFinalSnapshot = awserr.Message{Kind: combo, Text: "FinalDBSnapshotIdentifier can't be specified when deleting a DB instance that is a member of a DB cluster."}

var (
	msgClusterBackupNotFound    = awserr.Message{Kind: rdsapi.ErrDBClusterAutomatedBackupNotFoundFault, Text: "DBClusterAutomatedBackup %s not found."}
	msgClusterBackupNotRetained = awserr.Message{Kind: rdsapi.ErrInvalidDBClusterAutomatedBackupStateFault, Text: "The automated backup of DB cluster %s can't be deleted while its cluster exists: only retained automated backups can be deleted."}
)

var msgClusterCopyNeedsKey = awserr.Message{Kind: rdsapi.ErrKMSKeyNotAccessibleFault, Text: "KmsKeyId is required to copy the encrypted DB cluster snapshot %s to another AWS Region."}

var msgRestoreType = awserr.Message{Kind: invalid, Text: "Invalid RestoreType: %s. Valid values: full-copy, copy-on-write."}

var msgGlobalUpgrade = awserr.Message{Kind: rdsapi.ErrInvalidGlobalClusterStateFault, Text: "Global cluster %s can't change its engine version here: upgrade its clusters instead."}

var msgClusterParamGroupInUse = awserr.Message{Kind: rdsapi.ErrInvalidDBParameterGroupStateFault, Text: "One or more DB clusters are still members of this parameter group %s, so the group cannot be deleted"}
