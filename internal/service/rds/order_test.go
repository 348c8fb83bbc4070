package rds_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/xtest"
)

// orderCase is a request with several faults at once and the one RDS reports: the
// first of the first stage that has one (validate.go lists the stages).
type orderCase struct {
	name   string
	faults string // what is wrong, for the reader
	code   string
	msg    string
}

// orderEnv is an account with an instance "taken" (available, backed up, with a
// snapshot "snap"), a VPC "app" subnet group, a security group of another VPC, and a
// snapshot "busy" still being created.
type orderEnv struct {
	h             *kittest.Harness
	mine, theirs  string
	unknownKey    string
	missingSubnet *string
}

func startOrderEnv(t *testing.T) *orderEnv {
	// Statuses move on the clock, a minute a step, so that what is created after the
	// set-up stays creating.
	h, _, _, mine, theirs := twoVPCs(t, kittest.WithTransitionDelay(time.Minute))
	e := &orderEnv{h: h, mine: mine, theirs: theirs, unknownKey: "alias/no-such-key", missingSubnet: aws.String("no-such-group")}
	xtest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, e.create("taken")))
	h.Advance(10 * time.Minute)
	xtest.Must[*rdsapi.CreateDBSnapshotResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSnapshot, &rdsapi.CreateDBSnapshotMessage{
		DBInstanceIdentifier: aws.String("taken"), DBSnapshotIdentifier: aws.String("snap")}))
	h.Advance(10 * time.Minute)
	return e
}

// create is a valid CreateDBInstance of id.
func (e *orderEnv) create(id string) *rdsapi.CreateDBInstanceMessage {
	return &rdsapi.CreateDBInstanceMessage{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), EngineVersion: aws.String("16.3"),
		DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int64(20), MasterUsername: aws.String("admin1"),
		MasterUserPassword: aws.String("secretpass1"), BackupRetentionPeriod: aws.Int64(1),
	}
}

func (e *orderEnv) run(t *testing.T, c orderCase, call func() error) {
	t.Helper()
	err := call()
	wantAWSErr(t, err, c.code, 400+map[bool]int{true: 4}[isNotFound(c.code)], c.msg)
}

// isNotFound: RDS answers its not-found faults with HTTP 404.
func isNotFound(code string) bool {
	switch code {
	case "DBParameterGroupNotFound", "OptionGroupNotFoundFault", "DBSubnetGroupNotFoundFault", "DBInstanceNotFound", "DBSnapshotNotFound",
		"DomainNotFoundFault", "DBClusterParameterGroupNotFound", "DBClusterNotFoundFault":
		return true
	}
	return false
}

