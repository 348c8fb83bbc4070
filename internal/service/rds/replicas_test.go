package rds_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func (e *env) replica(t *testing.T, c *rds.Client, in *rds.CreateDBInstanceReadReplicaInput) *types.DBInstance {
	t.Helper()
	return xtest.Must[*rds.CreateDBInstanceReadReplicaOutput](t)(c.CreateDBInstanceReadReplica(ctx, in)).DBInstance
}

func replicaInput(id, source string) *rds.CreateDBInstanceReadReplicaInput {
	return &rds.CreateDBInstanceReadReplicaInput{DBInstanceIdentifier: aws.String(id), SourceDBInstanceIdentifier: aws.String(source)}
}

// replication is a replica's one DBInstanceStatusInfo.
func replication(t *testing.T, db *types.DBInstance) types.DBInstanceStatusInfo {
	t.Helper()
	if len(db.StatusInfos) != 1 || aws.ToString(db.StatusInfos[0].StatusType) != "read replication" {
		t.Fatalf("%s: StatusInfos %+v", aws.ToString(db.DBInstanceIdentifier), db.StatusInfos)
	}
	return db.StatusInfos[0]
}

func TestReadReplicaInTheSourceRegion(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("mydb")))
	e.advance(2 * time.Minute)

	in := replicaInput("mydb-reader", "mydb")
	in.DBInstanceClass = aws.String("db.t3.small")
	in.Tags = []types.Tag{{Key: aws.String("role"), Value: aws.String("reader")}}
	r := e.replica(t, e.East, in)
	if aws.ToString(r.DBInstanceStatus) != "creating" || aws.ToString(r.ReadReplicaSourceDBInstanceIdentifier) != "mydb" ||
		aws.ToInt32(r.BackupRetentionPeriod) != 0 || aws.ToString(r.DBInstanceClass) != "db.t3.small" || aws.ToString(r.EngineVersion) != "13.4" ||
		aws.ToString(r.MasterUsername) != "masterusername" || aws.ToString(r.DBName) != "mydb" || aws.ToInt32(r.AllocatedStorage) != 10 ||
		len(r.TagList) != 1 || len(r.StatusInfos) != 0 {
		t.Fatalf("create answered %+v", r)
	}
	if got := e.describe(t, e.East, "mydb").ReadReplicaDBInstanceIdentifiers; len(got) != 1 || got[0] != "mydb-reader" {
		t.Fatalf("the source lists %v", got)
	}
	e.advance(time.Minute)
	r = e.describe(t, e.East, "mydb-reader")
	if st := replication(t, r); aws.ToString(r.DBInstanceStatus) != "available" || aws.ToString(st.Status) != "replicating" || !aws.ToBool(st.Normal) || st.Message != nil {
		t.Fatalf("available replica: %s, %+v", aws.ToString(r.DBInstanceStatus), st)
	}

	// A same-Region replica named by identifier lives in its source's subnet group.
	bad := replicaInput("other", "mydb")
	bad.DBSubnetGroupName = aws.String("default")
	_, err := e.East.CreateDBInstanceReadReplica(ctx, bad)
	wantErr(t, err, "DBSubnetGroupNotAllowedFault", 400, "should not be specified for read replicas")
	// PostgreSQL has no replicas of replicas.
	_, err = e.East.CreateDBInstanceReadReplica(ctx, replicaInput("chained", "mydb-reader"))
	wantErr(t, err, "InvalidDBInstanceState", 400, "read replica of a postgres read replica")
	_, err = e.East.CreateDBInstanceReadReplica(ctx, replicaInput("mydb-reader", "mydb"))
	wantErr(t, err, "DBInstanceAlreadyExists", 400, "")

	// Writes refused on the replica, and what the replication forbids.
	_, err = e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mydb-reader"), MasterUserPassword: aws.String("anotherpassword")})
	wantErr(t, err, "InvalidParameterCombination", 400, "can't be modified")
	_, err = e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mydb-reader"), BackupRetentionPeriod: aws.Int32(3)})
	wantErr(t, err, "InvalidParameterCombination", 400, "DB Backups not supported on a read replica for engine postgres")
	_, err = e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mydb"), BackupRetentionPeriod: aws.Int32(0), ApplyImmediately: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterCombination", 400, "while it has read replicas")
	_, err = e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mydb")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "read replica")
	_, err = e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("mydb-reader"), FinalDBSnapshotIdentifier: aws.String("final")})
	wantErr(t, err, "InvalidParameterCombination", 400, "replica")
	_, err = e.East.PromoteReadReplica(ctx, &rds.PromoteReadReplicaInput{DBInstanceIdentifier: aws.String("mydb")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "not a read replica")

	// Promotion: modifying, then its first backup, then available and standalone.
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("mydb-reader"), PreferredMaintenanceWindow: aws.String("sun:20:00-sun:20:30"),
	}))
	p := xtest.Must[*rds.PromoteReadReplicaOutput](t)(e.East.PromoteReadReplica(ctx, &rds.PromoteReadReplicaInput{
		DBInstanceIdentifier: aws.String("mydb-reader"), BackupRetentionPeriod: aws.Int32(5), PreferredBackupWindow: aws.String("09:00-09:30"),
	})).DBInstance
	if aws.ToString(p.DBInstanceStatus) != "modifying" || p.ReadReplicaSourceDBInstanceIdentifier != nil || len(p.StatusInfos) != 0 {
		t.Fatalf("promote answered %s, source %v, %+v", aws.ToString(p.DBInstanceStatus), p.ReadReplicaSourceDBInstanceIdentifier, p.StatusInfos)
	}
	if got := e.describe(t, e.East, "mydb").ReadReplicaDBInstanceIdentifiers; len(got) != 0 {
		t.Fatalf("the source still lists %v", got)
	}
	e.advance(time.Minute)
	if got := e.status(t, e.East, "mydb-reader"); got != "backing-up" {
		t.Fatalf("after the restart the promoted replica is %s", got)
	}
	e.advance(time.Minute)
	p = e.describe(t, e.East, "mydb-reader")
	if aws.ToString(p.DBInstanceStatus) != "available" || aws.ToInt32(p.BackupRetentionPeriod) != 5 || aws.ToString(p.PreferredBackupWindow) != "09:00-09:30" || p.LatestRestorableTime == nil {
		t.Fatalf("promoted: %s, retention %d, window %s, latest %v", aws.ToString(p.DBInstanceStatus), aws.ToInt32(p.BackupRetentionPeriod), aws.ToString(p.PreferredBackupWindow), p.LatestRestorableTime)
	}
	_, err = e.East.PromoteReadReplica(ctx, &rds.PromoteReadReplicaInput{DBInstanceIdentifier: aws.String("mydb-reader")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "not a read replica")
	events := xtest.Must[*rds.DescribeEventsOutput](t)(e.East.DescribeEvents(ctx, &rds.DescribeEventsInput{
		SourceType: types.SourceTypeDbInstance, SourceIdentifier: aws.String("mydb-reader"), EventCategories: []string{"read replica"}, Duration: aws.Int32(60),
	}))
	if len(events.Events) != 2 || aws.ToString(events.Events[0].Message) != "Replication for the Read Replica resumed." {
		t.Fatalf("read replica events: %+v", events.Events)
	}
}

