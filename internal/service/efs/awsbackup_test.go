package efs_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/efs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// protected runs fn with EFS's AWS Backup provider in a transaction, as AWS Backup's
// jobs do.
func protected[T any](t *testing.T, e *env, fn func(p port.Protected, tx kit.Tx) (T, error)) (T, error) {
	t.Helper()
	svc := e.Service("elasticfilesystem").(*efs.Service)
	return kit.Write(svc.Kit, func(tx kit.Tx) (T, error) { return fn(svc.AWSBackup(), tx) })
}

func backupOf(t *testing.T, e *env, fsARN, job string, base port.BlockSet) port.Transfer {
	t.Helper()
	tr, err := protected(t, e, func(p port.Protected, tx kit.Tx) (port.Transfer, error) {
		return p.Backup(tx, port.BackupRequest{Account: e.Account, Region: east, ResourceARN: fsARN, BackupID: job, Base: base})
	})
	if err != nil {
		t.Fatalf("Backup %s: %v", job, err)
	}
	return tr
}

func TestAWSBackupOfAFileSystem(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "bk", func(in *efsapi.CreateFileSystemRequest) {
		in.Encrypted, in.Tags = new(true), []efsapi.Tag{{Key: new("backup"), Value: new("daily")}}
	})
	var b strings.Builder
	for i := 0; b.Len() < 10000; i++ {
		b.WriteString(strconv.Itoa(i * 7919))
	}
	big := "PLAINTEXT-MARKER" + b.String()[:10000-16]
	write(t, e, east, *fs.FileSystemId, "/big.bin", big)
	write(t, e, east, *fs.FileSystemId, "/small.txt", "v1")

	resources, _ := protected(t, e, func(p port.Protected, tx kit.Tx) ([]port.Resource, error) { return p.Resources(tx, e.Account, east) })
	if len(resources) != 1 || resources[0].ARN != *fs.FileSystemArn || resources[0].Tags["backup"] != "daily" {
		t.Errorf("resources %+v", resources)
	}
	first := backupOf(t, e, *fs.FileSystemArn, "job-1", nil)
	if !strings.HasPrefix(first.Image.ARN, "arn:aws:backup:us-east-1:"+e.Account+":recovery-point:") || first.Bytes != 10002 ||
		first.Image.ResourceID != *fs.FileSystemId || !first.Image.Encrypted {
		t.Fatalf("first backup %+v", first)
	}
	if again := backupOf(t, e, *fs.FileSystemArn, "job-1", nil); again.Image.ARN != first.Image.ARN || again.Bytes != first.Bytes {
		t.Errorf("a job run again made %+v", again)
	}
	// The second backup moves only the file that changed.
	write(t, e, east, *fs.FileSystemId, "/small.txt", "v2!")
	second := backupOf(t, e, *fs.FileSystemArn, "job-2", port.SetOf(first.Image.Content))
	if second.Bytes != 3 {
		t.Errorf("incremental backup moved %d bytes, want 3", second.Bytes)
	}

	// A copy to us-west-2 under the vault's key there, then an incremental one.
	westKey := e.keys.AddKey(e.Account, west)
	copyOf := func(img port.Image, job string, base port.BlockSet) port.Transfer {
		tr, err := protected(t, e, func(p port.Protected, tx kit.Tx) (port.Transfer, error) {
			return p.Copy(tx, port.CopyRequest{Account: e.Account, Region: west, ImageARN: img.ARN, ImageAccount: e.Account, CopyID: job, KeyARN: westKey, Base: base})
		})
		if err != nil {
			t.Fatalf("Copy: %v", err)
		}
		return tr
	}
	c1 := copyOf(first.Image, "copy-1", nil)
	c2 := copyOf(second.Image, "copy-2", port.SetOf(c1.Image.Content))
	if c1.Bytes != 10002 || c2.Bytes != 3 || c2.Image.KmsKeyARN != westKey || !strings.Contains(c2.Image.ARN, ":us-west-2:") {
		t.Errorf("copies %+v / %+v", c1, c2)
	}
	if storeHolds(t, e, []byte("PLAINTEXT-MARKER")) {
		t.Error("a recovery point holds file data in plain text")
	}

	// Restore the copy in us-west-2 as a new file system.
	restored, err := protected(t, e, func(p port.Protected, tx kit.Tx) (string, error) {
		return p.Restore(tx, e.Account, west, c2.Image.ARN, map[string]string{"newFileSystem": "true", "Encrypted": "true"})
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Advance(step)
	newID := restored[strings.LastIndex(restored, "/")+1:]
	if got := read(t, e, west, newID, "/small.txt"); got != "v2!" {
		t.Errorf("restored %q", got)
	}
	if got := read(t, e, west, newID, "/big.bin"); got != big {
		t.Errorf("restored big.bin of %d bytes", len(got))
	}

	// Restore the first backup into the file system itself, one item only.
	inPlace, err := protected(t, e, func(p port.Protected, tx kit.Tx) (string, error) {
		return p.Restore(tx, e.Account, east, first.Image.ARN, map[string]string{"newFileSystem": "false", "ItemsToRestore": `["/small.txt"]`})
	})
	if err != nil || inPlace != *fs.FileSystemArn {
		t.Fatalf("restore in place: %s %v", inPlace, err)
	}
	list, _ := e.files.ListFiles(e.Account, east, *fs.FileSystemId)
	var restoredPath string
	for _, f := range list {
		if strings.HasPrefix(f.Path, "/aws-backup-restore_") {
			restoredPath = f.Path
		}
	}
	if len(list) != 3 || !strings.HasSuffix(restoredPath, "/small.txt") || read(t, e, east, *fs.FileSystemId, restoredPath) != "v1" {
		t.Errorf("files after the restore in place: %+v", list)
	}

	// Deleting a recovery point removes its data; a second delete is not an error.
	for range 2 {
		if _, err := protected(t, e, func(p port.Protected, tx kit.Tx) (any, error) {
			return nil, p.Delete(tx, e.Account, west, c1.Image.ARN)
		}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = protected(t, e, func(p port.Protected, tx kit.Tx) (string, error) {
		return p.Restore(tx, e.Account, west, c1.Image.ARN, nil)
	})
	if !errors.Is(err, port.ErrCannotProtect) {
		t.Errorf("restore of a deleted recovery point: %v", err)
	}
}

func TestAWSBackupRefusals(t *testing.T) {
	e := start(t)
	created := call(t, e, east, efsapi.OpCreateFileSystem, &efsapi.CreateFileSystemRequest{CreationToken: new("c")})
	_, err := protected(t, e, func(p port.Protected, tx kit.Tx) (port.Transfer, error) {
		return p.Backup(tx, port.BackupRequest{Account: e.Account, Region: east, ResourceARN: *created.FileSystemArn, BackupID: "j"})
	})
	if !errors.Is(err, port.ErrNotReady) {
		t.Errorf("backup of a creating file system: %v", err)
	}
	for _, bad := range []string{"arn:aws:elasticfilesystem:us-west-2:" + e.Account + ":file-system/" + *created.FileSystemId, "arn:aws:rds:us-east-1:" + e.Account + ":db:x"} {
		_, err := protected(t, e, func(p port.Protected, tx kit.Tx) (port.Transfer, error) {
			return p.Backup(tx, port.BackupRequest{Account: e.Account, Region: east, ResourceARN: bad, BackupID: "j"})
		})
		if !errors.Is(err, port.ErrCannotProtect) {
			t.Errorf("backup of %s: %v", bad, err)
		}
	}
}

// TestAutomaticBackups: turning automatic backups on asks AWS Backup for its automatic
// plan, and puts the file system in the plan's selection by AWS's system tag, which the
// tag APIs do not show; turning them off takes it out.
func TestAutomaticBackups(t *testing.T) {
	e := start(t)
	on := newFS(t, e, east, "auto", func(in *efsapi.CreateFileSystemRequest) { in.Backup = new(true) })
	off := newFS(t, e, east, "manual")
	if len(e.plans.asked) != 1 || e.plans.asked[0] != e.Account+"/us-east-1/aws/efs/automatic-backup-plan" {
		t.Fatalf("plans asked for: %v", e.plans.asked)
	}
	m := e.plans.last
	if m.Vault != "aws/efs/automatic-backup-vault" || m.Schedule != "cron(0 5 ? * * *)" || m.DeleteAfterDays != 35 ||
		m.TagKey != "aws:elasticfilesystem:default-backup" || m.TagValue != "enabled" || m.Role.Name != "AWSServiceRoleForBackup" {
		t.Errorf("plan %+v", m)
	}
	tagged := func() map[string]bool {
		resources, err := protected(t, e, func(p port.Protected, tx kit.Tx) ([]port.Resource, error) { return p.Resources(tx, e.Account, east) })
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, r := range resources {
			out[r.ARN] = r.Tags["aws:elasticfilesystem:default-backup"] == "enabled"
		}
		return out
	}
	if got := tagged(); !got[*on.FileSystemArn] || got[*off.FileSystemArn] {
		t.Errorf("selected by the system tag: %v", got)
	}
	if tags := call(t, e, east, efsapi.OpListTagsForResource, &efsapi.ListTagsForResourceRequest{ResourceId: on.FileSystemId}); len(tags.Tags) != 0 {
		t.Errorf("the tag APIs show %v", tags.Tags)
	}

	policy := func(id *string, status string) {
		call(t, e, east, efsapi.OpPutBackupPolicy, &efsapi.PutBackupPolicyRequest{FileSystemId: id, BackupPolicy: &efsapi.BackupPolicy{Status: new(status)}})
	}
	policy(on.FileSystemId, "DISABLED")
	policy(off.FileSystemId, "ENABLED")
	if got := tagged(); got[*on.FileSystemArn] || !got[*off.FileSystemArn] {
		t.Errorf("after the policies changed: %v", got)
	}
	if len(e.plans.asked) != 2 {
		t.Errorf("plans asked for: %v", e.plans.asked)
	}
}

// TestRestoreMetadata: an EFS recovery point's restore metadata is EFS's keys, and given
// back as it is, it restores a new file system like the one backed up.
func TestRestoreMetadata(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "meta", func(in *efsapi.CreateFileSystemRequest) {
		in.Encrypted, in.PerformanceMode = new(true), new("maxIO")
	})
	write(t, e, east, *fs.FileSystemId, "/a.txt", "metadata")
	img := backupOf(t, e, *fs.FileSystemArn, "job-m", nil).Image
	meta, err := protected(t, e, func(p port.Protected, tx kit.Tx) (map[string]string, error) {
		return p.(port.RestoreMetadata).RestoreMetadata(tx, e.Account, east, img.ARN)
	})
	if err != nil {
		t.Fatal(err)
	}
	if meta["file-system-id"] != *fs.FileSystemId || meta["Encrypted"] != "true" || meta["KmsKeyId"] != *fs.KmsKeyId ||
		meta["PerformanceMode"] != "maxIO" || meta["newFileSystem"] != "true" || meta["CreationToken"] == "" || len(meta) != 6 {
		t.Errorf("restore metadata %v", meta)
	}
	restored, err := protected(t, e, func(p port.Protected, tx kit.Tx) (string, error) {
		return p.Restore(tx, e.Account, east, img.ARN, meta)
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Advance(step)
	got := describeFS(t, e, east, restored[strings.LastIndex(restored, "/")+1:])
	if *got.CreationToken != meta["CreationToken"] || *got.PerformanceMode != "maxIO" || !*got.Encrypted || read(t, e, east, *got.FileSystemId, "/a.txt") != "metadata" {
		t.Errorf("restored %+v", got)
	}
	if _, err := protected(t, e, func(p port.Protected, tx kit.Tx) (map[string]string, error) {
		return p.(port.RestoreMetadata).RestoreMetadata(tx, e.Account, west, img.ARN)
	}); !errors.Is(err, port.ErrCannotProtect) {
		t.Errorf("metadata asked in another Region: %v", err)
	}
}
