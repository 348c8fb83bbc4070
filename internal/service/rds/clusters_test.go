package rds_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/xtest"
)

// auroraCluster is a PostgreSQL-compatible Aurora cluster with a managed master password.
func auroraCluster(id string) *rds.CreateDBClusterInput {
	return &rds.CreateDBClusterInput{
		DBClusterIdentifier:      aws.String(id),
		Engine:                   aws.String("aurora-postgresql"),
		EngineVersion:            aws.String("15.4"),
		MasterUsername:           aws.String("postgres"),
		ManageMasterUserPassword: aws.Bool(true),
		DatabaseName:             aws.String("app"),
		StorageEncrypted:         aws.Bool(true),
		BackupRetentionPeriod:    aws.Int32(7),
		Tags:                     []types.Tag{{Key: aws.String("team"), Value: aws.String("dr")}},
	}
}

func member(cluster, id string) *rds.CreateDBInstanceInput {
	return &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), DBClusterIdentifier: aws.String(cluster),
		Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large"),
	}
}

func (e *env) cluster(t *testing.T, c *rds.Client, id string) *types.DBCluster {
	t.Helper()
	out := xtest.Must[*rds.DescribeDBClustersOutput](t)(c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)}))
	if len(out.DBClusters) != 1 {
		t.Fatalf("describe cluster %s: %d clusters", id, len(out.DBClusters))
	}
	return &out.DBClusters[0]
}

// createCluster creates a cluster and its instances and waits until all are available.
func (e *env) createCluster(t *testing.T, c *rds.Client, in *rds.CreateDBClusterInput, instances ...string) *types.DBCluster {
	t.Helper()
	created := xtest.Must[*rds.CreateDBClusterOutput](t)(c.CreateDBCluster(ctx, in))
	if got := aws.ToString(created.DBCluster.Status); got != "creating" {
		t.Fatalf("a new cluster is %s, want creating", got)
	}
	id := aws.ToString(in.DBClusterIdentifier)
	if w, r := aws.ToString(created.DBCluster.Endpoint), aws.ToString(created.DBCluster.ReaderEndpoint); !strings.HasPrefix(w, id+".cluster-") || !strings.HasPrefix(r, id+".cluster-ro-") {
		t.Fatalf("a creating cluster's endpoints are %q and %q", w, r)
	}
	for _, id := range instances {
		m := member(*in.DBClusterIdentifier, id)
		m.Engine = in.Engine
		xtest.Must[*rds.CreateDBInstanceOutput](t)(c.CreateDBInstance(ctx, m))
	}
	e.advance(time.Minute) // at most one transition delay
	cl := e.cluster(t, c, *in.DBClusterIdentifier)
	if got := aws.ToString(cl.Status); got != "available" {
		t.Fatalf("cluster %s is %s after the transitions, want available", *in.DBClusterIdentifier, got)
	}
	return cl
}

func writerOf(cl *types.DBCluster) string {
	for _, m := range cl.DBClusterMembers {
		if aws.ToBool(m.IsClusterWriter) {
			return aws.ToString(m.DBInstanceIdentifier)
		}
	}
	return ""
}

