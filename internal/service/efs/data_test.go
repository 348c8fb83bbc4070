package efs_test

import (
	"errors"
	"testing"
	"time"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/port"
)

func TestFilesAreSealed(t *testing.T) {
	e := start(t)
	plain := newFS(t, e, east, "plain")
	encrypted := newFS(t, e, east, "enc", func(in *efsapi.CreateFileSystemRequest) { in.Encrypted = new(true) })
	secret := "the quarterly numbers nobody may read"
	for _, fs := range []*efsapi.FileSystemDescription{plain, encrypted} {
		write(t, e, east, *fs.FileSystemId, "/reports/q3.txt", secret)
		if got := read(t, e, east, *fs.FileSystemId, "/reports/q3.txt"); got != secret {
			t.Errorf("%s read back %q", *fs.FileSystemId, got)
		}
	}
	if storeHolds(t, e, []byte("quarterly numbers")) {
		t.Error("a file's content is stored in plain text")
	}
	// The encrypted file system's data key is KMS's: a disabled key locks its files.
	e.keys.SetState(*encrypted.KmsKeyId, "Disabled")
	if _, err := e.files.ReadFile(e.Account, east, *encrypted.FileSystemId, "/reports/q3.txt"); err == nil {
		t.Error("read a file under a disabled key")
	}
	if got := read(t, e, east, *plain.FileSystemId, "/reports/q3.txt"); got != secret {
		t.Errorf("unencrypted file system: %q", got)
	}
}

func TestFileDataRefusals(t *testing.T) {
	e := start(t)
	created := call(t, e, east, efsapi.OpCreateFileSystem, &efsapi.CreateFileSystemRequest{CreationToken: new("r")})
	id := *created.FileSystemId
	if err := e.files.WriteFile(e.Account, east, id, "/a", []byte("x")); !errors.Is(err, port.ErrFileSystemNotReady) {
		t.Errorf("write while creating: %v", err)
	}
	e.Advance(step)
	for _, path := range []string{"a", "/", "/a//b", "/a/../b", "/./a"} {
		if err := e.files.WriteFile(e.Account, east, id, path, []byte("x")); !errors.Is(err, port.ErrBadPath) {
			t.Errorf("path %q: %v", path, err)
		}
	}
	if _, err := e.files.ReadFile(e.Account, east, id, "/missing"); !errors.Is(err, port.ErrFileNotFound) {
		t.Errorf("missing file: %v", err)
	}
	if err := e.files.WriteFile(e.Account, east, "fs-0123456789abcdef0", "/a", []byte("x")); !errors.Is(err, port.ErrFileSystemNotFound) {
		t.Errorf("missing file system: %v", err)
	}
	write(t, e, east, id, "/a", "one")
	write(t, e, east, id, "/a", "two")
	if err := e.files.DeleteFile(e.Account, east, id, "/a"); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.files.ListFiles(e.Account, east, id); len(list) != 0 {
		t.Errorf("after delete: %+v", list)
	}
	// A file system waiting to be a replication's destination is read-only.
	call(t, e, east, efsapi.OpUpdateFileSystemProtection, &efsapi.UpdateFileSystemProtectionRequest{FileSystemId: new(id), ReplicationOverwriteProtection: new("DISABLED")})
	if err := e.files.WriteFile(e.Account, east, id, "/b", []byte("x")); !errors.Is(err, port.ErrFileSystemReadOnly) {
		t.Errorf("write with protection disabled: %v", err)
	}
}