// TestCreateDBInstanceReportsFaultsInOrder: with several faults, the request's own
// before what the account holds, and that before quotas.
func TestCreateDBInstanceReportsFaultsInOrder(t *testing.T) {
	e := startOrderEnv(t)
	cases := []struct {
		orderCase
		edit func(*rdsapi.CreateDBInstanceMessage)
	}{
		{orderCase{"version first", "unknown version, bad class, missing parameter group, identifier taken",
			"InvalidParameterCombination", "Cannot find version 16.99 for postgres"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBInstanceIdentifier, in.EngineVersion, in.DBInstanceClass = aws.String("taken"), aws.String("16.99"), aws.String("db.x9.huge")
				in.DBParameterGroupName = aws.String("no-such-params")
			}},
		{orderCase{"class before the store", "bad class, missing parameter group, identifier taken",
			"InvalidParameterCombination", "DBInstanceClass=db.x9.huge"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBInstanceIdentifier, in.DBInstanceClass, in.DBParameterGroupName = aws.String("taken"), aws.String("db.x9.huge"), aws.String("no-such-params")
			}},
		{orderCase{"class before storage", "bad storage size, bad class", "InvalidParameterCombination", "DBInstanceClass=db.x9.huge"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBInstanceClass, in.AllocatedStorage = aws.String("db.x9.huge"), aws.Int64(70000)
			}},
		{orderCase{"identifier taken before groups", "identifier taken, missing parameter, option and subnet groups, unknown key",
			"DBInstanceAlreadyExists", "DB instance already exists"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBInstanceIdentifier, in.DBParameterGroupName, in.OptionGroupName = aws.String("taken"), aws.String("no-such-params"), aws.String("no-such-options")
				in.DBSubnetGroupName, in.StorageEncrypted, in.KmsKeyId = e.missingSubnet, aws.Bool(true), aws.String(e.unknownKey)
			}},
		{orderCase{"parameter group before option group", "missing parameter, option and subnet groups",
			"DBParameterGroupNotFound", "no-such-params"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBParameterGroupName, in.OptionGroupName, in.DBSubnetGroupName = aws.String("no-such-params"), aws.String("no-such-options"), e.missingSubnet
			}},
		{orderCase{"option group before subnet group", "missing option and subnet groups", "OptionGroupNotFoundFault", "no-such-options"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.OptionGroupName, in.DBSubnetGroupName = aws.String("no-such-options"), e.missingSubnet
			}},
		{orderCase{"subnet group before its security groups", "missing subnet group, security group of another VPC",
			"DBSubnetGroupNotFoundFault", "no-such-group"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBSubnetGroupName, in.VpcSecurityGroupIds = e.missingSubnet, []string{e.theirs}
			}},
		{orderCase{"security groups before the key", "security group of another VPC, unknown key, a domain",
			"InvalidParameterCombination", "but Ec2 Security Group " + e.theirs},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBSubnetGroupName, in.VpcSecurityGroupIds = aws.String("app"), []string{e.theirs}
				in.StorageEncrypted, in.KmsKeyId, in.Domain = aws.Bool(true), aws.String(e.unknownKey), aws.String("d-123")
			}},
		{orderCase{"key before the domain", "unknown key, a domain", "KMSKeyNotAccessibleFault", e.unknownKey},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.StorageEncrypted, in.KmsKeyId, in.Domain = aws.Bool(true), aws.String(e.unknownKey), aws.String("d-123")
			}},
		{orderCase{"the request's form before everything", "bad identifier, unknown engine, identifier taken",
			"InvalidParameterValue", "not a valid identifier"},
			func(in *rdsapi.CreateDBInstanceMessage) {
				in.DBInstanceIdentifier, in.Engine = aws.String("two--hyphens"), aws.String("postgress")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := e.create("fresh")
			c.edit(in)
			e.run(t, c.orderCase, func() error {
				_, err := kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBInstance, in)
				return err
			})
		})
	}
	// Nothing was written: the identifier is still free.
	xtest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBInstance, e.create("fresh")))
}

// TestModifyDBInstanceReportsFaultsInOrder: the instance found, the request against it,
// what it names, then the instance's state.
func TestModifyDBInstanceReportsFaultsInOrder(t *testing.T) {
	e := startOrderEnv(t)
	xtest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBInstance, e.create("other")))
	// "busy" is still being created: not available.
	xtest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBInstance, e.create("busy")))
	cases := []struct {
		orderCase
		in *rdsapi.ModifyDBInstanceMessage
	}{
		{orderCase{"the instance before what is asked of it", "unknown instance, bad class", "DBInstanceNotFound", "nobody"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("nobody"), DBInstanceClass: aws.String("db.x9.huge")}},
		{orderCase{"class before the new identifier", "bad class, new identifier taken, missing parameter group",
			"InvalidParameterCombination", "DBInstanceClass=db.x9.huge"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("taken"), DBInstanceClass: aws.String("db.x9.huge"),
				NewDBInstanceIdentifier: aws.String("other"), DBParameterGroupName: aws.String("no-such-params")}},
		{orderCase{"storage before the store", "storage decrease, missing parameter group", "InvalidParameterValue", "can't be decreased"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("taken"), AllocatedStorage: aws.Int64(5),
				DBParameterGroupName: aws.String("no-such-params")}},
		{orderCase{"new identifier before groups", "new identifier taken, missing parameter group", "DBInstanceAlreadyExists", "already exists"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("taken"), NewDBInstanceIdentifier: aws.String("other"),
				DBParameterGroupName: aws.String("no-such-params")}},
		{orderCase{"groups before the domain", "missing parameter group, a domain", "DBParameterGroupNotFound", "no-such-params"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("taken"), DBParameterGroupName: aws.String("no-such-params"),
				Domain: aws.String("d-123")}},
		{orderCase{"what is wrong before the state", "instance not available, bad class", "InvalidParameterCombination", "DBInstanceClass=db.x9.huge"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("busy"), DBInstanceClass: aws.String("db.x9.huge")}},
		{orderCase{"names before the state", "instance not available, missing option group", "OptionGroupNotFoundFault", "no-such-options"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("busy"), OptionGroupName: aws.String("no-such-options")}},
		{orderCase{"the state last", "instance not available", "InvalidDBInstanceState", "busy"},
			&rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: aws.String("busy"), DBInstanceClass: aws.String("db.t3.small")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.run(t, c.orderCase, func() error {
				_, err := kittest.Call(e.h, "us-east-1", rdsapi.OpModifyDBInstance, c.in)
				return err
			})
		})
	}
}