func TestAuroraClusterLifeCycle(t *testing.T) {
	e := start(t)
	cl := e.createCluster(t, e.East, auroraCluster("orders"), "orders-1", "orders-2")
	if !strings.HasPrefix(aws.ToString(cl.Endpoint), "orders.cluster-") || !strings.HasPrefix(aws.ToString(cl.ReaderEndpoint), "orders.cluster-ro-") {
		t.Errorf("endpoints %q, %q", aws.ToString(cl.Endpoint), aws.ToString(cl.ReaderEndpoint))
	}
	if !aws.ToBool(cl.StorageEncrypted) || !strings.Contains(aws.ToString(cl.KmsKeyId), ":key/") {
		t.Errorf("storage encrypted %v with %q, want the Region's aws/rds key", aws.ToBool(cl.StorageEncrypted), aws.ToString(cl.KmsKeyId))
	}
	if s := cl.MasterUserSecret; s == nil || !strings.Contains(aws.ToString(s.SecretArn), ":secret:rds!cluster-") || aws.ToString(s.SecretStatus) != "active" {
		t.Errorf("MasterUserSecret %+v, want an active rds!cluster- secret", s)
	}
	if len(cl.DBClusterMembers) != 2 || writerOf(cl) != "orders-1" {
		t.Fatalf("members %+v, want orders-1 the writer of two", cl.DBClusterMembers)
	}
	if cl.LatestRestorableTime == nil || cl.EarliestRestorableTime == nil {
		t.Errorf("restore window %v–%v, want one", cl.EarliestRestorableTime, cl.LatestRestorableTime)
	}
	db := e.describe(t, e.East, "orders-2")
	if aws.ToString(db.DBClusterIdentifier) != "orders" || aws.ToInt32(db.BackupRetentionPeriod) != 7 || aws.ToString(db.MasterUsername) != "postgres" {
		t.Errorf("member shows cluster %q, retention %d, user %q", aws.ToString(db.DBClusterIdentifier), aws.ToInt32(db.BackupRetentionPeriod), aws.ToString(db.MasterUsername))
	}
	filtered := xtest.Must[*rds.DescribeDBInstancesOutput](t)(e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
		Filters: []types.Filter{{Name: aws.String("db-cluster-id"), Values: []string{"orders"}}}}))
	if len(filtered.DBInstances) != 2 {
		t.Errorf("db-cluster-id filter: %d instances, want 2", len(filtered.DBInstances))
	}

	// Failover: the reader becomes the writer, through failing-over.
	out := xtest.Must[*rds.FailoverDBClusterOutput](t)(e.East.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("orders")}))
	if aws.ToString(out.DBCluster.Status) != "failing-over" || writerOf(out.DBCluster) != "orders-2" {
		t.Fatalf("failover: %s with writer %s", aws.ToString(out.DBCluster.Status), writerOf(out.DBCluster))
	}
	e.WaitIdle()
	if got := aws.ToString(e.cluster(t, e.East, "orders").Status); got != "available" {
		t.Errorf("after the failover the cluster is %s", got)
	}

	// Delete: refused while members exist; then a final snapshot.
	_, err := e.East.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("orders"), SkipFinalSnapshot: aws.Bool(true)})
	wantErr(t, err, "InvalidDBClusterStateFault", 400, "still contains DB instances")
	for _, id := range []string{"orders-2", "orders-1"} {
		xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id)}))
	}
	if w := writerOf(e.cluster(t, e.East, "orders")); w != "" {
		t.Errorf("writer %q with both instances deleting", w)
	}
	_, err = e.East.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("orders")})
	wantErr(t, err, "InvalidParameterCombination", 400, "FinalDBSnapshotIdentifier is required")
	xtest.Must[*rds.DeleteDBClusterOutput](t)(e.East.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{
		DBClusterIdentifier: aws.String("orders"), FinalDBSnapshotIdentifier: aws.String("orders-final")}))
	e.WaitIdle()
	_, err = e.East.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("orders")})
	wantErr(t, err, "DBClusterNotFoundFault", 404, "")
	snap := xtest.Must[*rds.DescribeDBClusterSnapshotsOutput](t)(e.East.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{
		DBClusterSnapshotIdentifier: aws.String("orders-final")}))
	if s := snap.DBClusterSnapshots[0]; aws.ToString(s.Status) != "available" || aws.ToString(s.SnapshotType) != "manual" || !aws.ToBool(s.StorageEncrypted) {
		t.Errorf("final snapshot %s %s encrypted %v", aws.ToString(s.Status), aws.ToString(s.SnapshotType), aws.ToBool(s.StorageEncrypted))
	}
}

func TestAuroraClusterErrors(t *testing.T) {
	e := start(t)
	bad := func(mut func(*rds.CreateDBClusterInput), code, msg string) {
		t.Helper()
		in := auroraCluster("bad")
		mut(in)
		_, err := e.East.CreateDBCluster(ctx, in)
		wantErr(t, err, code, 400, msg)
	}
	bad(func(in *rds.CreateDBClusterInput) { in.Engine = aws.String("postgres") }, "InvalidParameterValue", "Invalid DB engine")
	bad(func(in *rds.CreateDBClusterInput) { in.EngineVersion = aws.String("9.6") }, "InvalidParameterCombination", "Cannot find version 9.6")
	bad(func(in *rds.CreateDBClusterInput) { in.MasterUsername = nil }, "InvalidParameterValue", "MasterUsername")
	bad(func(in *rds.CreateDBClusterInput) { in.MasterUserPassword = aws.String("secret-password") }, "InvalidParameterCombination", "ManageMasterUserPassword")
	bad(func(in *rds.CreateDBClusterInput) { in.BackupRetentionPeriod = aws.Int32(0) }, "InvalidParameterValue", "Valid values are 1 to 35")
	bad(func(in *rds.CreateDBClusterInput) {
		in.DBClusterParameterGroupName = aws.String("default.aurora-mysql8.0")
	}, "InvalidParameterCombination", "family")
	bad(func(in *rds.CreateDBClusterInput) { in.KmsKeyId = aws.String("alias/missing") }, "KMSKeyNotAccessibleFault", "alias/missing")
	if _, err := e.East.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("bad")}); err == nil {
		t.Fatal("a refused create left a cluster behind")
	}

	e.createCluster(t, e.East, auroraCluster("good"))
	_, err := e.East.CreateDBCluster(ctx, auroraCluster("good"))
	wantErr(t, err, "DBClusterAlreadyExistsFault", 400, "")
	in := member("good", "good-1")
	in.MasterUsername = aws.String("x")
	_, err = e.East.CreateDBInstance(ctx, in)
	wantErr(t, err, "InvalidParameterCombination", 400, "Set master user name for the DB Cluster")
	in = member("good", "good-1")
	in.Engine = aws.String("aurora-mysql")
	_, err = e.East.CreateDBInstance(ctx, in)
	wantErr(t, err, "InvalidParameterCombination", 400, "doesn't match the engine name")
	in = member("good", "good-1")
	in.DBInstanceClass = aws.String("db.t3.micro")
	_, err = e.East.CreateDBInstance(ctx, in)
	wantErr(t, err, "InvalidParameterCombination", 400, "DBInstanceClass=db.t3.micro")
	_, err = e.East.CreateDBInstance(ctx, member("missing", "m-1"))
	wantErr(t, err, "DBClusterNotFoundFault", 404, "missing")
	_, err = e.East.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("good")})
	wantErr(t, err, "InvalidDBClusterStateFault", 400, "no available reader")

	xtest.Must[*rds.ModifyDBClusterOutput](t)(e.East.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("good"), DeletionProtection: aws.Bool(true)}))
	_, err = e.East.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("good"), SkipFinalSnapshot: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterCombination", 400, "protected Cluster")
}

