// The cross-Region data protection flows with the AWS SDK for JavaScript v3: a secret
// replicated to another Region, KMS per Region, RDS automated backups replicated to
// us-west-2 (with the presigned URL the SDK builds from SourceRegion), and an AWS Backup
// copy re-encrypted with the destination vault's key. Run by e2e/js_test.go with
// XREGION_ENDPOINT set; prints "ok" and exits 0 when every check holds.
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  SecretsManagerClient, CreateSecretCommand, ReplicateSecretToRegionsCommand, DescribeSecretCommand,
  GetSecretValueCommand, ResourceNotFoundException,
} from "@aws-sdk/client-secrets-manager";
import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand } from "@aws-sdk/client-kms";
import {
  RDSClient, CreateDBInstanceCommand, DescribeDBInstancesCommand, StartDBInstanceAutomatedBackupsReplicationCommand,
  DescribeDBInstanceAutomatedBackupsCommand, DBInstanceNotFoundFault,
} from "@aws-sdk/client-rds";
import {
  BackupClient, CreateBackupVaultCommand, StartBackupJobCommand, DescribeBackupJobCommand, StartCopyJobCommand,
  DescribeCopyJobCommand, ListRecoveryPointsByBackupVaultCommand,
} from "@aws-sdk/client-backup";

const endpoint = process.env.XREGION_ENDPOINT;
const credentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const client = (C, region) => new C({ region, endpoint, credentials, maxAttempts: 2 });
const role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole";

// waitFor polls until fn answers want (the server's transitions are immediate here).
async function waitFor(what, fn, want) {
  let got;
  for (let i = 0; i < 500; i++) {
    got = await fn();
    if (got === want) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} is still ${got}, want ${want}`);
}

const me = await client(STSClient, "us-east-1").send(new GetCallerIdentityCommand({}));
assert.equal(me.Account, "123456789012");

// Secrets Manager: a replica that really exists in eu-west-3.
const sm = client(SecretsManagerClient, "us-east-1");
const secret = await sm.send(new CreateSecretCommand({ Name: "js-secret", SecretString: "s3cr3t" }));
const replicated = await sm.send(new ReplicateSecretToRegionsCommand({ SecretId: "js-secret", AddReplicaRegions: [{ Region: "eu-west-3" }] }));
assert.equal(replicated.ReplicationStatus[0].Status, "InProgress");
await waitFor("the replica", async () => (await sm.send(new DescribeSecretCommand({ SecretId: "js-secret" }))).ReplicationStatus[0].Status, "InSync");
const replica = await client(SecretsManagerClient, "eu-west-3").send(new GetSecretValueCommand({ SecretId: "js-secret" }));
assert.equal(replica.SecretString, "s3cr3t");
assert.equal(replica.ARN, secret.ARN.replace(":us-east-1:", ":eu-west-3:"));
await assert.rejects(client(SecretsManagerClient, "us-west-2").send(new GetSecretValueCommand({ SecretId: "js-secret" })), ResourceNotFoundException);

// KMS: real cryptography, per Region.
const kms = client(KMSClient, "us-east-1");
const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata;
const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("hello") }))).CiphertextBlob;
assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext).toString(), "hello");
await assert.rejects(client(KMSClient, "us-west-2").send(new DecryptCommand({ CiphertextBlob: blob })));
const westKey = (await client(KMSClient, "us-west-2").send(new CreateKeyCommand({}))).KeyMetadata.Arn;

// RDS: automated backups replicated to us-west-2.
const rds = client(RDSClient, "us-east-1");
const db = (await rds.send(new CreateDBInstanceCommand({
  DBInstanceIdentifier: "jsdb", Engine: "postgres", EngineVersion: "13.4", DBInstanceClass: "db.t3.micro",
  AllocatedStorage: 20, MasterUsername: "admin1", MasterUserPassword: "secretpass1", BackupRetentionPeriod: 7,
  StorageEncrypted: true,
}))).DBInstance;
await waitFor("the instance", async () => (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "jsdb" }))).DBInstances[0].DBInstanceStatus, "available");
await assert.rejects(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "nope" })), DBInstanceNotFoundFault);
const west = client(RDSClient, "us-west-2");
const started = (await west.send(new StartDBInstanceAutomatedBackupsReplicationCommand({
  SourceDBInstanceArn: db.DBInstanceArn, KmsKeyId: westKey, SourceRegion: "us-east-1",
}))).DBInstanceAutomatedBackup;
assert.equal(started.Status, "pending");
await waitFor("the replication", async () => (await west.send(new DescribeDBInstanceAutomatedBackupsCommand({
  DBInstanceAutomatedBackupsArn: started.DBInstanceAutomatedBackupsArn,
}))).DBInstanceAutomatedBackups[0].Status, "replicating");

// AWS Backup: back up the instance, copy the recovery point to us-west-2.
const east = client(BackupClient, "us-east-1"), westBackup = client(BackupClient, "us-west-2");
await east.send(new CreateBackupVaultCommand({ BackupVaultName: "prod" }));
const dr = (await westBackup.send(new CreateBackupVaultCommand({ BackupVaultName: "dr", EncryptionKeyArn: westKey }))).BackupVaultArn;
const job = await east.send(new StartBackupJobCommand({ BackupVaultName: "prod", ResourceArn: db.DBInstanceArn, IamRoleArn: role }));
await waitFor("the backup job", async () => (await east.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }))).State, "COMPLETED");
const copy = await east.send(new StartCopyJobCommand({
  RecoveryPointArn: job.RecoveryPointArn, SourceBackupVaultName: "prod", DestinationBackupVaultArn: dr, IamRoleArn: role,
}));
await waitFor("the copy job", async () => (await east.send(new DescribeCopyJobCommand({ CopyJobId: copy.CopyJobId }))).CopyJob.State, "COMPLETED");
const points = (await westBackup.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: "dr" }))).RecoveryPoints;
assert.equal(points.length, 1);
assert.equal(points[0].EncryptionKeyArn, westKey);
assert.ok(points[0].CreationDate instanceof Date);

console.log("ok");
