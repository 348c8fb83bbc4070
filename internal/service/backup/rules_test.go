package backup_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/reportfiles"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// otherAccount is the account of cross-account copies.
const otherAccount = "210987654321"

// solo is AWS Backup by itself, with a fake key ring and fake providers.
type solo struct {
	t       *testing.T
	h       *kittest.Harness
	keys    *kittest.KeyRing
	roles   *roles
	sns     *notifier
	reports *reportfiles.Store
}

func startSolo(t *testing.T, providers []*protector, opts ...kittest.Option) *solo {
	keys, fake, sns, reports := kittest.NewKeyRing(), newRoles(), &notifier{topics: map[string]bool{}}, reportfiles.New("")
	opts = append(opts, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.Notifier](p, sns)
		service.Provide[port.Reports](p, reports)
		service.Provide[port.KeyRing](p, keys)
		service.Provide[port.Roles](p, fake)
		service.Provide[port.ServiceRoles](p, fake)
		for _, pr := range providers {
			service.Provide[port.Protected](p, port.Protected(pr))
		}
	}))
	return &solo{t: t, h: kittest.Start(t, []string{"backup"}, opts...), keys: keys, roles: fake, sns: sns, reports: reports}
}

// as runs f with the calls made in account.
func (s *solo) as(account string, f func()) {
	was := s.h.Account
	s.h.Account = account
	defer func() { s.h.Account = was }()
	f()
}

// vault creates a vault, with its own key when withKey, and returns its ARN.
func (s *solo) vault(region, name string, withKey bool) (vaultARN, keyARN string) {
	s.t.Helper()
	in := &bk.CreateBackupVaultInput{BackupVaultName: new(name)}
	if withKey {
		keyARN = s.keys.AddKey(s.h.Account, region)
		in.EncryptionKeyArn = new(keyARN)
	}
	out := kittest.Must[*bk.CreateBackupVaultOutput](s.t)(kittest.Call(s.h, region, bk.OpCreateBackupVault, in))
	return *out.BackupVaultArn, keyARN
}

// backUp starts a backup job, runs what falls due now and returns the job.
func (s *solo) backUp(region, vault, resourceARN string, edit ...func(*bk.StartBackupJobInput)) *bk.DescribeBackupJobOutput {
	s.t.Helper()
	in := &bk.StartBackupJobInput{BackupVaultName: new(vault), ResourceArn: new(resourceARN), IamRoleArn: new(role)}
	for _, e := range edit {
		e(in)
	}
	started := kittest.Must[*bk.StartBackupJobOutput](s.t)(kittest.Call(s.h, region, bk.OpStartBackupJob, in))
	s.h.Advance(0)
	return s.backupJob(region, *started.BackupJobId)
}

func (s *solo) backupJob(region, id string) *bk.DescribeBackupJobOutput {
	s.t.Helper()
	return kittest.Must[*bk.DescribeBackupJobOutput](s.t)(kittest.Call(s.h, region, bk.OpDescribeBackupJob, &bk.DescribeBackupJobInput{BackupJobId: new(id)}))
}

// copy starts a copy job, runs what falls due now and returns the job.
func (s *solo) copy(region, vault, rpARN, dstARN string) *bk.CopyJob {
	s.t.Helper()
	started := kittest.Must[*bk.StartCopyJobOutput](s.t)(kittest.Call(s.h, region, bk.OpStartCopyJob, &bk.StartCopyJobInput{
		RecoveryPointArn: new(rpARN), SourceBackupVaultName: new(vault), DestinationBackupVaultArn: new(dstARN), IamRoleArn: new(role),
	}))
	s.h.Advance(0)
	return kittest.Must[*bk.DescribeCopyJobOutput](s.t)(kittest.Call(s.h, region, bk.OpDescribeCopyJob, &bk.DescribeCopyJobInput{CopyJobId: started.CopyJobId})).CopyJob
}

// movedBy is the bytes the engine's last step of an AWS Backup job reported moving, as
// the admin jobs view shows them.
func (s *solo) movedBy(jobID string) int64 {
	s.t.Helper()
	return *s.movingStep(jobID).Bytes
}

