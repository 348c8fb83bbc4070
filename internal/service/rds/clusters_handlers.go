package rds

import (
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// clusterHandlers binds the operations of Aurora DB clusters, their snapshots and backups,
// and global databases.
func (s *Service) clusterHandlers() []awsmodel.Handler {
	return []awsmodel.Handler{
		rdsapi.OpCreateDBCluster.Handle(s.createDBCluster),
		rdsapi.OpDescribeDBClusters.Handle(s.describeDBClusters),
		rdsapi.OpModifyDBCluster.Handle(s.modifyDBCluster),
		rdsapi.OpDeleteDBCluster.Handle(s.deleteDBCluster),
		rdsapi.OpStopDBCluster.Handle(s.stopDBCluster),
		rdsapi.OpStartDBCluster.Handle(s.startDBCluster),
		rdsapi.OpFailoverDBCluster.Handle(s.failoverDBCluster),

		rdsapi.OpCreateDBClusterSnapshot.Handle(s.createDBClusterSnapshot),
		rdsapi.OpDescribeDBClusterSnapshots.Handle(s.describeDBClusterSnapshots),
		rdsapi.OpDeleteDBClusterSnapshot.Handle(s.deleteDBClusterSnapshot),
		rdsapi.OpCopyDBClusterSnapshot.Handle(s.copyDBClusterSnapshot),
		rdsapi.OpRestoreDBClusterFromSnapshot.Handle(s.restoreDBClusterFromSnapshot),
		rdsapi.OpRestoreDBClusterToPointInTime.Handle(s.restoreDBClusterToPointInTime),
		rdsapi.OpDescribeDBClusterAutomatedBackups.Handle(s.describeDBClusterAutomatedBackups),
		rdsapi.OpDeleteDBClusterAutomatedBackup.Handle(s.deleteDBClusterAutomatedBackup),

		rdsapi.OpCreateGlobalCluster.Handle(s.createGlobalCluster),
		rdsapi.OpDescribeGlobalClusters.Handle(s.describeGlobalClusters),
		rdsapi.OpModifyGlobalCluster.Handle(s.modifyGlobalCluster),
		rdsapi.OpDeleteGlobalCluster.Handle(s.deleteGlobalCluster),
		rdsapi.OpRemoveFromGlobalCluster.Handle(s.removeFromGlobalCluster),
		rdsapi.OpSwitchoverGlobalCluster.Handle(s.switchoverGlobalCluster),
		rdsapi.OpFailoverGlobalCluster.Handle(s.failoverGlobalCluster),
	}
}