func TestReadReplicaAcrossRegions(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	in := postgres("mydb")
	in.StorageEncrypted = aws.Bool(true)
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.advance(2 * time.Minute)
	src := e.describe(t, e.East, "mydb")
	sourceARN := aws.ToString(src.DBInstanceArn)

	_, err := e.West.CreateDBInstanceReadReplica(ctx, replicaInput("dr", sourceARN))
	wantErr(t, err, "InvalidParameterCombination", 400, "requires KmsKeyId")
	_, err = e.West.CreateDBInstanceReadReplica(ctx, replicaInput("dr", "mydb"))
	wantErr(t, err, "DBInstanceNotFound", 404, "mydb")
	_, err = e.West.CreateDBInstanceReadReplica(ctx, replicaInput("dr", "arn:aws:rds:us-east-1:999999999999:db:mydb"))
	wantErr(t, err, "DBInstanceNotFound", 404, "")
	_, err = e.West.CreateDBInstanceReadReplica(ctx, replicaInput("dr", "arn:aws-cn:rds:cn-north-1:"+account+":db:mydb"))
	wantErr(t, err, "InvalidParameterValue", 400, "can't be created from cn-north-1")
	bad := replicaInput("dr", sourceARN)
	bad.KmsKeyId, bad.PreSignedUrl = aws.String(e.kmsKey(t, e.kmsWest)), aws.String("https://rds.us-east-1.amazonaws.com/?Action=CreateDBInstanceReadReplica")
	_, err = e.West.CreateDBInstanceReadReplica(ctx, bad)
	wantErr(t, err, "InvalidParameterValue", 400, "PreSignedUrl")

	// The SDK's SourceRegion makes the presigned URL, which is checked and accepted.
	key := e.kmsKey(t, e.kmsWest)
	rin := replicaInput("dr", sourceARN)
	rin.KmsKeyId, rin.SourceRegion = aws.String(key), aws.String("us-east-1")
	r := e.replica(t, e.West, rin)
	if aws.ToString(r.ReadReplicaSourceDBInstanceIdentifier) != sourceARN || aws.ToString(r.KmsKeyId) != key || !aws.ToBool(r.StorageEncrypted) ||
		aws.ToString(r.DBParameterGroups[0].DBParameterGroupName) != "default.postgres13" || !strings.HasPrefix(aws.ToString(r.AvailabilityZone), "us-west-2") {
		t.Fatalf("create answered %+v", r)
	}
	wantARN := "arn:aws:rds:us-west-2:" + account + ":db:dr"
	if got := e.describe(t, e.East, "mydb").ReadReplicaDBInstanceIdentifiers; len(got) != 1 || got[0] != wantARN {
		t.Fatalf("the source lists %v, want [%s]", got, wantARN)
	}
	e.advance(time.Minute)
	if st := replication(t, e.describe(t, e.West, "dr")); aws.ToString(st.Status) != "replicating" {
		t.Fatalf("replica: %+v", st)
	}

	// The source's Region unreachable: replication stops and the replica falls behind.
	e.SetUnreachable("us-east-1", true)
	e.advance(time.Hour)
	st := replication(t, e.describe(t, e.West, "dr"))
	if aws.ToString(st.Status) != "error" || aws.ToBool(st.Normal) || !strings.Contains(aws.ToString(st.Message), "3600 seconds behind") {
		t.Fatalf("an hour into the outage: %+v (%s)", st, aws.ToString(st.Message))
	}
	e.advance(time.Hour)
	if st := replication(t, e.describe(t, e.West, "dr")); !strings.Contains(aws.ToString(st.Message), "7200 seconds behind") {
		t.Fatalf("two hours into the outage: %s", aws.ToString(st.Message))
	}

	// The DR step: promote in us-west-2 while us-east-1 is away.
	xtest.Must[*rds.PromoteReadReplicaOutput](t)(e.West.PromoteReadReplica(ctx, &rds.PromoteReadReplicaInput{DBInstanceIdentifier: aws.String("dr")}))
	e.advance(3 * time.Minute)
	p := e.describe(t, e.West, "dr")
	if aws.ToString(p.DBInstanceStatus) != "available" || p.ReadReplicaSourceDBInstanceIdentifier != nil || aws.ToInt32(p.BackupRetentionPeriod) != 1 {
		t.Fatalf("promoted: %s, source %v, retention %d", aws.ToString(p.DBInstanceStatus), p.ReadReplicaSourceDBInstanceIdentifier, aws.ToInt32(p.BackupRetentionPeriod))
	}
	e.SetUnreachable("us-east-1", false)
	if got := e.describe(t, e.East, "mydb").ReadReplicaDBInstanceIdentifiers; len(got) != 0 {
		t.Fatalf("the old source still lists %v", got)
	}
	// A promoted replica is a source like any other.
	e.replica(t, e.East, &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String("back"), SourceDBInstanceIdentifier: p.DBInstanceArn, KmsKeyId: aws.String(e.kmsKey(t, e.kmsEast)),
	})
}

