package console_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/xregion/xregion/internal/server/servertest"
)

// createGlobalDatabase makes the global database "orders": its primary cluster
// orders-east (writer orders-east-1, reader orders-east-2) in us-east-1 and its secondary
// orders-west in us-west-2, and moves the clock until they are available.
func createGlobalDatabase(t *testing.T, inst *servertest.Instance) {
	t.Helper()
	ctx := context.Background()
	east, west := rds.NewFromConfig(inst.Config("us-east-1")), rds.NewFromConfig(inst.Config("us-west-2"))
	primary, err := east.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("orders-east"), Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"),
		MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("mustbeeightcharacters"), StorageEncrypted: aws.Bool(true),
		BackupRetentionPeriod: aws.Int32(7),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"orders-east-1", "orders-east-2"} {
		if _, err := east.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			DBClusterIdentifier: aws.String("orders-east"), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")}); err != nil {
			t.Fatal(err)
		}
	}
	inst.Advance(time.Hour) // a global database is made from an available cluster
	if _, err := east.CreateGlobalCluster(ctx, &rds.CreateGlobalClusterInput{GlobalClusterIdentifier: aws.String("orders"),
		SourceDBClusterIdentifier: primary.DBCluster.DBClusterArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("orders-west"),
		Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"), GlobalClusterIdentifier: aws.String("orders"),
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("alias/aws/rds")}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders-west-1"),
		DBClusterIdentifier: aws.String("orders-west"), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")}); err != nil {
		t.Fatal(err)
	}
	inst.Advance(time.Hour)
	inst.WaitIdle()
}

func TestDBClustersShowMembersEndpointsAndBackups(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t, servertest.WithTransitionDelay(10*time.Minute))
	v := newVisitor(t, inst)
	createGlobalDatabase(t, inst)
	if _, err := rds.NewFromConfig(inst.Config("us-east-1")).CreateDBClusterSnapshot(context.Background(), &rds.CreateDBClusterSnapshotInput{
		DBClusterIdentifier: aws.String("orders-east"), DBClusterSnapshotIdentifier: aws.String("before-release")}); err != nil {
		t.Fatal(err)
	}
	inst.Advance(25 * time.Hour) // a backup window passes: an automated snapshot is taken

	status, body := v.get(prefix + "rds/clusters?region=us-east-1")
	if status != 200 {
		t.Fatalf("DB clusters: %d\n%s", status, body)
	}
	wantIn(t, body, "<h1>DB clusters</h1>", `aria-selected="true">DB clusters</a>`, `aria-label="DB clusters"`,
		"orders-east", "Primary cluster", ">orders</a>", "aurora-postgresql 15.4", "<td>orders-east-1</td>", "<div>orders-east-2</div>",
		"Writer: orders-east.cluster-", "Reader: orders-east.cluster-ro-", "7 days",
		`aria-label="Automated backups of DB clusters"`, `aria-label="DB cluster snapshots"`, "before-release", "manual", "rds:orders-east-")
	_, body = v.get(prefix + "rds/clusters?region=us-west-2")
	wantIn(t, body, "orders-west", "Secondary cluster", "connected", "<div>orders-west-1</div>") // a secondary has readers only
	_, body = v.get(prefix + "rds/clusters?region=eu-west-1")
	wantIn(t, body, "No DB clusters in eu-west-1.", "No DB cluster snapshots in eu-west-1.")
	// The Region selector of an Aurora page stays on the page.
	wantIn(t, body, `action="/_xregion/console/rds/clusters"`)
}

// TestGlobalDatabaseFailoverIsShown follows a global database through an outage of its
// primary's Region: the failover in progress, the new primary, the old one waiting to
// rejoin while its Region is down, and rejoined once it is back — each on the Global
// databases page and the overview.
func TestGlobalDatabaseFailoverIsShown(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t, servertest.WithTransitionDelay(10*time.Minute))
	v := newVisitor(t, inst)
	createGlobalDatabase(t, inst)

	_, body := v.get(prefix + "rds/global-databases")
	wantIn(t, body, "<h1>Global databases</h1>", `aria-label="orders"`, "Primary Region</dt><dd>us-east-1",
		"Secondary Regions</dt><dd>us-west-2", `aria-label="Regions of orders"`, "orders-east", "orders-west", "connected",
		"DB cluster joined global cluster orders as its secondary cluster")
	_, body = v.get(prefix)
	wantIn(t, body, "Global databases", ">orders</a>", "→ us-west-2: ")

	inst.SetUnreachable("us-east-1", true)
	ctx := context.Background()
	if _, err := rds.NewFromConfig(inst.Config("us-west-2")).FailoverGlobalCluster(ctx, &rds.FailoverGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("orders"), AllowDataLoss: aws.Bool(true),
		TargetDbClusterIdentifier: aws.String("arn:aws:rds:us-west-2:123456789012:cluster:orders-west")}); err != nil {
		t.Fatal(err)
	}
	_, body = v.get(prefix + "rds/global-databases?region=us-west-2")
	wantIn(t, body, "failing-over", "Failover", "from arn:aws:rds:us-east-1:123456789012:cluster:orders-east to arn:aws:rds:us-west-2:123456789012:cluster:orders-west",
		"with data loss allowed", "Global failover of global cluster orders to DB cluster in Region us-west-2 started",
		"us-east-1 is down: its events cannot be read.")

	inst.Advance(time.Hour)
	_, body = v.get(prefix + "rds/global-databases?region=us-west-2")
	wantIn(t, body, "Primary Region</dt><dd>us-west-2", "Secondary Regions</dt><dd>us-east-1", "pending-resync",
		"Global failover of global cluster orders to DB cluster in Region us-west-2 completed")
	_, body = v.get(prefix + "rds/clusters?region=us-west-2")
	wantIn(t, body, "Primary cluster")
	_, body = v.get(prefix)
	wantIn(t, body, `aria-label="us-west-2"`, "→ us-east-1: ")

	inst.SetUnreachable("us-east-1", false)
	inst.Advance(10 * time.Minute)
	_, body = v.get(prefix + "rds/global-databases")
	wantIn(t, body, "DB cluster rejoined global cluster orders as a secondary cluster", "connected")
	_, body = v.get(prefix + "rds/clusters?region=us-east-1")
	wantIn(t, body, "Secondary cluster")
}
