package rds

// The events of DB clusters, cluster snapshots and global databases (RDS User Guide,
// "Amazon RDS event categories and event messages" for Aurora). Global database events
// are about the member cluster they concern, in its Region, as on AWS.

const (
	eventDBCluster         = "db-cluster"
	eventDBClusterSnapshot = "db-cluster-snapshot"
)

var (
	evClusterCreated          = eventDef{eventDBCluster, []string{"creation"}, "DB cluster created"}
	evClusterDeleted          = eventDef{eventDBCluster, []string{"deletion"}, "DB cluster deleted"}
	evClusterStopped          = eventDef{eventDBCluster, []string{"notification"}, "DB cluster stopped"}
	evClusterStarted          = eventDef{eventDBCluster, []string{"notification"}, "DB cluster started"}
	evClusterFailoverStarted  = eventDef{eventDBCluster, []string{"failover"}, "Started cross AZ failover to DB instance: %s"}
	evClusterFailoverDone     = eventDef{eventDBCluster, []string{"failover"}, "Completed failover to DB instance: %s"}
	evClusterManualSnapshot   = eventDef{eventDBClusterSnapshot, []string{"backup"}, "Creating manual cluster snapshot"}
	evClusterAutoSnapshot     = eventDef{eventDBClusterSnapshot, []string{"backup"}, "Creating automated cluster snapshot"}
	evClusterSnapshotCreated  = eventDef{eventDBClusterSnapshot, []string{"backup"}, "DB cluster snapshot created"}
	evGlobalJoined            = eventDef{eventDBCluster, []string{"global-failover"}, "DB cluster joined global cluster %s as its %s cluster"}
	evGlobalRemoved           = eventDef{eventDBCluster, []string{"global-failover"}, "DB cluster removed from global cluster %s: it is a standalone cluster"}
	evGlobalSwitchoverStarted = eventDef{eventDBCluster, []string{"global-failover"}, "Global switchover of global cluster %s to DB cluster in Region %s started"}
	evGlobalSwitchoverDone    = eventDef{eventDBCluster, []string{"global-failover"}, "Global switchover of global cluster %s to DB cluster in Region %s completed (replication lag %s, no data lost)"}
	evGlobalFailoverStarted   = eventDef{eventDBCluster, []string{"global-failover"}, "Global failover of global cluster %s to DB cluster in Region %s started"}
	evGlobalFailoverDone      = eventDef{eventDBCluster, []string{"global-failover"}, "Global failover of global cluster %s to DB cluster in Region %s completed: writes of the last %s before the outage were lost"}
	evGlobalRejoined          = eventDef{eventDBCluster, []string{"global-failover"}, "DB cluster rejoined global cluster %s as a secondary cluster"}
)