func TestReadReplicaSourceRules(t *testing.T) {
	e := start(t)
	noBackups := postgres("nobackups")
	noBackups.BackupRetentionPeriod = aws.Int32(0)
	e.create(t, e.East, noBackups)
	_, err := e.East.CreateDBInstanceReadReplica(ctx, replicaInput("r", "nobackups"))
	wantErr(t, err, "InvalidDBInstanceState", 400, "Automated backups are not enabled for this database instance")
	_, err = e.East.CreateDBInstanceReadReplica(ctx, replicaInput("r", "missing"))
	wantErr(t, err, "DBInstanceNotFound", 404, "missing")
	_, err = e.East.CreateDBInstanceReadReplica(ctx, replicaInput("r", "not--valid"))
	wantErr(t, err, "InvalidParameterValue", 400, "SourceDBInstanceIdentifier")
	_, err = e.East.CreateDBInstanceReadReplica(ctx, replicaInput("r", "nobackups"))
	e.create(t, e.East, postgres("src"))
	k := replicaInput("r", "src")
	k.KmsKeyId = aws.String(e.kmsKey(t, e.kmsEast))
	_, err = e.East.CreateDBInstanceReadReplica(ctx, k)
	wantErr(t, err, "InvalidParameterCombination", 400, "not encrypted")

	// Fifteen replicas per source (the quota "Read replicas per primary").
	for i := range 15 {
		e.replica(t, e.East, replicaInput("r"+string(rune('a'+i)), "src"))
	}
	_, err = e.East.CreateDBInstanceReadReplica(ctx, replicaInput("r-extra", "src"))
	wantErr(t, err, "InstanceQuotaExceeded", 400, "15 read replicas")
	e.WaitIdle()

	// Deleting the source: same-Region replicas are promoted; a cross-Region PostgreSQL
	// replica is terminated and stays a replica.
	e.create(t, e.East, postgres("primary"))
	e.replica(t, e.East, replicaInput("near", "primary"))
	arn := "arn:aws:rds:us-east-1:" + account + ":db:primary"
	e.replica(t, e.West, replicaInput("far", arn))
	e.WaitIdle()
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("primary"), SkipFinalSnapshot: aws.Bool(true)}))
	e.WaitIdle()
	near := e.describe(t, e.East, "near")
	if near.ReadReplicaSourceDBInstanceIdentifier != nil || aws.ToString(near.DBInstanceStatus) != "available" || aws.ToInt32(near.BackupRetentionPeriod) != 1 {
		t.Fatalf("the same-Region replica after its source's deletion: %s, source %v", aws.ToString(near.DBInstanceStatus), near.ReadReplicaSourceDBInstanceIdentifier)
	}
	far := e.describe(t, e.West, "far")
	if st := replication(t, far); aws.ToString(far.ReadReplicaSourceDBInstanceIdentifier) != arn || aws.ToString(st.Status) != "terminated" || aws.ToBool(st.Normal) {
		t.Fatalf("the cross-Region replica after its source's deletion: %+v", st)
	}
	// Deleting a replica without a final snapshot identifier, and its source forgets it.
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("ra")}))
	e.WaitIdle()
	if got := e.describe(t, e.East, "src").ReadReplicaDBInstanceIdentifiers; len(got) != 14 || got[0] == "ra" {
		t.Fatalf("after deleting ra the source lists %v", got)
	}
}

// A renamed source or replica stays linked.
func TestReadReplicaRenamed(t *testing.T) {
	e := start(t)
	e.create(t, e.East, postgres("src"))
	e.replica(t, e.East, replicaInput("reader", "src"))
	e.WaitIdle()
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("src"), NewDBInstanceIdentifier: aws.String("primary"), ApplyImmediately: aws.Bool(true),
	}))
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("reader"), NewDBInstanceIdentifier: aws.String("reader2"), ApplyImmediately: aws.Bool(true),
	}))
	e.WaitIdle()
	if got := aws.ToString(e.describe(t, e.East, "reader2").ReadReplicaSourceDBInstanceIdentifier); got != "primary" {
		t.Errorf("the replica names its source %q", got)
	}
	if got := e.describe(t, e.East, "primary").ReadReplicaDBInstanceIdentifiers; len(got) != 1 || got[0] != "reader2" {
		t.Errorf("the source lists %v", got)
	}
}
