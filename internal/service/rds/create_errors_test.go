package rds_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestCreateDBInstanceErrors(t *testing.T) {
	e := start(t)
	e.create(t, e.East, postgres("taken"))
	disabled := e.kmsKey(t, e.kmsEast)
	xtest.Must[*kms.DisableKeyOutput](t)(e.kmsEast.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(disabled)}))
	westKey := e.kmsKey(t, e.kmsWest)

	cases := []struct {
		name   string
		change func(in *rds.CreateDBInstanceInput)
		code   string
		status int
		msg    string
	}{
		{"exists", func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = aws.String("Taken") }, "DBInstanceAlreadyExists", 400, "DB instance already exists"},
		{"bad identifier", func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = aws.String("two--hyphens") }, "InvalidParameterValue", 400,
			"The parameter DBInstanceIdentifier is not a valid identifier."},
		{"identifier starts with digit", func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = aws.String("1db") }, "InvalidParameterValue", 400, "not a valid identifier"},
		{"engine", func(in *rds.CreateDBInstanceInput) { in.Engine = aws.String("postgress") }, "InvalidParameterValue", 400, "Invalid DB engine: postgress"},
		{"version", func(in *rds.CreateDBInstanceInput) { in.EngineVersion = aws.String("13.99") }, "InvalidParameterCombination", 400, "Cannot find version 13.99 for postgres"},
		{"class", func(in *rds.CreateDBInstanceInput) { in.DBInstanceClass = aws.String("db.x9.huge") }, "InvalidParameterCombination", 400,
			"RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.x9.huge, Engine=postgres, EngineVersion=13.4, LicenseModel=postgresql-license."},
		{"graviton for oracle", func(in *rds.CreateDBInstanceInput) {
			in.Engine, in.EngineVersion, in.DBInstanceClass, in.DBName, in.AllocatedStorage = aws.String("oracle-ee"), nil, aws.String("db.t4g.micro"), aws.String("ORCL"), aws.Int32(20)
		}, "InvalidParameterCombination", 400, "DBInstanceClass=db.t4g.micro, Engine=oracle-ee"},
		{"previous generation on a current version", func(in *rds.CreateDBInstanceInput) {
			in.EngineVersion, in.DBInstanceClass, in.AllocatedStorage = aws.String("16.8"), aws.String("db.t2.micro"), aws.Int32(20)
		}, "InvalidParameterCombination", 400, "DBInstanceClass=db.t2.micro, Engine=postgres, EngineVersion=16.8, LicenseModel=postgresql-license."},
		{"graviton3 before its versions", func(in *rds.CreateDBInstanceInput) {
			in.EngineVersion, in.DBInstanceClass = aws.String("12.22"), aws.String("db.m7g.large")
		}, "InvalidParameterCombination", 400, "DBInstanceClass=db.m7g.large, Engine=postgres, EngineVersion=12.22,"},
		{"gp2 below minimum", func(in *rds.CreateDBInstanceInput) { in.StorageType = aws.String("gp2") }, "InvalidParameterCombination", 400,
			"Invalid storage size for engine name postgres and storage type gp2: 10"},
		{"storage above maximum", func(in *rds.CreateDBInstanceInput) { in.AllocatedStorage = aws.Int32(70000) }, "InvalidParameterCombination", 400,
			"Invalid storage size for engine name postgres and storage type gp2: 70000"},
		{"sql server minimum", func(in *rds.CreateDBInstanceInput) {
			in.Engine, in.EngineVersion, in.DBName = aws.String("sqlserver-ex"), nil, nil
		}, "InvalidParameterCombination", 400, "Invalid storage size for engine name sqlserver-ex and storage type gp2: 10"},
		{"storage type", func(in *rds.CreateDBInstanceInput) { in.StorageType = aws.String("ssd") }, "InvalidParameterValue", 400, "Invalid storage type: ssd"},
		{"io1 without iops", func(in *rds.CreateDBInstanceInput) {
			in.StorageType, in.AllocatedStorage = aws.String("io1"), aws.Int32(100)
		}, "InvalidParameterCombination", 400,
			"You must specify a value for Iops when StorageType is io1."},
		{"iops ratio", func(in *rds.CreateDBInstanceInput) { in.Iops, in.AllocatedStorage = aws.Int32(30000), aws.Int32(100) }, "InvalidParameterCombination", 400,
			"Invalid iops to storage (GB) ratio for engine name postgres and storage type io1: 300.0000"},
		{"gp3 iops below 400 GiB", func(in *rds.CreateDBInstanceInput) {
			in.StorageType, in.Iops, in.AllocatedStorage = aws.String("gp3"), aws.Int32(12000), aws.Int32(100)
		}, "InvalidParameterCombination", 400, "You can't specify IOPS or storage throughput for engine postgres and a storage size less than 400."},
		{"no storage", func(in *rds.CreateDBInstanceInput) { in.AllocatedStorage = nil }, "InvalidParameterValue", 400, "The parameter AllocatedStorage must be provided and must not be blank."},
		{"no username", func(in *rds.CreateDBInstanceInput) { in.MasterUsername = nil }, "InvalidParameterValue", 400, "The parameter MasterUsername must be provided and must not be blank."},
		{"reserved username", func(in *rds.CreateDBInstanceInput) { in.MasterUsername = aws.String("postgres") }, "InvalidParameterValue", 400,
			"MasterUsername postgres cannot be used as it is a reserved word used by the engine"},
		{"short password", func(in *rds.CreateDBInstanceInput) { in.MasterUserPassword = aws.String("short") }, "InvalidParameterValue", 400,
			"The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters."},
		{"password characters", func(in *rds.CreateDBInstanceInput) { in.MasterUserPassword = aws.String("has@sign1") }, "InvalidParameterValue", 400,
			"Only printable ASCII characters besides '/', '@', '\"', ' ' may be used."},
		{"db name", func(in *rds.CreateDBInstanceInput) { in.DBName = aws.String("my-db") }, "InvalidParameterValue", 400, "The parameter DBName is not a valid identifier."},
		{"db name for sql server", func(in *rds.CreateDBInstanceInput) {
			in.Engine, in.EngineVersion, in.AllocatedStorage = aws.String("sqlserver-ex"), nil, aws.Int32(20)
		}, "InvalidParameterCombination", 400, "The parameter DBName must be null for engine: sqlserver-ex"},
		{"retention", func(in *rds.CreateDBInstanceInput) { in.BackupRetentionPeriod = aws.Int32(36) }, "InvalidParameterValue", 400, "Invalid backup retention period: 36"},
		{"backup window format", func(in *rds.CreateDBInstanceInput) { in.PreferredBackupWindow = aws.String("3am-4am") }, "InvalidParameterValue", 400, "hh24:mi-hh24:mi"},
		{"short backup window", func(in *rds.CreateDBInstanceInput) { in.PreferredBackupWindow = aws.String("03:00-03:10") }, "InvalidParameterValue", 400,
			"The backup window must be at least 30 minutes."},
		{"windows overlap", func(in *rds.CreateDBInstanceInput) {
			in.PreferredBackupWindow, in.PreferredMaintenanceWindow = aws.String("03:00-04:00"), aws.String("Mon:03:30-Mon:04:30")
		}, "InvalidParameterCombination", 400, "The backup window and maintenance window must not overlap."},
		{"port", func(in *rds.CreateDBInstanceInput) { in.Port = aws.Int32(80) }, "InvalidParameterValue", 400, "Invalid port 80"},
		{"zone with multi-az", func(in *rds.CreateDBInstanceInput) {
			in.MultiAZ, in.AvailabilityZone = aws.Bool(true), aws.String("us-east-1a")
		}, "InvalidParameterCombination", 400, "Requesting a specific availability zone is not valid for Multi-AZ instances."},
		{"zone of another region", func(in *rds.CreateDBInstanceInput) { in.AvailabilityZone = aws.String("us-west-2a") }, "InvalidParameterValue", 400, "Invalid availability zone: us-west-2a"},
		{"encryption on express", func(in *rds.CreateDBInstanceInput) {
			in.Engine, in.EngineVersion, in.DBName, in.AllocatedStorage, in.StorageEncrypted = aws.String("sqlserver-ex"), nil, nil, aws.Int32(20), aws.Bool(true)
		}, "InvalidParameterCombination", 400, "Encryption at rest is not available for engine sqlserver-ex."},
		{"key without encryption", func(in *rds.CreateDBInstanceInput) { in.KmsKeyId = aws.String(westKey) }, "InvalidParameterCombination", 400, "StorageEncrypted"},
		{"key of another region", func(in *rds.CreateDBInstanceInput) {
			in.StorageEncrypted, in.KmsKeyId = aws.Bool(true), aws.String(westKey)
		}, "KMSKeyNotAccessibleFault", 400,
			"The specified KMS key [" + westKey + "] does not exist, is not enabled or you do not have permissions to access it."},
		{"disabled key", func(in *rds.CreateDBInstanceInput) {
			in.StorageEncrypted, in.KmsKeyId = aws.Bool(true), aws.String(disabled)
		}, "KMSKeyNotAccessibleFault", 400, disabled},
		{"missing key", func(in *rds.CreateDBInstanceInput) {
			in.StorageEncrypted, in.KmsKeyId = aws.Bool(true), aws.String("alias/nope")
		}, "KMSKeyNotAccessibleFault", 400, "alias/nope"},
		{"parameter group", func(in *rds.CreateDBInstanceInput) { in.DBParameterGroupName = aws.String("custom") }, "DBParameterGroupNotFound", 404, "DBParameterGroup not found: custom"},
		{"parameter group family", func(in *rds.CreateDBInstanceInput) { in.DBParameterGroupName = aws.String("default.mysql8.0") }, "InvalidParameterCombination", 400,
			"Use a parameter group with DBParameterGroupFamily postgres13."},
		{"option group", func(in *rds.CreateDBInstanceInput) { in.OptionGroupName = aws.String("mine") }, "OptionGroupNotFoundFault", 404, "Specified OptionGroupName: mine not found."},
		{"subnet group", func(in *rds.CreateDBInstanceInput) { in.DBSubnetGroupName = aws.String("private") }, "DBSubnetGroupNotFoundFault", 404, "DBSubnetGroup 'private' not found."},
		{"log types", func(in *rds.CreateDBInstanceInput) { in.EnableCloudwatchLogsExports = []string{"slowquery"} }, "InvalidParameterCombination", 400, "You cannot use the log types 'slowquery'"},
		{"monitoring role", func(in *rds.CreateDBInstanceInput) { in.MonitoringInterval = aws.Int32(60) }, "InvalidParameterCombination", 400,
			"A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0."},
		{"certificate", func(in *rds.CreateDBInstanceInput) { in.CACertificateIdentifier = aws.String("rds-ca-1999") }, "CertificateNotFound", 404, "rds-ca-1999"},
		{"cluster", func(in *rds.CreateDBInstanceInput) { in.DBClusterIdentifier = aws.String("aurora") }, "DBClusterNotFoundFault", 404, "DBCluster aurora not found."},
		{"managed password and a password", func(in *rds.CreateDBInstanceInput) { in.ManageMasterUserPassword = aws.Bool(true) }, "InvalidParameterCombination", 400,
			"You can't specify MasterUserPassword when ManageMasterUserPassword is turned on."},
		{"secret key without a managed password", func(in *rds.CreateDBInstanceInput) {
			in.MasterUserSecretKmsKeyId = aws.String("alias/aws/secretsmanager")
		}, "InvalidParameterCombination", 400,
			"You can specify MasterUserSecretKmsKeyId only when ManageMasterUserPassword is turned on."},
		{"reserved tag", func(in *rds.CreateDBInstanceInput) {
			in.Tags = []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("x")}}
		}, "InvalidParameterValue", 400, "aws:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := postgres("fresh")
			c.change(in)
			_, err := e.East.CreateDBInstance(ctx, in)
			wantErr(t, err, c.code, c.status, c.msg)
		})
	}
	// Nothing was half-written: the identifier is still free.
	e.create(t, e.East, postgres("fresh"))
}