// movingStep is the payload of the engine's step that ends an AWS Backup job's transfer:
// the bytes, and what moved where (nil when the job was cut short).
type movingStep struct {
	AWSJobID string            `json:"awsJobId"`
	Bytes    *int64            `json:"bytesTransferred"`
	Transfer map[string]string `json:"transfer"`
}

func (s *solo) movingStep(jobID string) movingStep {
	s.t.Helper()
	_, recent := s.h.Engine.Jobs()
	for _, f := range recent {
		var ref movingStep
		if json.Unmarshal(f.Job.Payload, &ref) == nil && ref.AWSJobID == jobID && ref.Bytes != nil {
			return ref
		}
	}
	s.t.Fatalf("no step of job %s reported the bytes it moved", jobID)
	return movingStep{}
}

func wantMessage(t *testing.T, err error, kind awserr.Kind, text string) {
	t.Helper()
	e := awserr.As(err)
	if e == nil || e.Code != kind.Code || !strings.Contains(e.Message, text) {
		t.Fatalf("error %v, want %s containing %q", err, kind.Code, text)
	}
}

// TestNoCopiesIntoOrOutOfTheSeedsFourRegions: Hong Kong, Bahrain, Milan and Cape Town
// take no part in cross-Region copy, either way, with StartCopyJob or a plan's copy
// action; a copy within one of them is allowed.
func TestNoCopiesIntoOrOutOfTheSeedsFourRegions(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	names := map[string]string{"ap-east-1": "Asia Pacific (Hong Kong)", "me-south-1": "Middle East (Bahrain)", "eu-south-1": "Europe (Milan)", "af-south-1": "Africa (Cape Town)"}
	s.vault("us-east-1", "prod", false)
	rp := *s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db", nil)).RecoveryPointArn
	for region, name := range names {
		there, _ := s.vault(region, "dr", false)
		_, err := kittest.Call(s.h, "us-east-1", bk.OpStartCopyJob, &bk.StartCopyJobInput{
			RecoveryPointArn: new(rp), SourceBackupVaultName: new("prod"), DestinationBackupVaultArn: new(there), IamRoleArn: new(role),
		})
		wantMessage(t, err, bk.ErrInvalidParameterValue, "Copy job from us-east-1 to "+region+" cannot be initiated. Cross-Region copy is not supported in "+name+" ("+region+")")
		rule := bk.BackupRuleInput{RuleName: new("daily"), TargetBackupVaultName: new("prod"), ScheduleExpression: new("cron(0 5 ? * * *)"),
			CopyActions: []bk.CopyAction{{DestinationBackupVaultArn: new(there)}}}
		_, err = kittest.Call(s.h, "us-east-1", bk.OpCreateBackupPlan, &bk.CreateBackupPlanInput{BackupPlan: &bk.BackupPlanInput{BackupPlanName: new("p"), Rules: []bk.BackupRuleInput{rule}}})
		wantMessage(t, err, bk.ErrInvalidParameterValue, "Error in rule daily : Copy job from us-east-1 to "+region)

		// Out of the Region: refused; within it: a copy like any other.
		local := *s.backUp(region, "dr", rds.add(kittest.Account, region, "db", nil)).RecoveryPointArn
		east := "arn:aws:backup:us-east-1:" + kittest.Account + ":backup-vault:prod"
		_, err = kittest.Call(s.h, region, bk.OpStartCopyJob, &bk.StartCopyJobInput{
			RecoveryPointArn: new(local), SourceBackupVaultName: new("dr"), DestinationBackupVaultArn: new(east), IamRoleArn: new(role),
		})
		wantMessage(t, err, bk.ErrInvalidParameterValue, "Cross-Region copy is not supported in "+name)
		same, _ := s.vault(region, "same", false)
		if j := s.copy(region, "dr", local, same); *j.State != bk.CopyJobStateCompleted {
			t.Errorf("a copy within %s: %s (%s)", region, *j.State, deref(j.StatusMessage))
		}
	}
}

