package e2e

import (
	"strings"
	"testing"
	"time"
)

type cliCluster struct {
	DBClusterIdentifier     string
	DBClusterArn            string
	Status                  string
	GlobalClusterIdentifier string
	DBClusterMembers        []struct {
		DBInstanceIdentifier string
		IsClusterWriter      bool
	}
}

type cliGlobal struct {
	GlobalClusterIdentifier string
	Status                  string
	GlobalClusterMembers    []struct {
		DBClusterArn          string
		IsWriter              bool
		SynchronizationStatus string
		Readers               []string
	}
}

func (s *server) dbCluster(t *testing.T, region, id string) cliCluster {
	t.Helper()
	var out struct{ DBClusters []cliCluster }
	s.awsJSON(t, region, &out, s.rds("describe-db-clusters", "--db-cluster-identifier", id)...)
	return out.DBClusters[0]
}

func (s *server) waitCluster(t *testing.T, region, id, status string) cliCluster {
	t.Helper()
	var cl cliCluster
	pollUntil(t, time.Minute, func() string {
		if cl = s.dbCluster(t, region, id); cl.Status != status {
			return id + " is " + cl.Status + ", want " + status
		}
		return ""
	})
	return cl
}

// globalMembers answers the global cluster's writer Region and each secondary's
// synchronisation status by Region, as describe-global-clusters shows them in region.
func (s *server) globalMembers(t *testing.T, region, id string) (string, map[string]string) {
	t.Helper()
	var out struct{ GlobalClusters []cliGlobal }
	s.awsJSON(t, region, &out, s.rds("describe-global-clusters", "--global-cluster-identifier", id)...)
	writer, sync := "", map[string]string{}
	for _, m := range out.GlobalClusters[0].GlobalClusterMembers {
		r := strings.Split(m.DBClusterArn, ":")[3]
		if m.IsWriter {
			writer = r
		} else {
			sync[r] = m.SynchronizationStatus
		}
	}
	return writer, sync
}

// TestAuroraGlobalFailoverDrillWithCLI is the DR drill of an Aurora global database with
// the AWS CLI: a primary in us-east-1, a secondary in us-west-2, us-east-1 made unreachable
// through the admin API, failover-global-cluster --allow-data-loss in us-west-2, the new
// primary taking writes, and us-east-1 rejoining as a secondary once it is back.
func TestAuroraGlobalFailoverDrillWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.aws(t, srv.rds("create-db-cluster", "--db-cluster-identifier", "app-east", "--engine", "aurora-postgresql",
		"--engine-version", "15.4", "--master-username", "postgres", "--manage-master-user-password", "--storage-encrypted")...)
	srv.aws(t, srv.rds("create-db-instance", "--db-instance-identifier", "app-east-1", "--db-cluster-identifier", "app-east",
		"--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large")...)
	primary := srv.waitCluster(t, "us-east-1", "app-east", "available")
	srv.aws(t, srv.rds("create-global-cluster", "--global-cluster-identifier", "app", "--source-db-cluster-identifier", primary.DBClusterArn)...)

	var key cliKeyMetadata
	srv.awsJSON(t, "us-west-2", &key, "kms", "create-key", "--description", "aurora secondary")
	srv.awsIn(t, "us-west-2", srv.rds("create-db-cluster", "--db-cluster-identifier", "app-west", "--engine", "aurora-postgresql",
		"--engine-version", "15.4", "--global-cluster-identifier", "app", "--storage-encrypted", "--kms-key-id", key.KeyMetadata.Arn)...)
	srv.awsIn(t, "us-west-2", srv.rds("create-db-instance", "--db-instance-identifier", "app-west-1", "--db-cluster-identifier", "app-west",
		"--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large")...)
	secondary := srv.waitCluster(t, "us-west-2", "app-west", "available")
	if w, sync := srv.globalMembers(t, "us-west-2", "app"); w != "us-east-1" || sync["us-west-2"] != "connected" {
		t.Fatalf("before the drill: writer %s, secondaries %v", w, sync)
	}
	if stderr := srv.awsFail(t, "us-west-2", srv.rds("failover-db-cluster", "--db-cluster-identifier", "app-west")...); !strings.Contains(stderr, "InvalidDBClusterStateFault") {
		t.Errorf("a secondary failed over on its own: %s", stderr)
	}

	// The outage: us-east-1 is unreachable; a planned switchover is refused.
	srv.admin(t, "POST", "faults", `{"region":"us-east-1","unreachable":true}`, nil)
	if w, sync := srv.globalMembers(t, "us-west-2", "app"); w != "us-east-1" || sync["us-west-2"] != "pending-resync" {
		t.Errorf("during the outage: writer %s, secondaries %v", w, sync)
	}
	stderr := srv.awsFail(t, "us-west-2", srv.rds("switchover-global-cluster", "--global-cluster-identifier", "app",
		"--target-db-cluster-identifier", secondary.DBClusterArn)...)
	if !strings.Contains(stderr, "InvalidGlobalClusterStateFault") {
		t.Errorf("switchover during the outage: %s", stderr)
	}
	srv.awsIn(t, "us-west-2", srv.rds("failover-global-cluster", "--global-cluster-identifier", "app",
		"--target-db-cluster-identifier", secondary.DBClusterArn, "--allow-data-loss")...)
	pollUntil(t, time.Minute, func() string {
		if w, _ := srv.globalMembers(t, "us-west-2", "app"); w != "us-west-2" {
			return "the writer is still in " + w
		}
		return ""
	})

	// The new primary takes writes: it has a writer instance, and its snapshots are its own.
	promoted := srv.waitCluster(t, "us-west-2", "app-west", "available")
	if len(promoted.DBClusterMembers) != 1 || !promoted.DBClusterMembers[0].IsClusterWriter {
		t.Errorf("the promoted cluster's members: %+v", promoted.DBClusterMembers)
	}
	srv.awsIn(t, "us-west-2", srv.rds("create-db-cluster-snapshot", "--db-cluster-identifier", "app-west",
		"--db-cluster-snapshot-identifier", "after-failover")...)
	var events struct{ Events []struct{ Message string } }
	srv.awsJSON(t, "us-west-2", &events, srv.rds("describe-events", "--source-type", "db-cluster", "--source-identifier", "app-west")...)
	found := false
	for _, ev := range events.Events {
		found = found || strings.HasPrefix(ev.Message, "Global failover of global cluster app")
	}
	if !found {
		t.Errorf("no failover event in %+v", events.Events)
	}

	// us-east-1 comes back and rejoins as a secondary.
	srv.admin(t, "DELETE", "faults?region=us-east-1", "", nil)
	srv.admin(t, "POST", "clock", `{"advance":"1h"}`, nil)
	pollUntil(t, time.Minute, func() string {
		if w, sync := srv.globalMembers(t, "us-east-1", "app"); w != "us-west-2" || sync["us-east-1"] != "connected" {
			return "after the outage: writer " + w + ", us-east-1 " + sync["us-east-1"]
		}
		return ""
	})
	if old := srv.dbCluster(t, "us-east-1", "app-east"); len(old.DBClusterMembers) != 1 || old.DBClusterMembers[0].IsClusterWriter {
		t.Errorf("the old primary's members: %+v", old.DBClusterMembers)
	}
}
