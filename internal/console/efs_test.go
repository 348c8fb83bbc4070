package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// efsCall is one EFS REST-JSON call in us-east-1, which must answer want; it decodes the
// answer into out when out is not nil.
func efsCall(t *testing.T, inst *servertest.Instance, method, path, body string, want int, out any) {
	t.Helper()
	status, answer := signedCall(t, inst, "elasticfilesystem", "us-east-1", method, "/2015-02-01/"+path, "application/json", body)
	if status != want {
		t.Fatalf("EFS %s %s: HTTP %d, want %d: %s", method, path, status, want, answer)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			t.Fatal(err)
		}
	}
}

type createdFileSystem struct{ FileSystemId, FileSystemArn string }

// TestFileSystemsShowReplicationBackupsAndRecoveryPoints is the File systems page: a file
// system with automatic backups, replicated to us-west-2 and backed up by AWS Backup with
// a copy in us-west-2, beside one with neither; the replica as us-west-2 shows it.
func TestFileSystemsShowReplicationBackupsAndRecoveryPoints(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	ctx := context.Background()
	var shared, scratch createdFileSystem
	efsCall(t, inst, http.MethodPost, "file-systems", `{"CreationToken":"shared","Encrypted":true,"Backup":true,"Tags":[{"Key":"Name","Value":"shared"}]}`, http.StatusCreated, &shared)
	efsCall(t, inst, http.MethodPost, "file-systems", `{"CreationToken":"scratch"}`, http.StatusCreated, &scratch)
	inst.WaitIdle()
	efsCall(t, inst, http.MethodPost, "file-systems/"+shared.FileSystemId+"/replication-configuration", `{"Destinations":[{"Region":"us-west-2"}]}`, http.StatusOK, nil)

	east, west := backup.NewFromConfig(inst.Config("us-east-1")), backup.NewFromConfig(inst.Config("us-west-2"))
	for client, vault := range map[*backup.Client]string{east: "prod", west: "dr"} {
		if _, err := client.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(vault)}); err != nil {
			t.Fatal(err)
		}
	}
	role := aws.String("arn:aws:iam::" + xtest.Account + ":role/service-role/AWSBackupDefaultServiceRole")
	job, err := east.StartBackupJob(ctx, &backup.StartBackupJobInput{BackupVaultName: aws.String("prod"), ResourceArn: &shared.FileSystemArn, IamRoleArn: role})
	if err != nil {
		t.Fatal(err)
	}
	inst.WaitIdle()
	if _, err := east.StartCopyJob(ctx, &backup.StartCopyJobInput{SourceBackupVaultName: aws.String("prod"), RecoveryPointArn: job.RecoveryPointArn,
		DestinationBackupVaultArn: aws.String("arn:aws:backup:us-west-2:" + xtest.Account + ":backup-vault:dr"), IamRoleArn: role}); err != nil {
		t.Fatal(err)
	}
	inst.WaitIdle()

	status, body := v.get(prefix + "efs")
	if status != http.StatusOK {
		t.Fatalf("File systems: %d\n%s", status, body)
	}
	wantIn(t, body, "<h1>File systems</h1>", `aria-label="File systems"`, "<td>shared</td>", shared.FileSystemId, scratch.FileSystemId,
		"available", "Encrypted", "Unencrypted", "<td>Enabled</td>", "<td>Disabled</td>",
		"To fs-", " in us-west-2: ", `aria-label="Recovery points of `+shared.FileSystemId+`"`, aws.ToString(job.RecoveryPointArn),
		"<td>prod</td>", "<td>dr</td>", "arn:aws:backup:us-west-2:", "AWS Backup holds no recovery points of this file system.")
	_, body = v.get(prefix)
	wantIn(t, body, "File systems replicated", ">"+shared.FileSystemId+"</a> → us-west-2")
	_, body = v.get(prefix + "efs?region=us-west-2")
	wantIn(t, body, "Replica of "+shared.FileSystemId+" in us-east-1")

	// A Region that is down is not read; the page says so.
	inst.SetUnreachable("us-west-2", true)
	_, body = v.get(prefix + "efs")
	wantIn(t, body, "us-west-2 is down: recovery points in its vaults are not shown.")
}
