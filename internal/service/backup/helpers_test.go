package backup_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

var ctx = context.Background()

const account = xtest.Account

type env struct {
	inst *servertest.Instance
	east *backup.Client // us-east-1
	west *backup.Client // us-west-2
}

func start(t testing.TB, opts ...servertest.Option) *env {
	t.Helper()
	e := servertest.StartEnv(t, backup.NewFromConfig, opts...)
	return &env{inst: e.Instance, east: e.East, west: e.West}
}

func (e *env) kms(region string) *kms.Client { return kms.NewFromConfig(e.inst.Config(region)) }

func (e *env) key(t testing.TB, region string) string {
	t.Helper()
	out := xtest.Must[*kms.CreateKeyOutput](t)(e.kms(region).CreateKey(ctx, &kms.CreateKeyInput{}))
	return aws.ToString(out.KeyMetadata.Arn)
}

func createVault(t testing.TB, c *backup.Client, name string) *backup.CreateBackupVaultOutput {
	t.Helper()
	return xtest.Must[*backup.CreateBackupVaultOutput](t)(c.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(name)}))
}

// dailyRule is the rule Terraform's documentation uses, with a cross-Region copy.
func dailyRule(vault, copyTo string) types.BackupRuleInput {
	return types.BackupRuleInput{
		RuleName: aws.String("daily-with-copy"), TargetBackupVaultName: aws.String(vault),
		ScheduleExpression: aws.String("cron(0 5 ? * * *)"), ScheduleExpressionTimezone: aws.String("Etc/UTC"),
		StartWindowMinutes: aws.Int64(60), CompletionWindowMinutes: aws.Int64(180), EnableContinuousBackup: aws.Bool(false),
		Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(120), MoveToColdStorageAfterDays: aws.Int64(30)},
		CopyActions: []types.CopyAction{{
			DestinationBackupVaultArn: aws.String(copyTo),
			Lifecycle:                 &types.Lifecycle{DeleteAfterDays: aws.Int64(180), MoveToColdStorageAfterDays: aws.Int64(30)},
		}},
	}
}

func createPlan(t testing.TB, c *backup.Client, name string, rules ...types.BackupRuleInput) *backup.CreateBackupPlanOutput {
	t.Helper()
	return xtest.Must[*backup.CreateBackupPlanOutput](t)(c.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{
		BackupPlan: &types.BackupPlanInput{BackupPlanName: aws.String(name), Rules: rules},
	}))
}

func (e *env) rds(region string) *rds.Client { return rds.NewFromConfig(e.inst.Config(region)) }

// createDB creates a DB instance and lets the job engine make it available; it returns
// the instance's ARN.
func (e *env) createDB(t testing.TB, region, id string, tags map[string]string) string {
	t.Helper()
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), EngineVersion: aws.String("13.4"),
		AllocatedStorage: aws.Int32(20), DBInstanceClass: aws.String("db.t3.micro"), StorageEncrypted: aws.Bool(true),
		MasterUsername: aws.String("masterusername"), MasterUserPassword: aws.String("mustbeeightcharacters"),
	}
	for k, v := range tags {
		in.Tags = append(in.Tags, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out := xtest.Must[*rds.CreateDBInstanceOutput](t)(e.rds(region).CreateDBInstance(ctx, in))
	e.inst.WaitIdle()
	e.waitAvailable(t, region, id)
	return aws.ToString(out.DBInstance.DBInstanceArn)
}

// waitAvailable moves the clock a minute at a time until an instance is available: with
// a transition delay, RDS takes that long to create one, and AWS Backup waits for it.
func (e *env) waitAvailable(t testing.TB, region, id string) {
	t.Helper()
	for range 60 {
		out := xtest.Must[*rds.DescribeDBInstancesOutput](t)(e.rds(region).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)}))
		if aws.ToString(out.DBInstances[0].DBInstanceStatus) == "available" {
			return
		}
		e.advance(time.Minute)
	}
	t.Fatalf("DB instance %s is not available after an hour", id)
}

// advance moves the clock and lets every job that falls due run.
func (e *env) advance(d time.Duration) {
	e.inst.Advance(d)
	e.inst.WaitIdle()
}

func backupJob(t testing.TB, c *backup.Client, id *string) *backup.DescribeBackupJobOutput {
	t.Helper()
	return xtest.Must[*backup.DescribeBackupJobOutput](t)(c.DescribeBackupJob(ctx, &backup.DescribeBackupJobInput{BackupJobId: id}))
}

func copyJob(t testing.TB, c *backup.Client, id *string) *types.CopyJob {
	t.Helper()
	return xtest.Must[*backup.DescribeCopyJobOutput](t)(c.DescribeCopyJob(ctx, &backup.DescribeCopyJobInput{CopyJobId: id})).CopyJob
}

func recoveryPoints(t testing.TB, c *backup.Client, vault string) []types.RecoveryPointByBackupVault {
	t.Helper()
	return xtest.Must[*backup.ListRecoveryPointsByBackupVaultOutput](t)(c.ListRecoveryPointsByBackupVault(ctx,
		&backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String(vault)})).RecoveryPoints
}

const role = "arn:aws:iam::" + account + ":role/service-role/AWSBackupDefaultServiceRole"