func TestLifecycleMovesFiles(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "lc", func(in *efsapi.CreateFileSystemRequest) { in.ThroughputMode = new("elastic") })
	id := fs.FileSystemId
	write(t, e, east, *id, "/old", "0123456789")
	write(t, e, east, *id, "/hot", "abcde")
	out := call(t, e, east, efsapi.OpPutLifecycleConfiguration, &efsapi.PutLifecycleConfigurationRequest{FileSystemId: id, LifecyclePolicies: []efsapi.LifecyclePolicy{
		{TransitionToIA: new("AFTER_7_DAYS")}, {TransitionToArchive: new("AFTER_30_DAYS")}, {TransitionToPrimaryStorageClass: new("AFTER_1_ACCESS")}}})
	if len(out.LifecyclePolicies) != 3 {
		t.Fatalf("put %+v", out)
	}
	size := func() *efsapi.FileSystemSize { return describeFS(t, e, east, *id).SizeInBytes }
	if s := size(); *s.Value != 6144+15 || *s.ValueInStandard != 6144+15 {
		t.Errorf("new files: %+v", s)
	}
	e.Advance(8 * 24 * time.Hour)
	read(t, e, east, *id, "/hot") // back to Standard on access
	if s := size(); *s.ValueInIA != 10 || *s.ValueInStandard != 6144+5 {
		t.Errorf("after 8 days: IA %d, Standard %d", *s.ValueInIA, *s.ValueInStandard)
	}
	e.Advance(30 * 24 * time.Hour)
	if s := size(); *s.ValueInArchive != 15 {
		t.Errorf("after 38 days: Archive %d", *s.ValueInArchive)
	}
	bad := [][]efsapi.LifecyclePolicy{
		{{TransitionToIA: new("AFTER_7_DAYS"), TransitionToArchive: new("AFTER_30_DAYS")}},
		{{TransitionToIA: new("AFTER_7_DAYS")}, {TransitionToIA: new("AFTER_14_DAYS")}},
		{{TransitionToIA: new("AFTER_90_DAYS")}, {TransitionToArchive: new("AFTER_30_DAYS")}},
	}
	for _, policies := range bad {
		fails(t, e, east, efsapi.OpPutLifecycleConfiguration, &efsapi.PutLifecycleConfigurationRequest{FileSystemId: id, LifecyclePolicies: policies}, "BadRequest")
	}
	bursting := newFS(t, e, east, "bursting")
	fails(t, e, east, efsapi.OpPutLifecycleConfiguration, &efsapi.PutLifecycleConfigurationRequest{FileSystemId: bursting.FileSystemId,
		LifecyclePolicies: []efsapi.LifecyclePolicy{{TransitionToArchive: new("AFTER_30_DAYS")}}}, "BadRequest")
	call(t, e, east, efsapi.OpPutLifecycleConfiguration, &efsapi.PutLifecycleConfigurationRequest{FileSystemId: id, LifecyclePolicies: []efsapi.LifecyclePolicy{}})
	if got := call(t, e, east, efsapi.OpDescribeLifecycleConfiguration, &efsapi.DescribeLifecycleConfigurationRequest{FileSystemId: id}); len(got.LifecyclePolicies) != 0 {
		t.Errorf("after removal %+v", got)
	}
}

func TestFileSystemPolicy(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "pol")
	fails(t, e, east, efsapi.OpDescribeFileSystemPolicy, &efsapi.DescribeFileSystemPolicyRequest{FileSystemId: fs.FileSystemId}, "PolicyNotFound")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"elasticfilesystem:ClientMount"}]}`
	call(t, e, east, efsapi.OpPutFileSystemPolicy, &efsapi.PutFileSystemPolicyRequest{FileSystemId: fs.FileSystemId, Policy: new(policy)})
	if got := call(t, e, east, efsapi.OpDescribeFileSystemPolicy, &efsapi.DescribeFileSystemPolicyRequest{FileSystemId: fs.FileSystemId}); *got.Policy != policy {
		t.Errorf("policy %s", *got.Policy)
	}
	for _, bad := range []string{"nope", `{"Statement":[]}`, `{"Statement":{"Effect":"Maybe","Principal":"*","Action":"x"}}`, `{"Statement":[{"Effect":"Allow"}]}`} {
		fails(t, e, east, efsapi.OpPutFileSystemPolicy, &efsapi.PutFileSystemPolicyRequest{FileSystemId: fs.FileSystemId, Policy: new(bad)}, "InvalidPolicyException")
	}
	call(t, e, east, efsapi.OpDeleteFileSystemPolicy, &efsapi.DeleteFileSystemPolicyRequest{FileSystemId: fs.FileSystemId})
	fails(t, e, east, efsapi.OpDescribeFileSystemPolicy, &efsapi.DescribeFileSystemPolicyRequest{FileSystemId: fs.FileSystemId}, "PolicyNotFound")
}