// TestCopiesMoveOnlyWhatTheDestinationLacks: the first backup and copy of a resource move
// all of it; later ones move the blocks that changed, and the bytes show as the backup
// job's BytesTransferred and in each job's last engine step.
func TestCopiesMoveOnlyWhatTheDestinationLacks(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	rds.write(db, "a", "a", "a", "a")
	first := s.backUp("us-east-1", "prod", db)
	if *first.BytesTransferred != 4<<20 || s.movedBy(*first.BackupJobId) != 4<<20 {
		t.Errorf("a first backup moved %d bytes, want all %d", *first.BytesTransferred, 4<<20)
	}
	c1 := s.copy("us-east-1", "prod", *first.RecoveryPointArn, west)
	if n := s.movedBy(*c1.CopyJobId); n != 4<<20 {
		t.Errorf("a first copy moved %d bytes, want all %d", n, 4<<20)
	}

	rds.write(db, "a", "b", "a", "c") // two blocks changed
	second := s.backUp("us-east-1", "prod", db)
	if *second.BytesTransferred != 2<<20 {
		t.Errorf("a second backup moved %d bytes, want the %d that changed", *second.BytesTransferred, 2<<20)
	}
	c2 := s.copy("us-east-1", "prod", *second.RecoveryPointArn, west)
	if n := s.movedBy(*c2.CopyJobId); *c2.State != bk.CopyJobStateCompleted || n != 2<<20 {
		t.Errorf("a second copy (%s) moved %d bytes, want %d", *c2.State, n, 2<<20)
	}
	// Once the destination loses what it held, a copy moves everything again.
	for _, rp := range []string{*c1.DestinationRecoveryPointArn, *c2.DestinationRecoveryPointArn} {
		kittest.Must[*awsmodel.Empty](t)(kittest.Call(s.h, "us-west-2", bk.OpDeleteRecoveryPoint, &bk.DeleteRecoveryPointInput{BackupVaultName: new("dr"), RecoveryPointArn: new(rp)}))
	}
	c3 := s.copy("us-east-1", "prod", *second.RecoveryPointArn, west)
	if n := s.movedBy(*c3.CopyJobId); n != 4<<20 {
		t.Errorf("a copy into an emptied vault moved %d bytes, want %d", n, 4<<20)
	}
}

// TestJobsLastAsLongAsTheirBytesTakeToMove: with a transition delay, a large backup runs
// until its bytes have moved, and one that overruns its completion window ends EXPIRED.
func TestJobsLastAsLongAsTheirBytesTakeToMove(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds}, kittest.WithTransitionDelay(time.Minute))
	s.vault("us-east-1", "prod", false)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	rds.resize(db, 5<<40, "v1") // 5 TiB: 85 minutes at 1 GiB/s
	j := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.CompleteWindowMinutes = new(int64(120)) })
	s.h.Advance(time.Minute)
	j = s.backupJob("us-east-1", *j.BackupJobId)
	if *j.State != bk.BackupJobStateRunning || j.ExpectedCompletionDate == nil ||
		j.ExpectedCompletionDate.Sub(kittest.Epoch.Add(time.Minute)) != 5120*time.Second {
		t.Fatalf("a 5 TiB backup: %s, expected at %v", *j.State, j.ExpectedCompletionDate)
	}
	s.h.Advance(80 * time.Minute)
	if j = s.backupJob("us-east-1", *j.BackupJobId); *j.State != bk.BackupJobStateRunning {
		t.Fatalf("after 80 minutes the job is %s", *j.State)
	}
	s.h.Advance(10 * time.Minute)
	if j = s.backupJob("us-east-1", *j.BackupJobId); *j.State != bk.BackupJobStateCompleted {
		t.Fatalf("after 91 minutes the job is %s (%s)", *j.State, deref(j.StatusMessage))
	}

	rds.resize(db, 10<<40, "v2") // 10 TiB: 171 minutes, past a window of 120
	j = s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.CompleteWindowMinutes = new(int64(120)) })
	s.h.Advance(2 * time.Hour)
	j = s.backupJob("us-east-1", *j.BackupJobId)
	if *j.State != bk.BackupJobStateExpired || deref(j.StatusMessage) != "Backup job expired before completion." {
		t.Fatalf("an overrunning job: %s (%s)", *j.State, deref(j.StatusMessage))
	}
	if rps := s.pointsIn("us-east-1", "prod"); len(rps) != 1 {
		t.Errorf("an expired job left a recovery point: %d in the vault", len(rps))
	}
	// Its bytes did not all move: the metrics count none of them.
	if step := s.movingStep(*j.BackupJobId); step.Transfer != nil {
		t.Errorf("an expired job's step names a transfer: %v", step.Transfer)
	}
}

