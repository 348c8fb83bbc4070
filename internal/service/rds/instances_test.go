package rds_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func TestCreateDBInstanceShape(t *testing.T) {
	e := start(t)
	in := postgres("MyDB")
	in.StorageEncrypted = aws.Bool(true)
	in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}
	out := xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	db := out.DBInstance
	if aws.ToString(db.DBInstanceStatus) != "creating" || aws.ToString(db.DBInstanceIdentifier) != "mydb" {
		t.Fatalf("create answered %s %s, want creating mydb", aws.ToString(db.DBInstanceStatus), aws.ToString(db.DBInstanceIdentifier))
	}
	if db.Endpoint != nil || db.InstanceCreateTime != nil {
		t.Errorf("a creating instance has an endpoint or creation time: %+v %v", db.Endpoint, db.InstanceCreateTime)
	}
	e.WaitIdle()
	db = e.describe(t, e.East, "mydb")
	checks := map[string]bool{
		"status available":  aws.ToString(db.DBInstanceStatus) == "available",
		"dbi resource id":   regexp.MustCompile(`^db-[A-Z0-9]{26}$`).MatchString(aws.ToString(db.DbiResourceId)),
		"arn":               aws.ToString(db.DBInstanceArn) == "arn:aws:rds:us-east-1:"+account+":db:mydb",
		"endpoint":          regexp.MustCompile(`^mydb\.[a-z0-9]{12}\.us-east-1\.rds\.amazonaws\.com$`).MatchString(aws.ToString(db.Endpoint.Address)),
		"port":              aws.ToInt32(db.Endpoint.Port) == 5432,
		"engine":            aws.ToString(db.Engine) == "postgres" && aws.ToString(db.EngineVersion) == "13.4",
		"storage":           aws.ToInt32(db.AllocatedStorage) == 10 && aws.ToString(db.StorageType) == "standard",
		"encrypted":         aws.ToBool(db.StorageEncrypted),
		"aws/rds key":       strings.HasPrefix(aws.ToString(db.KmsKeyId), "arn:aws:kms:us-east-1:"+account+":key/"),
		"retention":         aws.ToInt32(db.BackupRetentionPeriod) == 7,
		"create time":       db.InstanceCreateTime != nil,
		"latest restorable": db.LatestRestorableTime != nil,
		"parameter group":   len(db.DBParameterGroups) == 1 && aws.ToString(db.DBParameterGroups[0].DBParameterGroupName) == "default.postgres13",
		"option group":      len(db.OptionGroupMemberships) == 1 && aws.ToString(db.OptionGroupMemberships[0].OptionGroupName) == "default:postgres-13",
		"subnet group":      aws.ToString(db.DBSubnetGroup.DBSubnetGroupName) == "default",
		"license":           aws.ToString(db.LicenseModel) == "postgresql-license",
		"windows":           regexp.MustCompile(`^\d\d:\d\d-\d\d:\d\d$`).MatchString(aws.ToString(db.PreferredBackupWindow)) && regexp.MustCompile(`^[a-z]{3}:\d\d:\d\d-[a-z]{3}:\d\d:\d\d$`).MatchString(aws.ToString(db.PreferredMaintenanceWindow)),
		"az":                strings.HasPrefix(aws.ToString(db.AvailabilityZone), "us-east-1"),
		"tags":              len(db.TagList) == 1 && aws.ToString(db.TagList[0].Key) == "team",
		"db name":           aws.ToString(db.DBName) == "mydb" && aws.ToString(db.MasterUsername) == "masterusername",
		"flags":             !aws.ToBool(db.MultiAZ) && !aws.ToBool(db.PubliclyAccessible) && aws.ToBool(db.AutoMinorVersionUpgrade) && !aws.ToBool(db.DeletionProtection),
		"ca":                aws.ToString(db.CACertificateIdentifier) == "rds-ca-rsa2048-g1",
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s: %+v", what, db)
		}
	}

	// Every instance has its own DbiResourceId, and the provider's filter finds it.
	other := e.create(t, e.East, postgres("other"))
	if aws.ToString(other.DbiResourceId) == aws.ToString(db.DbiResourceId) {
		t.Fatal("two instances share a DbiResourceId")
	}
	byFilter := xtest.Must[*rds.DescribeDBInstancesOutput](t)(e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
		Filters: []types.Filter{{Name: aws.String("dbi-resource-id"), Values: []string{aws.ToString(db.DbiResourceId)}}},
	}))
	if len(byFilter.DBInstances) != 1 || aws.ToString(byFilter.DBInstances[0].DBInstanceIdentifier) != "mydb" {
		t.Fatalf("dbi-resource-id filter: %+v", byFilter.DBInstances)
	}
	// The provider falls back to the DbiResourceId as identifier.
	if got := e.describe(t, e.East, aws.ToString(db.DbiResourceId)); aws.ToString(got.DBInstanceIdentifier) != "mydb" {
		t.Fatalf("describe by DbiResourceId found %s", aws.ToString(got.DBInstanceIdentifier))
	}
	// The instance exists in its Region only.
	_, err := e.West.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mydb")})
	wantErr(t, err, "DBInstanceNotFound", 404, "DBInstance mydb not found.")
}

func TestCreateDBInstanceStatusesMoveOnTheClock(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("slow")))
	for _, want := range []string{"creating", "backing-up", "available"} {
		if got := e.status(t, e.East, "slow"); got != want {
			t.Fatalf("status %s, want %s", got, want)
		}
		e.advance(time.Minute)
	}
	// Without automated backups there is no backing-up step.
	in := postgres("nobackup")
	in.BackupRetentionPeriod = aws.Int32(0)
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.advance(time.Minute)
	if got := e.status(t, e.East, "nobackup"); got != "available" {
		t.Fatalf("status %s, want available", got)
	}
	if db := e.describe(t, e.East, "nobackup"); db.LatestRestorableTime != nil {
		t.Errorf("an instance without backups has a LatestRestorableTime")
	}
}