// TestRestoresAndReplicasReportFaultsInOrder: a restore or a replica finds its source,
// checks itself against it, then what it names, then the source's state and limits.
func TestRestoresAndReplicasReportFaultsInOrder(t *testing.T) {
	e := startOrderEnv(t)
	xtest.Must[*rdsapi.CreateDBSnapshotResult](t)(kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBSnapshot, &rdsapi.CreateDBSnapshotMessage{
		DBInstanceIdentifier: aws.String("taken"), DBSnapshotIdentifier: aws.String("busy")})) // creating: not available
	fromSnapshot := func(snap, id string, edit func(*rdsapi.RestoreDBInstanceFromDBSnapshotMessage)) func() error {
		in := &rdsapi.RestoreDBInstanceFromDBSnapshotMessage{DBSnapshotIdentifier: aws.String(snap), DBInstanceIdentifier: aws.String(id)}
		edit(in)
		return func() error {
			_, err := kittest.Call(e.h, "us-east-1", rdsapi.OpRestoreDBInstanceFromDBSnapshot, in)
			return err
		}
	}
	pointInTime := func(id string, edit func(*rdsapi.RestoreDBInstanceToPointInTimeMessage)) func() error {
		in := &rdsapi.RestoreDBInstanceToPointInTimeMessage{SourceDBInstanceIdentifier: aws.String("taken"),
			TargetDBInstanceIdentifier: aws.String(id), UseLatestRestorableTime: aws.Bool(true)}
		edit(in)
		return func() error {
			_, err := kittest.Call(e.h, "us-east-1", rdsapi.OpRestoreDBInstanceToPointInTime, in)
			return err
		}
	}
	replica := func(id string, edit func(*rdsapi.CreateDBInstanceReadReplicaMessage)) func() error {
		in := &rdsapi.CreateDBInstanceReadReplicaMessage{SourceDBInstanceIdentifier: aws.String("taken"), DBInstanceIdentifier: aws.String(id)}
		edit(in)
		return func() error {
			_, err := kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBInstanceReadReplica, in)
			return err
		}
	}
	cases := []struct {
		orderCase
		call func() error
	}{
		{orderCase{"snapshot: the source before the request against it", "unknown snapshot, bad class", "DBSnapshotNotFound", "nope"},
			fromSnapshot("nope", "fresh", func(in *rdsapi.RestoreDBInstanceFromDBSnapshotMessage) { in.DBInstanceClass = aws.String("db.x9.huge") })},
		{orderCase{"snapshot: class before the identifier", "bad class, identifier taken, snapshot not available",
			"InvalidParameterCombination", "DBInstanceClass=db.x9.huge"},
			fromSnapshot("busy", "taken", func(in *rdsapi.RestoreDBInstanceFromDBSnapshotMessage) { in.DBInstanceClass = aws.String("db.x9.huge") })},
		{orderCase{"snapshot: identifier before the subnet group", "identifier taken, missing subnet group, snapshot not available",
			"DBInstanceAlreadyExists", "already exists"},
			fromSnapshot("busy", "taken", func(in *rdsapi.RestoreDBInstanceFromDBSnapshotMessage) { in.DBSubnetGroupName = e.missingSubnet })},
		{orderCase{"snapshot: names before its state", "missing parameter group, snapshot not available", "DBParameterGroupNotFound", "no-such-params"},
			fromSnapshot("busy", "fresh1", func(in *rdsapi.RestoreDBInstanceFromDBSnapshotMessage) {
				in.DBParameterGroupName = aws.String("no-such-params")
			})},
		{orderCase{"snapshot: its state last", "snapshot not available", "InvalidDBSnapshotState", "busy"},
			fromSnapshot("busy", "fresh2", func(*rdsapi.RestoreDBInstanceFromDBSnapshotMessage) {})},
		{orderCase{"point in time: the request's form first", "bad target identifier, unknown source", "InvalidParameterValue", "not a valid identifier"},
			pointInTime("two--hyphens", func(in *rdsapi.RestoreDBInstanceToPointInTimeMessage) {
				in.SourceDBInstanceIdentifier = aws.String("nobody")
			})},
		{orderCase{"point in time: class before the identifier", "bad class, target taken, missing option group",
			"InvalidParameterCombination", "DBInstanceClass=db.x9.huge"},
			pointInTime("taken", func(in *rdsapi.RestoreDBInstanceToPointInTimeMessage) {
				in.DBInstanceClass, in.OptionGroupName = aws.String("db.x9.huge"), aws.String("no-such-options")
			})},
		{orderCase{"point in time: option group before subnet group", "missing option and subnet groups", "OptionGroupNotFoundFault", "no-such-options"},
			pointInTime("fresh", func(in *rdsapi.RestoreDBInstanceToPointInTimeMessage) {
				in.OptionGroupName, in.DBSubnetGroupName = aws.String("no-such-options"), e.missingSubnet
			})},
		{orderCase{"replica: the source first", "unknown source, identifier taken", "DBInstanceNotFound", "nobody"},
			replica("taken", func(in *rdsapi.CreateDBInstanceReadReplicaMessage) {
				in.SourceDBInstanceIdentifier = aws.String("nobody")
			})},
		{orderCase{"replica: the key request before the identifier", "key for an unencrypted source, identifier taken",
			"InvalidParameterCombination", "taken"},
			replica("taken", func(in *rdsapi.CreateDBInstanceReadReplicaMessage) { in.KmsKeyId = aws.String(e.unknownKey) })},
		{orderCase{"replica: class before the identifier", "bad class, identifier taken", "InvalidParameterCombination", "DBInstanceClass=db.x9.huge"},
			replica("taken", func(in *rdsapi.CreateDBInstanceReadReplicaMessage) { in.DBInstanceClass = aws.String("db.x9.huge") })},
		{orderCase{"replica: identifier before groups", "identifier taken, missing option group", "DBInstanceAlreadyExists", "already exists"},
			replica("taken", func(in *rdsapi.CreateDBInstanceReadReplicaMessage) {
				in.OptionGroupName = aws.String("no-such-options")
			})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { e.run(t, c.orderCase, c.call) })
	}
}