// TestTransfersNameWhatMovedWhere: the steps that end a backup and a copy say what the
// metrics count: the job, its Regions and resource type, with the bytes the jobs show.
func TestTransfersNameWhatMovedWhere(t *testing.T) {
	efs := newProtectorOf("EFS")
	s := startSolo(t, []*protector{efs})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	fs := efs.add(kittest.Account, "us-east-1", "fs-1", nil)
	j := s.backUp("us-east-1", "prod", fs)
	c := s.copy("us-east-1", "prod", *j.RecoveryPointArn, west)
	backup, cp := s.movingStep(*j.BackupJobId), s.movingStep(*c.CopyJobId)
	want := map[string]string{"job": "BACKUP", "source": "us-east-1", "destination": "us-east-1", "resourceType": "EFS"}
	if !maps.Equal(backup.Transfer, want) || *backup.Bytes != *j.BytesTransferred {
		t.Errorf("backup step %v of %d bytes, want %v of %d", backup.Transfer, *backup.Bytes, want, *j.BytesTransferred)
	}
	want = map[string]string{"job": "COPY", "source": "us-east-1", "destination": "us-west-2", "resourceType": "EFS"}
	if !maps.Equal(cp.Transfer, want) || *cp.Bytes == 0 {
		t.Errorf("copy step %v of %d bytes, want %v", cp.Transfer, *cp.Bytes, want)
	}
}

func (s *solo) pointsIn(region, vault string) []bk.RecoveryPointByBackupVault {
	s.t.Helper()
	return kittest.Must[*bk.ListRecoveryPointsByBackupVaultOutput](s.t)(kittest.Call(s.h, region, bk.OpListRecoveryPointsByBackupVault,
		&bk.ListRecoveryPointsByBackupVaultInput{BackupVaultName: new(vault)})).RecoveryPoints
}

// TestBackupWaitsForABusyResourceUntilItsStartWindowCloses: a resource that is not ready
// keeps its job CREATED, retried; when the window closes the job is EXPIRED.
func TestBackupWaitsForABusyResourceUntilItsStartWindowCloses(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	rds.setBusy(db, "modifying")
	j := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.StartWindowMinutes = new(int64(60)) })
	if *j.State != bk.BackupJobStateCreated || deref(j.StatusMessage) != "DB instance is modifying" {
		t.Fatalf("a job of a busy instance: %s (%s)", *j.State, deref(j.StatusMessage))
	}
	s.h.Advance(30 * time.Minute)
	if j = s.backupJob("us-east-1", *j.BackupJobId); *j.State != bk.BackupJobStateCreated {
		t.Fatalf("after 30 minutes: %s", *j.State)
	}
	s.h.Advance(30 * time.Minute)
	j = s.backupJob("us-east-1", *j.BackupJobId)
	if *j.State != bk.BackupJobStateExpired || !strings.HasPrefix(deref(j.StatusMessage), "Backup job could not start within its start window") {
		t.Fatalf("after the window: %s (%s)", *j.State, deref(j.StatusMessage))
	}

	// Ready within its window, a job starts at its next try.
	j = s.backUp("us-east-1", "prod", db)
	rds.setBusy(db, "")
	s.h.Advance(10 * time.Minute)
	if j = s.backupJob("us-east-1", *j.BackupJobId); *j.State != bk.BackupJobStateCompleted {
		t.Fatalf("once ready: %s (%s)", *j.State, deref(j.StatusMessage))
	}
}