func TestAuroraClusterStopStartAndModify(t *testing.T) {
	e := start(t)
	e.createCluster(t, e.East, auroraCluster("etl"), "etl-1")
	_, err := e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("etl-1")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "member of DB cluster etl")
	out := xtest.Must[*rds.StopDBClusterOutput](t)(e.East.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("etl")}))
	if aws.ToString(out.DBCluster.Status) != "stopping" {
		t.Fatalf("stop: %s", aws.ToString(out.DBCluster.Status))
	}
	e.WaitIdle()
	if got, inst := aws.ToString(e.cluster(t, e.East, "etl").Status), e.status(t, e.East, "etl-1"); got != "stopped" || inst != "stopped" {
		t.Fatalf("stopped cluster %s, instance %s", got, inst)
	}
	xtest.Must[*rds.StartDBClusterOutput](t)(e.East.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String("etl")}))
	e.WaitIdle()
	if got := aws.ToString(e.cluster(t, e.East, "etl").Status); got != "available" {
		t.Fatalf("started cluster is %s", got)
	}
	_, err = e.East.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String("etl")})
	wantErr(t, err, "InvalidDBClusterStateFault", 400, "not in stopped state")

	mod := xtest.Must[*rds.ModifyDBClusterOutput](t)(e.East.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{
		DBClusterIdentifier: aws.String("etl"), NewDBClusterIdentifier: aws.String("etl2"), BackupRetentionPeriod: aws.Int32(14),
		ApplyImmediately: aws.Bool(true)}))
	if aws.ToString(mod.DBCluster.Status) != "modifying" || aws.ToInt32(mod.DBCluster.BackupRetentionPeriod) != 14 {
		t.Fatalf("modify: %s retention %d", aws.ToString(mod.DBCluster.Status), aws.ToInt32(mod.DBCluster.BackupRetentionPeriod))
	}
	e.WaitIdle()
	if cl := e.cluster(t, e.East, "etl2"); aws.ToString(cl.Status) != "available" || writerOf(cl) != "etl-1" {
		t.Fatalf("renamed cluster %s with writer %q", aws.ToString(cl.Status), writerOf(cl))
	}
	if got := aws.ToString(e.describe(t, e.East, "etl-1").DBClusterIdentifier); got != "etl2" {
		t.Errorf("the member names cluster %q after the rename", got)
	}
}

