package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestRealDataAurora is the proof of Aurora PostgreSQL with real data, through
// aws-sdk-go-v2 and pgx: an encrypted cluster and its writer in us-east-1; rows written
// on the cluster endpoint in two batches with xregion's time recorded between them and
// read back on the writer's endpoint; a cluster snapshot copied to us-west-2 under that
// Region's key and restored there with both batches; a point-in-time restore to the
// recorded time holding only the first; a new master password reaching the server.
func TestRealDataAurora(t *testing.T) {
	t.Parallel()
	needPostgres(t)
	ctx := context.Background()
	e := &realEnv{t: t, srv: startDurableServer(t, reachableDir(t), "--real-engines")}
	e.connect()

	if _, err := e.east.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("aurora"), Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"),
		MasterUsername: aws.String(realMaster), MasterUserPassword: aws.String(realPassword), DatabaseName: aws.String(realDB),
		StorageEncrypted: aws.Bool(true), BackupRetentionPeriod: aws.Int32(7),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.east.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("aurora-writer"),
		DBClusterIdentifier: aws.String("aurora"), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")}); err != nil {
		t.Fatal(err)
	}
	cluster := e.clusterAvailable(e.east, "aurora")
	conn := pgtest.MustConnect(t, int(aws.ToInt32(cluster.Port)), realMaster, realPassword, realDB)
	pgtest.Exec(t, conn, "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 3)")
	recorded := e.timeBetweenBatches()
	pgtest.Exec(t, conn, "INSERT INTO orders SELECT generate_series(4, 6)")
	if got := e.rows(e.available(e.east, "aurora-writer"), realPassword); !slices.Equal(got, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("the writer's endpoint holds %v, want the cluster's six rows", got)
	}

	e.clusterSnapshotToWest(cluster)
	if _, err := e.west.RestoreDBClusterFromSnapshot(ctx, &rds.RestoreDBClusterFromSnapshotInput{
		DBClusterIdentifier: aws.String("aurora-restored"), SnapshotIdentifier: aws.String("aurora-copy"), Engine: aws.String("aurora-postgresql"),
	}); err != nil {
		t.Fatal(err)
	}
	e.restorableAfter(e.east, "aurora", recorded)
	if _, err := e.east.RestoreDBClusterToPointInTime(ctx, &rds.RestoreDBClusterToPointInTimeInput{
		DBClusterIdentifier: aws.String("aurora-at-recorded-time"), SourceDBClusterIdentifier: aws.String("aurora"), RestoreToTime: aws.Time(recorded),
	}); err != nil {
		t.Fatal(err)
	}
	checks := map[string][]int{"aurora-restored": {1, 2, 3, 4, 5, 6}, "aurora-at-recorded-time": {1, 2, 3}}
	for id, want := range checks {
		c := e.east
		if id == "aurora-restored" {
			c = e.west
		}
		if got := e.clusterRows(e.clusterAvailable(c, id), realPassword); !slices.Equal(got, want) {
			t.Errorf("%s holds %v, want %v", id, got, want)
		}
	}

	// A new master password is the server's once the cluster is available again.
	if _, err := e.east.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("aurora"),
		MasterUserPassword: aws.String("second-password-2"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if got := e.clusterRows(e.clusterAvailable(e.east, "aurora"), "second-password-2"); len(got) != 6 {
		t.Errorf("with the new password the cluster holds %v", got)
	}
}

// timeBetweenBatches records xregion's time after the first batch's commits and waits
// until the clock has passed it, on the millisecond the API carries.
func (e *realEnv) timeBetweenBatches() time.Time {
	e.t.Helper()
	recorded := e.clockNow().Truncate(time.Millisecond).Add(time.Millisecond)
	xtest.CheckFor(e.t, time.Minute, func() error {
		if now := e.clockNow(); !now.After(recorded.Add(10 * time.Millisecond)) {
			return fmt.Errorf("the clock reads %s", now)
		}
		return nil
	})
	return recorded
}

// clusterAvailable waits for a cluster to be available and answer on its endpoint.
func (e *realEnv) clusterAvailable(c *rds.Client, id string) types.DBCluster {
	e.t.Helper()
	var cl types.DBCluster
	xtest.CheckFor(e.t, 4*time.Minute, func() error {
		out, err := c.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
		if err != nil {
			return err
		}
		cl = out.DBClusters[0]
		if s := aws.ToString(cl.Status); s != "available" {
			return fmt.Errorf("%s is %s", id, s)
		}
		return nil
	})
	if ep := aws.ToString(cl.Endpoint); ep != "127.0.0.1" || aws.ToString(cl.ReaderEndpoint) != ep {
		e.t.Fatalf("cluster %s answers on %q and %q", id, ep, aws.ToString(cl.ReaderEndpoint))
	}
	return cl
}

// clusterRows reads the ids a cluster's server holds on its cluster endpoint.
func (e *realEnv) clusterRows(cl types.DBCluster, password string) []int {
	e.t.Helper()
	conn := pgtest.MustConnect(e.t, int(aws.ToInt32(cl.Port)), realMaster, password, realDB)
	return pgtest.Ints(e.t, conn, "SELECT id FROM orders ORDER BY id")
}

// clusterSnapshotToWest snapshots the cluster and copies the snapshot to us-west-2,
// encrypted there with that Region's RDS key.
func (e *realEnv) clusterSnapshotToWest(cl types.DBCluster) {
	e.t.Helper()
	ctx := context.Background()
	snap, err := e.east.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{
		DBClusterIdentifier: cl.DBClusterIdentifier, DBClusterSnapshotIdentifier: aws.String("aurora-snap")})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clusterSnapshotAvailable(e.east, "aurora-snap")
	if _, err := e.west.CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{
		SourceDBClusterSnapshotIdentifier: snap.DBClusterSnapshot.DBClusterSnapshotArn, TargetDBClusterSnapshotIdentifier: aws.String("aurora-copy"),
		SourceRegion: aws.String("us-east-1"), KmsKeyId: aws.String("alias/aws/rds")}); err != nil {
		e.t.Fatal(err)
	}
	e.clusterSnapshotAvailable(e.west, "aurora-copy")
}

func (e *realEnv) clusterSnapshotAvailable(c *rds.Client, id string) {
	e.t.Helper()
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		out, err := c.DescribeDBClusterSnapshots(context.Background(), &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String(id)})
		if err != nil {
			return err
		}
		if s := aws.ToString(out.DBClusterSnapshots[0].Status); s != "available" {
			return fmt.Errorf("cluster snapshot %s is %s", id, s)
		}
		return nil
	})
}

// restorableAfter waits until a cluster's automated backups reach past t.
func (e *realEnv) restorableAfter(c *rds.Client, id string, t time.Time) {
	e.t.Helper()
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		out, err := c.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
		if err != nil {
			return err
		}
		if l := out.DBClusters[0].LatestRestorableTime; l == nil || !l.After(t) {
			return fmt.Errorf("%s is restorable to %v, waiting for %s", id, l, t)
		}
		return nil
	})
}