// TestCopyFailsWhenTheDestinationKeyCannotEncrypt: the destination vault's key disabled
// or pending deletion fails the copy with KMS's words.
func TestCopyFailsWhenTheDestinationKeyCannotEncrypt(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, key := s.vault("us-west-2", "dr", true)
	rp := *s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db", nil)).RecoveryPointArn
	for state, want := range map[string]string{"Disabled": key + " is disabled.", "PendingDeletion": key + " is pending deletion."} {
		s.keys.SetState(key, state)
		if j := s.copy("us-east-1", "prod", rp, west); *j.State != bk.CopyJobStateFailed || deref(j.StatusMessage) != want {
			t.Errorf("key %s: copy %s (%s), want FAILED (%s)", state, *j.State, deref(j.StatusMessage), want)
		}
	}
	s.keys.SetState(key, "Enabled")
	if j := s.copy("us-east-1", "prod", rp, west); *j.State != bk.CopyJobStateCompleted {
		t.Errorf("key enabled again: copy %s (%s)", *j.State, deref(j.StatusMessage))
	}
}

// allowCopyFrom is a vault access policy that lets account copy into the vault.
func allowCopyFrom(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
		`:root"},"Action":"backup:CopyIntoBackupVault","Resource":"*"}]}`
}

func (s *solo) crossAccount(on bool) {
	s.t.Helper()
	value := "false"
	if on {
		value = "true"
	}
	_, err := kittest.Call(s.h, "us-east-1", bk.OpUpdateGlobalSettings, &bk.UpdateGlobalSettingsInput{GlobalSettings: map[string]string{"isCrossAccountBackupEnabled": value}})
	if err != nil {
		s.t.Fatal(err)
	}
}

// TestCrossAccountCopies: a copy into another account's vault lands there only when
// cross-account backup is on and the vault's policy lets the source account in;
// otherwise it fails with AWS's message. Copying back works the same way. An RDS copy
// cannot cross a Region and an account at once.
func TestCrossAccountCopies(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	var theirs, theirsWest string
	s.as(otherAccount, func() {
		theirs, _ = s.vault("us-east-1", "shared", true)
		theirsWest, _ = s.vault("us-west-2", "shared", true)
	})
	rp := *s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db", nil)).RecoveryPointArn

	j := s.copy("us-east-1", "prod", rp, theirs)
	if *j.State != bk.CopyJobStateFailed || deref(j.StatusMessage) != "Copy job failed. Both source and destination account must be a member of the same organization" {
		t.Errorf("cross-account backup off: %s (%s)", *j.State, deref(j.StatusMessage))
	}
	s.crossAccount(true)
	if j = s.copy("us-east-1", "prod", rp, theirs); *j.State != bk.CopyJobStateFailed || deref(j.StatusMessage) != "Access Denied trying to call AWS Backup service" {
		t.Errorf("no vault policy: %s (%s)", *j.State, deref(j.StatusMessage))
	}
	s.as(otherAccount, func() {
		for _, region := range []string{"us-east-1", "us-west-2"} {
			if _, err := kittest.Call(s.h, region, bk.OpPutBackupVaultAccessPolicy, &bk.PutBackupVaultAccessPolicyInput{
				BackupVaultName: new("shared"), Policy: new(allowCopyFrom(kittest.Account)),
			}); err != nil {
				t.Fatal(err)
			}
		}
	})
	if j = s.copy("us-east-1", "prod", rp, theirs); *j.State != bk.CopyJobStateCompleted {
		t.Fatalf("allowed: %s (%s)", *j.State, deref(j.StatusMessage))
	}
	if len(s.pointsIn("us-east-1", "prod")) != 1 {
		t.Error("the copy landed in the caller's own vault")
	}
	var landed []bk.RecoveryPointByBackupVault
	s.as(otherAccount, func() { landed = s.pointsIn("us-east-1", "shared") })
	if len(landed) != 1 || *landed[0].RecoveryPointArn != *j.DestinationRecoveryPointArn || !strings.Contains(*landed[0].RecoveryPointArn, otherAccount) {
		t.Fatalf("the other account's vault holds %+v", landed)
	}
	if j = s.copy("us-east-1", "prod", rp, theirsWest); *j.State != bk.CopyJobStateFailed ||
		deref(j.StatusMessage) != "Copy job from us-east-1 to us-west-2 cannot be initiated for RDS resources. Feature is not supported for provided resource type." {
		t.Errorf("RDS across a Region and an account at once: %s (%s)", *j.State, deref(j.StatusMessage))
	}

	// Back: the other account copies into ours, once our vault lets it.
	mine := "arn:aws:backup:us-east-1:" + kittest.Account + ":backup-vault:prod"
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpPutBackupVaultAccessPolicy, &bk.PutBackupVaultAccessPolicyInput{
		BackupVaultName: new("prod"), Policy: new(allowCopyFrom(otherAccount)),
	}); err != nil {
		t.Fatal(err)
	}
	s.as(otherAccount, func() {
		s.crossAccount(true)
		back := s.copy("us-east-1", "shared", *landed[0].RecoveryPointArn, mine)
		if *back.State != bk.CopyJobStateCompleted {
			t.Fatalf("copy back: %s (%s)", *back.State, deref(back.StatusMessage))
		}
	})
	if n := len(s.pointsIn("us-east-1", "prod")); n != 2 {
		t.Errorf("after the copy back our vault holds %d recovery points, want 2", n)
	}
}

