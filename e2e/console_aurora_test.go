package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/xregion/xregion/internal/xtest"
)

// auroraGlobalDatabase makes the global database "orders" with the SDK: its primary
// cluster orders-east (writer orders-east-1) in us-east-1 and its secondary orders-west
// (reader orders-west-1) in us-west-2, both available.
func auroraGlobalDatabase(t *testing.T, srv *server) {
	t.Helper()
	ctx := context.Background()
	east := rds.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	west := rds.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-west-2"))
	primary, err := east.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("orders-east"), Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"),
		MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("mustbeeightcharacters"), StorageEncrypted: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	member := func(client *rds.Client, id, cluster string) {
		if _, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			DBClusterIdentifier: aws.String(cluster), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large")}); err != nil {
			t.Fatal(err)
		}
	}
	available := func(client *rds.Client, id string) {
		pollUntil(t, time.Minute, func() string {
			out, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
			if err != nil || aws.ToString(out.DBClusters[0].Status) != "available" {
				return fmt.Sprintf("%s: %v", id, err)
			}
			return ""
		})
	}
	member(east, "orders-east-1", "orders-east")
	available(east, "orders-east")
	if _, err := east.CreateGlobalCluster(ctx, &rds.CreateGlobalClusterInput{GlobalClusterIdentifier: aws.String("orders"),
		SourceDBClusterIdentifier: primary.DBCluster.DBClusterArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("orders-west"),
		Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"), GlobalClusterIdentifier: aws.String("orders"),
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("alias/aws/rds")}); err != nil {
		t.Fatal(err)
	}
	member(west, "orders-west-1", "orders-west")
	available(west, "orders-west")
}

// TestConsoleAuroraGlobalFailover is Aurora in the console: the DB clusters of each Region
// with their writer, readers and endpoints; the global database with its primary and
// secondary Regions; us-east-1 taken down with the console's own control, a failover with
// data loss (the SDK) shown with the new primary and its event, and the old primary
// rejoining once the Region is brought back and the clock moves.
func TestConsoleAuroraGlobalFailover(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	auroraGlobalDatabase(t, srv)
	p := openConsole(t, srv)
	p.open("")
	p.waitText("[aria-label='us-east-1']", "Global databases")
	p.click("link", "Aurora")
	p.waitText("[aria-label='DB clusters']", "orders-east")
	p.waitText("[aria-label='DB clusters']", "Primary cluster")
	p.waitText("[aria-label='DB clusters']", "orders-east-1")
	p.waitText("[aria-label='DB clusters']", "Writer: orders-east.cluster-")
	p.screenshot("aurora-clusters")
	p.region("us-west-2")
	p.waitText("[aria-label='DB clusters']", "Secondary cluster")
	p.click("tab", "Global databases")
	p.waitText("[aria-label='Regions of orders']", "us-east-1")
	p.waitText("[aria-label='orders'] dl", "us-east-1")

	// us-east-1 goes down; the team fails over to us-west-2 with the SDK.
	p.regionFault("us-east-1", "Take Region down", "us-east-1 is down.")
	if _, err := rds.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-west-2")).FailoverGlobalCluster(context.Background(), &rds.FailoverGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("orders"), AllowDataLoss: aws.Bool(true),
		TargetDbClusterIdentifier: aws.String("arn:aws:rds:us-west-2:123456789012:cluster:orders-west")}); err != nil {
		t.Fatal(err)
	}
	p.waitText("[aria-label='us-west-2']", "orders")
	p.globalDatabases()
	p.waitText("[aria-label='Events of orders']", "Global failover of global cluster orders to DB cluster in Region us-west-2 completed")
	p.waitText("[aria-label='Regions of orders'] tbody tr:first-child", "us-west-2")
	p.waitText("[aria-label='Regions of orders']", "pending-resync")
	p.waitText("main", "us-east-1 is down: its events cannot be read.")
	p.screenshot("global-databases")

	// The Region comes back; once the clock moves the old primary has rejoined.
	p.regionFault("us-east-1", "Bring Region back", "us-east-1 is back.")
	p.advance("10m")
	p.globalDatabases()
	p.waitText("[aria-label='Events of orders']", "DB cluster rejoined global cluster orders as a secondary cluster")
	p.waitText("[aria-label='Regions of orders']", "connected")
}

// globalDatabases opens Aurora's Global databases tab anew: the page does not refresh
// itself.
func (p *page) globalDatabases() {
	p.t.Helper()
	p.click("link", "Aurora")
	p.click("tab", "Global databases")
}

// TestConsoleEFSFileSystems is EFS in the console: a file system made with the AWS CLI,
// with automatic backups and a replication to us-west-2, backed up by AWS Backup and copied
// to us-west-2; the File systems page shows its state, encryption, replication and
// automatic backups, and its recovery points in both Regions, each a link to the recovery
// point's page.
func TestConsoleEFSFileSystems(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	var created cliFileSystem
	srv.awsJSON(t, "us-east-1", &created, "efs", "create-file-system", "--creation-token", "shared", "--encrypted", "--backup",
		"--tags", "Key=Name,Value=shared")
	fs := srv.waitFileSystem(t, "us-east-1", created.FileSystemId)
	srv.aws(t, "efs", "create-replication-configuration", "--source-file-system-id", fs.FileSystemId, "--destinations", "Region=us-west-2")
	ctx := context.Background()
	east := backup.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	west := backup.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-west-2"))
	for client, vault := range map[*backup.Client]string{east: "prod", west: "dr"} {
		if _, err := client.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(vault)}); err != nil {
			t.Fatal(err)
		}
	}
	role := aws.String("arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole")
	fsARN := "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/" + fs.FileSystemId
	job, err := east.StartBackupJob(ctx, &backup.StartBackupJobInput{BackupVaultName: aws.String("prod"), ResourceArn: &fsARN, IamRoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	pollUntil(t, time.Minute, func() string {
		j, err := east.DescribeBackupJob(ctx, &backup.DescribeBackupJobInput{BackupJobId: job.BackupJobId})
		if err != nil || j.State != "COMPLETED" {
			return fmt.Sprintf("backup job: %v %v", j, err)
		}
		return ""
	})
	if _, err := east.StartCopyJob(ctx, &backup.StartCopyJobInput{SourceBackupVaultName: aws.String("prod"), RecoveryPointArn: job.RecoveryPointArn,
		DestinationBackupVaultArn: aws.String("arn:aws:backup:us-west-2:123456789012:backup-vault:dr"), IamRoleArn: role}); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, time.Minute, func() string {
		points, err := west.ListRecoveryPointsByBackupVault(ctx, &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String("dr")})
		if err != nil || len(points.RecoveryPoints) != 1 {
			return fmt.Sprintf("dr holds %v (%v), want the copy", points, err)
		}
		return ""
	})

	p := openConsole(t, srv)
	p.open("")
	p.click("link", "EFS")
	p.waitText("[aria-label='File systems']", "shared")
	p.waitText("[aria-label='File systems']", "Encrypted")
	p.waitText("[aria-label='File systems']", "Enabled")
	p.waitText("[aria-label='File systems']", "in us-west-2: ")
	section := "[aria-label='Recovery points of " + fs.FileSystemId + "']"
	p.waitText(section, aws.ToString(job.RecoveryPointArn))
	p.waitText(section, "arn:aws:backup:us-west-2:") // the copy, listed in its own Region
	p.screenshot("efs-file-systems")
	p.click("link", aws.ToString(job.RecoveryPointArn))
	p.waitText("main", "COMPLETED")
	p.waitText("main", fsARN)
}