// cluster is a valid CreateDBCluster of id.
func cluster(id string) *rdsapi.CreateDBClusterMessage {
	return &rdsapi.CreateDBClusterMessage{
		DBClusterIdentifier: aws.String(id), Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"),
		MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("secretpass1"),
	}
}

// TestClustersReportFaultsInOrder: CreateDBCluster and ModifyDBCluster go through the
// same stages as the instances' operations.
func TestClustersReportFaultsInOrder(t *testing.T) {
	e := startOrderEnv(t)
	for _, id := range []string{"taken", "other"} {
		xtest.Must[*rdsapi.CreateDBClusterResult](t)(kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBCluster, cluster(id)))
	}
	e.h.Advance(10 * time.Minute)
	xtest.Must[*rdsapi.CreateDBClusterResult](t)(kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBCluster, cluster("busy"))) // creating
	create := func(edit func(*rdsapi.CreateDBClusterMessage)) func() error {
		in := cluster("fresh")
		edit(in)
		return func() error { _, err := kittest.Call(e.h, "us-east-1", rdsapi.OpCreateDBCluster, in); return err }
	}
	modify := func(in *rdsapi.ModifyDBClusterMessage) func() error {
		return func() error { _, err := kittest.Call(e.h, "us-east-1", rdsapi.OpModifyDBCluster, in); return err }
	}
	cases := []struct {
		orderCase
		call func() error
	}{
		{orderCase{"create: version first", "unknown version, identifier taken, missing parameter group",
			"InvalidParameterCombination", "Cannot find version 15.99"},
			create(func(in *rdsapi.CreateDBClusterMessage) {
				in.DBClusterIdentifier, in.EngineVersion, in.DBClusterParameterGroupName = aws.String("taken"), aws.String("15.99"), aws.String("no-such-params")
			})},
		{orderCase{"create: identifier before groups", "identifier taken, missing parameter and subnet groups, unknown key",
			"DBClusterAlreadyExistsFault", "already exists"},
			create(func(in *rdsapi.CreateDBClusterMessage) {
				in.DBClusterIdentifier, in.DBClusterParameterGroupName, in.DBSubnetGroupName = aws.String("taken"), aws.String("no-such-params"), e.missingSubnet
				in.StorageEncrypted, in.KmsKeyId = aws.Bool(true), aws.String(e.unknownKey)
			})},
		{orderCase{"create: parameter group before subnet group", "missing parameter and subnet groups",
			"DBClusterParameterGroupNotFound", "no-such-params"},
			create(func(in *rdsapi.CreateDBClusterMessage) {
				in.DBClusterParameterGroupName, in.DBSubnetGroupName = aws.String("no-such-params"), e.missingSubnet
			})},
		{orderCase{"create: subnet group before the key", "missing subnet group, security group of another VPC, unknown key",
			"DBSubnetGroupNotFoundFault", "no-such-group"},
			create(func(in *rdsapi.CreateDBClusterMessage) {
				in.DBSubnetGroupName, in.VpcSecurityGroupIds = e.missingSubnet, []string{e.theirs}
				in.StorageEncrypted, in.KmsKeyId = aws.Bool(true), aws.String(e.unknownKey)
			})},
		{orderCase{"modify: the cluster first", "unknown cluster, bad window", "DBClusterNotFoundFault", "nobody"},
			modify(&rdsapi.ModifyDBClusterMessage{DBClusterIdentifier: aws.String("nobody"), PreferredBackupWindow: aws.String("25:00-26:00")})},
		{orderCase{"modify: a window before the store", "bad window, new identifier taken, missing parameter group, not available",
			"InvalidParameterValue", "PreferredBackupWindow must be in the format"},
			modify(&rdsapi.ModifyDBClusterMessage{DBClusterIdentifier: aws.String("busy"), PreferredBackupWindow: aws.String("25:00-26:00"),
				NewDBClusterIdentifier: aws.String("taken"), DBClusterParameterGroupName: aws.String("no-such-params")})},
		{orderCase{"modify: identifier before the parameter group", "new identifier taken, missing parameter group",
			"DBClusterAlreadyExistsFault", "already exists"},
			modify(&rdsapi.ModifyDBClusterMessage{DBClusterIdentifier: aws.String("taken"), NewDBClusterIdentifier: aws.String("other"),
				DBClusterParameterGroupName: aws.String("no-such-params")})},
		{orderCase{"modify: names before the state", "missing parameter group, not available", "DBClusterParameterGroupNotFound", "no-such-params"},
			modify(&rdsapi.ModifyDBClusterMessage{DBClusterIdentifier: aws.String("busy"), DBClusterParameterGroupName: aws.String("no-such-params")})},
		{orderCase{"modify: the state last", "not available", "InvalidDBClusterStateFault", "busy"},
			modify(&rdsapi.ModifyDBClusterMessage{DBClusterIdentifier: aws.String("busy"), DeletionProtection: aws.Bool(true)})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { e.run(t, c.orderCase, c.call) })
	}
}