// TestColdStorageOnlyWhereTheTypeHasIt: EFS recovery points move to cold storage as their
// lifecycle says, and then cannot be copied nor have their transition changed; RDS ones
// ignore the setting and stay WARM.
func TestColdStorageOnlyWhereTheTypeHasIt(t *testing.T) {
	rds, efs := newProtector(), newProtectorOf("EFS")
	s := startSolo(t, []*protector{rds, efs})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	lc := func(in *bk.StartBackupJobInput) {
		in.Lifecycle = &bk.Lifecycle{MoveToColdStorageAfterDays: new(int64(10)), DeleteAfterDays: new(int64(100))}
	}
	fsRP := *s.backUp("us-east-1", "prod", efs.add(kittest.Account, "us-east-1", "fs-1", nil), lc).RecoveryPointArn
	dbRP := *s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db", nil), lc).RecoveryPointArn
	s.h.Advance(11 * 24 * time.Hour)
	class := func(rp string) string {
		return *kittest.Must[*bk.DescribeRecoveryPointOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRecoveryPoint,
			&bk.DescribeRecoveryPointInput{BackupVaultName: new("prod"), RecoveryPointArn: new(rp)})).StorageClass
	}
	if c := class(fsRP); c != bk.StorageClassCold {
		t.Errorf("EFS after 11 days: %s, want COLD", c)
	}
	if c := class(dbRP); c != bk.StorageClassWarm {
		t.Errorf("RDS after 11 days: %s, want WARM", c)
	}
	_, err := kittest.Call(s.h, "us-east-1", bk.OpStartCopyJob, &bk.StartCopyJobInput{
		RecoveryPointArn: new(fsRP), SourceBackupVaultName: new("prod"), DestinationBackupVaultArn: new(west), IamRoleArn: new(role),
	})
	wantMessage(t, err, bk.ErrInvalidRequest, "cold storage")
	_, err = kittest.Call(s.h, "us-east-1", bk.OpUpdateRecoveryPointLifecycle, &bk.UpdateRecoveryPointLifecycleInput{
		BackupVaultName: new("prod"), RecoveryPointArn: new(fsRP), Lifecycle: &bk.Lifecycle{MoveToColdStorageAfterDays: new(int64(20)), DeleteAfterDays: new(int64(200))},
	})
	wantMessage(t, err, bk.ErrInvalidParameterValue, "cannot be changed after recovery point")
	// The expiry of a cold recovery point can still change.
	kittest.Must[*bk.UpdateRecoveryPointLifecycleOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpUpdateRecoveryPointLifecycle, &bk.UpdateRecoveryPointLifecycleInput{
		BackupVaultName: new("prod"), RecoveryPointArn: new(fsRP), Lifecycle: &bk.Lifecycle{MoveToColdStorageAfterDays: new(int64(10)), DeleteAfterDays: new(int64(200))},
	}))
	if j := s.copy("us-east-1", "prod", dbRP, west); *j.State != bk.CopyJobStateCompleted {
		t.Errorf("a WARM RDS recovery point copy: %s (%s)", *j.State, deref(j.StatusMessage))
	}
}