func TestCreateDBInstanceMissingParameter(t *testing.T) {
	e := start(t)
	// RDS reports an absent required parameter as MissingParameter naming it. The SDK
	// refuses to send a request without a required member, so this one goes raw.
	status, body := rawQuery(t, e, "us-east-1", "Action=CreateDBInstance&Version=2014-10-31&DBInstanceIdentifier=x&DBInstanceClass=db.t3.micro")
	if status != 400 || !strings.Contains(body, "<Code>MissingParameter</Code>") || !strings.Contains(body, "The request must contain the parameter Engine") {
		t.Fatalf("HTTP %d\n%s", status, body)
	}
}

func TestCreateDBInstanceQuotas(t *testing.T) {
	e := start(t)
	big := postgres("big")
	big.AllocatedStorage, big.StorageType = aws.Int32(65536), aws.String("gp2")
	e.create(t, e.East, big)
	bigger := postgres("bigger")
	bigger.AllocatedStorage, bigger.StorageType = aws.Int32(40000), aws.String("gp2")
	_, err := e.East.CreateDBInstance(ctx, bigger)
	wantErr(t, err, "StorageQuotaExceeded", 400, "maximum allowed storage quota of 100000 GiB")
	// Other Regions have their own quotas.
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.West.CreateDBInstance(ctx, bigger))

	for i := 1; i < 40; i++ {
		xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("db"+string(rune('a'+i/26))+string(rune('a'+i%26)))))
	}
	_, err = e.East.CreateDBInstance(ctx, postgres("onetoomany"))
	wantErr(t, err, "InstanceQuotaExceeded", 400, "40 DB instances")
	attrs := xtest.Must[*rds.DescribeAccountAttributesOutput](t)(e.East.DescribeAccountAttributes(ctx, &rds.DescribeAccountAttributesInput{}))
	for _, q := range attrs.AccountQuotas {
		if aws.ToString(q.AccountQuotaName) == "DBInstances" && (aws.ToInt64(q.Used) != 40 || aws.ToInt64(q.Max) != 40) {
			t.Errorf("DBInstances quota %d of %d", aws.ToInt64(q.Used), aws.ToInt64(q.Max))
		}
	}
}
