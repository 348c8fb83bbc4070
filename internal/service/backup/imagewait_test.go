package backup_test

import (
	"sync"
	"testing"
	"time"

	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// slowProtector is the fake RDS whose images take their data after Backup and Copy
// answer, as a real database's base backup does: each new image is pending until the
// test finishes or fails it.
type slowProtector struct {
	*protector
	mu    sync.Mutex
	state map[string]error // by image ARN: nil once done
	asked int              // ImageDone calls
}

var _ port.ImageProgress = (*slowProtector)(nil)

func (p *slowProtector) Backup(tx kit.Tx, req port.BackupRequest) (port.Transfer, error) {
	return p.pending(p.protector.Backup(tx, req))
}

func (p *slowProtector) Copy(tx kit.Tx, req port.CopyRequest) (port.Transfer, error) {
	return p.pending(p.protector.Copy(tx, req))
}

func (p *slowProtector) pending(tr port.Transfer, err error) (port.Transfer, error) {
	if err == nil {
		p.set(tr.Image.ARN, port.NotReady("the data of %s is being taken", tr.Image.ARN))
	}
	return tr, err
}

func (p *slowProtector) set(imageARN string, state error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state[imageARN] = state
}

func (p *slowProtector) ImageDone(_ kit.Tx, _, _, imageARN string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked++
	return p.state[imageARN]
}

// slowAlone is AWS Backup by itself over a slowProtector, with vault prod in us-east-1,
// vault dr in us-west-2 and instance mydb.
func slowAlone(t *testing.T) (*kittest.Harness, *slowProtector, string, string) {
	rds := &slowProtector{protector: newProtector(), state: map[string]error{}}
	h := kittest.Start(t, []string{"backup"}, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, kittest.NewKeyRing())
		service.Provide[port.Protected](p, rds)
		fake := newRoles()
		service.Provide[port.Roles](p, fake)
		service.Provide[port.ServiceRoles](p, fake)
	}))
	db := rds.add(kittest.Account, "us-east-1", "mydb", nil)
	kittest.Must[*bk.CreateBackupVaultOutput](t)(kittest.Call(h, "us-east-1", bk.OpCreateBackupVault, &bk.CreateBackupVaultInput{BackupVaultName: new("prod")}))
	dr := kittest.Must[*bk.CreateBackupVaultOutput](t)(kittest.Call(h, "us-west-2", bk.OpCreateBackupVault, &bk.CreateBackupVaultInput{BackupVaultName: new("dr")}))
	return h, rds, db, *dr.BackupVaultArn
}

func startSlowBackup(t *testing.T, h *kittest.Harness, db string, completeMinutes *int64) *bk.StartBackupJobOutput {
	t.Helper()
	return kittest.Must[*bk.StartBackupJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpStartBackupJob, &bk.StartBackupJobInput{
		BackupVaultName: new("prod"), ResourceArn: new(db), IamRoleArn: new(role), CompleteWindowMinutes: completeMinutes,
	}))
}

func describeBackupJob(t *testing.T, h *kittest.Harness, id *string) *bk.DescribeBackupJobOutput {
	t.Helper()
	return kittest.Must[*bk.DescribeBackupJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpDescribeBackupJob, &bk.DescribeBackupJobInput{BackupJobId: id}))
}

func vaultPoints(t *testing.T, h *kittest.Harness, region, vault string) int {
	t.Helper()
	out := kittest.Must[*bk.ListRecoveryPointsByBackupVaultOutput](t)(kittest.Call(h, region, bk.OpListRecoveryPointsByBackupVault,
		&bk.ListRecoveryPointsByBackupVaultInput{BackupVaultName: new(vault)}))
	return len(out.RecoveryPoints)
}

// TestJobsWaitForTheImagesData: a backup job whose image is still being taken stays
// RUNNING, with no recovery point, until the provider has its data; then it completes.
// A copy of it waits for its own data the same way.
func TestJobsWaitForTheImagesData(t *testing.T) {
	h, rds, db, drARN := slowAlone(t)
	started := startSlowBackup(t, h, db, nil)
	for range 10 {
		h.Advance(time.Second)
	}
	j := describeBackupJob(t, h, started.BackupJobId)
	if *j.State != bk.BackupJobStateRunning || vaultPoints(t, h, "us-east-1", "prod") != 0 {
		t.Fatalf("backup job %s with %d recovery points while its image's data is being taken", *j.State, vaultPoints(t, h, "us-east-1", "prod"))
	}
	if rds.asked < 5 {
		t.Errorf("the provider was asked %d times in ten seconds whether the image was done", rds.asked)
	}
	rds.set(*started.RecoveryPointArn, nil)
	h.Advance(time.Second)
	if j := describeBackupJob(t, h, started.BackupJobId); *j.State != bk.BackupJobStateCompleted || vaultPoints(t, h, "us-east-1", "prod") != 1 {
		t.Fatalf("backup job %s once its image is done", *j.State)
	}

	cp := kittest.Must[*bk.StartCopyJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpStartCopyJob, &bk.StartCopyJobInput{
		RecoveryPointArn: started.RecoveryPointArn, SourceBackupVaultName: new("prod"), DestinationBackupVaultArn: new(drARN), IamRoleArn: new(role),
	}))
	copyJob := func() *bk.CopyJob {
		return kittest.Must[*bk.DescribeCopyJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpDescribeCopyJob, &bk.DescribeCopyJobInput{CopyJobId: cp.CopyJobId})).CopyJob
	}
	h.Advance(3 * time.Second)
	got := copyJob()
	if *got.State != bk.CopyJobStateRunning || vaultPoints(t, h, "us-west-2", "dr") != 0 {
		t.Fatalf("copy job %s while its data is being copied", *got.State)
	}
	rds.mu.Lock()
	for arn := range rds.state {
		rds.state[arn] = nil
	}
	rds.mu.Unlock()
	h.Advance(time.Second)
	if got := copyJob(); *got.State != bk.CopyJobStateCompleted || vaultPoints(t, h, "us-west-2", "dr") != 1 {
		t.Errorf("copy job %s once its data is there", *got.State)
	}
}

// TestJobsFailWithTheImagesFailure: an image whose data cannot be taken fails its job
// with the provider's reason as StatusMessage, leaves no recovery point and deletes the
// image; one still pending when the completion window closes expires the job.
func TestJobsFailWithTheImagesFailure(t *testing.T) {
	h, rds, db, _ := slowAlone(t)
	started := startSlowBackup(t, h, db, nil)
	h.Advance(2 * time.Second)
	const why = "The data of DB snapshot x could not be taken: pg_basebackup failed"
	rds.set(*started.RecoveryPointArn, port.CannotProtect(why))
	h.Advance(time.Second)
	j := describeBackupJob(t, h, started.BackupJobId)
	if *j.State != bk.BackupJobStateFailed || deref(j.StatusMessage) != why {
		t.Errorf("backup job %s (%q), want FAILED with the provider's reason", *j.State, deref(j.StatusMessage))
	}
	rds.protector.mu.Lock()
	_, kept := rds.images[*started.RecoveryPointArn]
	rds.protector.mu.Unlock()
	if kept || vaultPoints(t, h, "us-east-1", "prod") != 0 {
		t.Errorf("a failed job kept its image (%t) or made a recovery point", kept)
	}

	late := startSlowBackup(t, h, db, new(int64(120)))
	for range 3 {
		h.Advance(time.Hour)
	}
	if j := describeBackupJob(t, h, late.BackupJobId); *j.State != bk.BackupJobStateExpired {
		t.Errorf("a job whose image is not done when its completion window closes is %s", *j.State)
	}
}