// TestRegionAndGlobalSettings: the defaults, merged updates, and refused names.
func TestRegionAndGlobalSettings(t *testing.T) {
	s := startSolo(t, []*protector{newProtector()})
	rs := kittest.Must[*bk.DescribeRegionSettingsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRegionSettings, &bk.DescribeRegionSettingsInput{}))
	if !rs.ResourceTypeOptInPreference["RDS"] || rs.ResourceTypeOptInPreference["Aurora"] || !rs.ResourceTypeOptInPreference["Storage Gateway"] ||
		rs.ResourceTypeManagementPreference["DynamoDB"] || !rs.ResourceTypeManagementPreference["EFS"] {
		t.Errorf("defaults %+v", rs)
	}
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpUpdateRegionSettings, &bk.UpdateRegionSettingsInput{
		ResourceTypeOptInPreference: map[string]bool{"Aurora": true}, ResourceTypeManagementPreference: map[string]bool{"DynamoDB": true},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpUpdateRegionSettings, &bk.UpdateRegionSettingsInput{ResourceTypeOptInPreference: map[string]bool{"RDS": false}}); err != nil {
		t.Fatal(err)
	}
	rs = kittest.Must[*bk.DescribeRegionSettingsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRegionSettings, &bk.DescribeRegionSettingsInput{}))
	if rs.ResourceTypeOptInPreference["RDS"] || !rs.ResourceTypeOptInPreference["Aurora"] || !rs.ResourceTypeManagementPreference["DynamoDB"] {
		t.Errorf("after two updates %+v", rs)
	}
	west := kittest.Must[*bk.DescribeRegionSettingsOutput](t)(kittest.Call(s.h, "us-west-2", bk.OpDescribeRegionSettings, &bk.DescribeRegionSettingsInput{}))
	if !west.ResourceTypeOptInPreference["RDS"] {
		t.Error("a Region's settings changed another's")
	}
	_, err := kittest.Call(s.h, "us-east-1", bk.OpUpdateRegionSettings, &bk.UpdateRegionSettingsInput{ResourceTypeOptInPreference: map[string]bool{"Floppy": true}})
	wantMessage(t, err, bk.ErrInvalidParameterValue, "Floppy")
	_, err = kittest.Call(s.h, "us-east-1", bk.OpUpdateRegionSettings, &bk.UpdateRegionSettingsInput{ResourceTypeManagementPreference: map[string]bool{"RDS": true}})
	wantMessage(t, err, bk.ErrInvalidParameterValue, "RDS")

	g := kittest.Must[*bk.DescribeGlobalSettingsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeGlobalSettings, &bk.DescribeGlobalSettingsInput{}))
	if g.GlobalSettings["isCrossAccountBackupEnabled"] != "false" || g.LastUpdateTime != nil {
		t.Errorf("global defaults %+v", g)
	}
	s.crossAccount(true)
	g = kittest.Must[*bk.DescribeGlobalSettingsOutput](t)(kittest.Call(s.h, "eu-west-1", bk.OpDescribeGlobalSettings, &bk.DescribeGlobalSettingsInput{}))
	if g.GlobalSettings["isCrossAccountBackupEnabled"] != "true" || g.LastUpdateTime == nil {
		t.Errorf("global settings are the account's, in every Region: %+v", g)
	}
	_, err = kittest.Call(s.h, "us-east-1", bk.OpUpdateGlobalSettings, &bk.UpdateGlobalSettingsInput{GlobalSettings: map[string]string{"isCrossAccountBackupEnabled": "yes"}})
	wantMessage(t, err, bk.ErrInvalidParameterValue, "yes")
}

