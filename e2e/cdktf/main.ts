// Seed 000 (/work/shared/seeds/000_*.txt: Terraform's aws_db_instance_automated_backups_replication
// documentation, converted to CDK for Terraform in Python) translated line by line into
// TypeScript, its three examples in one stack, pointed at xregion.
//
// Where the translation departs from the seed, and why:
//   - Each example is a Construct in one stack (seed-000) rather than a stack of its own,
//     so one deploy applies all three. The construct ids stay the seed's ("default", ...);
//     the scopes keep them apart.
//   - provider="aws.replica" in the seed's Python names the provider by string, which the
//     generated bindings reject (the meta-argument is a TerraformProvider); the
//     TypeScript passes the provider object itself.
//   - The first two examples name a source instance (mydatabase in us-west-2) that the
//     seed assumes exists; the stack creates it, in SourceInstances below. A source
//     instance replicates to a Region once, so the KMS example replicates a second,
//     encrypted instance, and its key is one the stack creates in us-east-1 instead of the
//     placeholder ARN 12345678-1234-1234-1234-123456789012.
//   - Every provider gets xregion's endpoint and test credentials (atXregion).
import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack, Token } from "cdktf";
import { AwsProvider, AwsProviderConfig } from "./.gen/providers/aws/provider";
import { DbInstance } from "./.gen/providers/aws/db-instance";
import { DbInstanceAutomatedBackupsReplication } from "./.gen/providers/aws/db-instance-automated-backups-replication";
import { KmsKey } from "./.gen/providers/aws/kms-key";

const endpoint = process.env.XREGION_ENDPOINT;
if (!endpoint) {
  throw new Error("XREGION_ENDPOINT must name the xregion server, e.g. http://127.0.0.1:4566");
}

// atXregion is what a provider needs to talk to xregion instead of AWS.
function atXregion(): Partial<AwsProviderConfig> {
  return {
    accessKey: "AKIAIOSFODNN7EXAMPLE",
    secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: "true",
    skipRegionValidation: true,
    maxRetries: 3,
    endpoints: [{ kms: endpoint, rds: endpoint, sts: endpoint, iam: endpoint }],
  };
}

// Example Usage.
class MyConvertedCode1 extends Construct {
  constructor(scope: Construct, name: string, source: DbInstance) {
    super(scope, name);
    new DbInstanceAutomatedBackupsReplication(this, "default", {
      retentionPeriod: 14,
      sourceDbInstanceArn: "arn:aws:rds:us-west-2:123456789012:db:mydatabase",
      // The ARN is a literal, so the instance it names must be created first and deleted last.
      dependsOn: [source],
    });
  }
}

// Encrypting the automated backup with KMS.
class MyConvertedCode2 extends Construct {
  constructor(scope: Construct, name: string, source: DbInstance, key: KmsKey) {
    super(scope, name);
    new DbInstanceAutomatedBackupsReplication(this, "default", {
      kmsKeyId: key.arn,
      sourceDbInstanceArn: source.arn,
    });
  }
}

// Example including a RDS DB instance.
class MyConvertedCode3 extends Construct {
  readonly replication: DbInstanceAutomatedBackupsReplication;
  readonly key: KmsKey;
  readonly replica: AwsProvider;

  constructor(scope: Construct, name: string) {
    super(scope, name);
    new AwsProvider(this, "aws", {
      region: "us-east-1",
      ...atXregion(),
    });
    this.replica = new AwsProvider(this, "aws_1", {
      alias: "replica",
      region: "us-west-2",
      ...atXregion(),
    });
    const awsDbInstanceDefault = new DbInstance(this, "default", {
      allocatedStorage: 10,
      backupRetentionPeriod: 7,
      dbName: "mydb",
      engine: "postgres",
      engineVersion: "13.4",
      identifier: "mydb",
      instanceClass: "db.t3.micro",
      password: "mustbeeightcharacters",
      skipFinalSnapshot: true,
      storageEncrypted: true,
      username: "masterusername",
    });
    const awsKmsKeyDefault = new KmsKey(this, "default_3", {
      description: "Encryption key for automated backups",
      provider: this.replica,
    });
    // This allows the Terraform resource name to match the original name. You can remove the call if you don't need them to match.
    awsKmsKeyDefault.overrideLogicalId("default");
    const awsDbInstanceAutomatedBackupsReplicationDefault = new DbInstanceAutomatedBackupsReplication(this, "default_4", {
      kmsKeyId: Token.asString(awsKmsKeyDefault.arn),
      provider: this.replica,
      sourceDbInstanceArn: Token.asString(awsDbInstanceDefault.arn),
    });
    // This allows the Terraform resource name to match the original name. You can remove the call if you don't need them to match.
    awsDbInstanceAutomatedBackupsReplicationDefault.overrideLogicalId("default");
    this.replication = awsDbInstanceAutomatedBackupsReplicationDefault;
    this.key = awsKmsKeyDefault;
  }
}

// SourceInstances are what the first two examples take for granted: instances in
// us-west-2 with automated backups, and a key in us-east-1 for the second.
class SourceInstances extends Construct {
  readonly plain: DbInstance;
  readonly encrypted: DbInstance;
  readonly key: KmsKey;

  constructor(scope: Construct, name: string, west: AwsProvider) {
    super(scope, name);
    const instance = (id: string, identifier: string, storageEncrypted: boolean) =>
      new DbInstance(this, id, {
        provider: west,
        allocatedStorage: 10,
        backupRetentionPeriod: 7,
        engine: "postgres",
        engineVersion: "13.4",
        identifier,
        instanceClass: "db.t3.micro",
        password: "mustbeeightcharacters",
        skipFinalSnapshot: true,
        storageEncrypted,
        username: "masterusername",
      });
    this.plain = instance("plain", "mydatabase", false);
    this.encrypted = instance("encrypted", "mydatabase-encrypted", true);
    this.key = new KmsKey(this, "key", { description: "Encryption key for mydatabase-encrypted's replicated backups" });
  }
}

class Seed000 extends TerraformStack {
  constructor(scope: Construct, name: string) {
    super(scope, name);
    const third = new MyConvertedCode3(this, "example-3");
    const sources = new SourceInstances(this, "sources", third.replica);
    const first = new MyConvertedCode1(this, "example-1", sources.plain);
    const second = new MyConvertedCode2(this, "example-2", sources.encrypted, sources.key);
    const outputs: Record<string, string> = {
      replication_3: third.replication.id,
      key_3: third.key.arn,
      replication_1: (first.node.findChild("default") as DbInstanceAutomatedBackupsReplication).id,
      replication_2: (second.node.findChild("default") as DbInstanceAutomatedBackupsReplication).id,
      key_2: sources.key.arn,
    };
    for (const [id, value] of Object.entries(outputs)) {
      new TerraformOutput(this, id, { value }).overrideLogicalId(id);
    }
  }
}

const app = new App();
new Seed000(app, "seed-000");
app.synth();