func TestAuroraClusterPaging(t *testing.T) {
	e := start(t)
	for _, id := range []string{"a1", "a2", "a3"} {
		xtest.Must[*rds.CreateDBClusterOutput](t)(e.East.CreateDBCluster(ctx, auroraCluster(id)))
	}
	mysql := auroraCluster("m1")
	mysql.Engine, mysql.EngineVersion = aws.String("aurora-mysql"), nil
	mysql.MasterUsername = aws.String("admin")
	xtest.Must[*rds.CreateDBClusterOutput](t)(e.East.CreateDBCluster(ctx, mysql))
	e.WaitIdle()
	var ids []string
	p := rds.NewDescribeDBClustersPaginator(e.East, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(20)})
	for p.HasMorePages() {
		for _, cl := range xtest.Must[*rds.DescribeDBClustersOutput](t)(p.NextPage(ctx)).DBClusters {
			ids = append(ids, aws.ToString(cl.DBClusterIdentifier))
		}
	}
	if strings.Join(ids, ",") != "a1,a2,a3,m1" {
		t.Errorf("clusters %v", ids)
	}
	out := xtest.Must[*rds.DescribeDBClustersOutput](t)(e.East.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{
		Filters: []types.Filter{{Name: aws.String("engine"), Values: []string{"aurora-mysql"}}}}))
	if len(out.DBClusters) != 1 || aws.ToString(out.DBClusters[0].EngineVersion) != "8.0.mysql_aurora.3.08.0" {
		t.Errorf("engine filter: %+v", out.DBClusters)
	}
	if got := xtest.Must[*rds.DescribeDBClustersOutput](t)(e.West.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})); len(got.DBClusters) != 0 {
		t.Errorf("us-west-2 sees %d clusters of us-east-1", len(got.DBClusters))
	}
}

func TestAuroraManagedPasswordAndMemberModify(t *testing.T) {
	e := start(t)
	e.createCluster(t, e.East, auroraCluster("pw"), "pw-1", "pw-2")
	_, err := e.East.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("pw"), ManageMasterUserPassword: aws.Bool(false)})
	wantErr(t, err, "InvalidParameterCombination", 400, "You must specify MasterUserPassword")
	_, err = e.East.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("pw"), RotateMasterUserPassword: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterCombination", 400, "ApplyImmediately")
	xtest.Must[*rds.ModifyDBClusterOutput](t)(e.East.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("pw"),
		RotateMasterUserPassword: aws.Bool(true), ApplyImmediately: aws.Bool(true)}))
	out := xtest.Must[*rds.ModifyDBClusterOutput](t)(e.East.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("pw"),
		ManageMasterUserPassword: aws.Bool(false), MasterUserPassword: aws.String("a-new-password-1")}))
	if out.DBCluster.MasterUserSecret != nil || aws.ToString(out.DBCluster.Status) != "modifying" {
		t.Errorf("after turning the managed password off: secret %+v, status %s", out.DBCluster.MasterUserSecret, aws.ToString(out.DBCluster.Status))
	}
	e.advance(time.Minute)

	// A member changes its promotion tier and class; the next failover follows the tier.
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("pw-2"), PromotionTier: aws.Int32(0), DBInstanceClass: aws.String("db.r7g.large")}))
	e.advance(time.Minute)
	db := e.describe(t, e.East, "pw-2")
	if aws.ToInt32(db.PromotionTier) != 0 || aws.ToString(db.DBInstanceClass) != "db.r7g.large" || aws.ToString(db.DBInstanceStatus) != "available" {
		t.Errorf("modified member: tier %d, class %s, %s", aws.ToInt32(db.PromotionTier), aws.ToString(db.DBInstanceClass), aws.ToString(db.DBInstanceStatus))
	}
	_, err = e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("pw-2"), DBInstanceClass: aws.String("db.t3.micro")})
	wantErr(t, err, "InvalidParameterCombination", 400, "db.t3.micro")
	xtest.Must[*rds.RebootDBInstanceOutput](t)(e.East.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("pw-1")}))
	e.advance(time.Minute)
	if got := e.status(t, e.East, "pw-1"); got != "available" {
		t.Errorf("rebooted member is %s", got)
	}
}

func TestAuroraClusterParameterGroupInUse(t *testing.T) {
	e := start(t)
	xtest.Must[*rds.CreateDBClusterParameterGroupOutput](t)(e.East.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{
		DBClusterParameterGroupName: aws.String("tuned"), DBParameterGroupFamily: aws.String("aurora-postgresql15"), Description: aws.String("tuned")}))
	in := auroraCluster("tuned-cluster")
	in.DBClusterParameterGroupName = aws.String("tuned")
	if cl := e.createCluster(t, e.East, in); aws.ToString(cl.DBClusterParameterGroup) != "tuned" {
		t.Fatalf("cluster parameter group %q", aws.ToString(cl.DBClusterParameterGroup))
	}
	_, err := e.East.DeleteDBClusterParameterGroup(ctx, &rds.DeleteDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("tuned")})
	wantErr(t, err, "InvalidDBParameterGroupState", 400, "DB clusters are still members")
	xtest.Must[*rds.DeleteDBClusterOutput](t)(e.East.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("tuned-cluster"), SkipFinalSnapshot: aws.Bool(true)}))
	e.advance(time.Minute)
	xtest.Must[*rds.DeleteDBClusterParameterGroupOutput](t)(e.East.DeleteDBClusterParameterGroup(ctx, &rds.DeleteDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("tuned")}))
}