// TestDynamoDBRecoveryPointARNsFollowAdvancedBackup: without advanced DynamoDB backup a
// recovery point is the table's backup (arn:aws:dynamodb:…:table/T/backup/…); with it,
// AWS Backup's own (arn:aws:backup:…:recovery-point:…), and its copies, restores and
// deletions still reach the provider's backup behind it.
func TestDynamoDBRecoveryPointARNsFollowAdvancedBackup(t *testing.T) {
	ddb := newProtectorOf("DynamoDB")
	s := startSolo(t, []*protector{ddb})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	table := ddb.add(kittest.Account, "us-east-1", "orders", nil)

	basic := s.backUp("us-east-1", "prod", table)
	if !strings.HasPrefix(*basic.RecoveryPointArn, "arn:aws:dynamodb:us-east-1:"+kittest.Account+":table/t/backup/") {
		t.Errorf("without advanced backup the recovery point is %s, want the table's backup", *basic.RecoveryPointArn)
	}
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpUpdateRegionSettings, &bk.UpdateRegionSettingsInput{
		ResourceTypeManagementPreference: map[string]bool{"DynamoDB": true},
	}); err != nil {
		t.Fatal(err)
	}
	advanced := s.backUp("us-east-1", "prod", table)
	want := "arn:aws:backup:us-east-1:" + kittest.Account + ":recovery-point:" + strings.ToLower(*advanced.BackupJobId)
	if *advanced.State != bk.BackupJobStateCompleted || *advanced.RecoveryPointArn != want {
		t.Fatalf("with advanced backup: %s %s, want %s", *advanced.State, *advanced.RecoveryPointArn, want)
	}
	rp := kittest.Must[*bk.DescribeRecoveryPointOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRecoveryPoint, &bk.DescribeRecoveryPointInput{
		BackupVaultName: new("prod"), RecoveryPointArn: new(want),
	}))
	if *rp.ResourceType != "DynamoDB" || *rp.ResourceArn != table {
		t.Errorf("DescribeRecoveryPoint = %s %s", *rp.ResourceType, *rp.ResourceArn)
	}

	cp := s.copy("us-east-1", "prod", want, west)
	if *cp.State != bk.CopyJobStateCompleted || !strings.HasPrefix(deref(cp.DestinationRecoveryPointArn), "arn:aws:backup:us-west-2:"+kittest.Account+":recovery-point:") {
		t.Fatalf("copy %s to %s (%s)", *cp.State, deref(cp.DestinationRecoveryPointArn), deref(cp.StatusMessage))
	}
	if len(ddb.copiedWith) != 1 {
		t.Errorf("the provider made %d copies, want 1", len(ddb.copiedWith))
	}

	kittest.Must[*bk.StartRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpStartRestoreJob, &bk.StartRestoreJobInput{
		RecoveryPointArn: new(want), IamRoleArn: new(role), Metadata: map[string]string{"DBInstanceIdentifier": "restored"},
	}))
	s.h.Advance(0)
	if len(ddb.restored) != 1 {
		t.Errorf("restores reaching the provider: %v", ddb.restored)
	}

	images := len(ddb.images)
	kittest.Must[*awsmodel.Empty](t)(kittest.Call(s.h, "us-east-1", bk.OpDeleteRecoveryPoint, &bk.DeleteRecoveryPointInput{BackupVaultName: new("prod"), RecoveryPointArn: new(want)}))
	s.h.Advance(0)
	if len(ddb.images) != images-1 {
		t.Errorf("deleting the recovery point left %d of %d images", len(ddb.images), images)
	}
}
