package backup_test

import (
	"maps"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

// TestBackupOptionsAndIndexAreKept: a job's WindowsVSS "disabled" and Index ENABLED of
// an EBS volume are answered by the job, in its list, and by the recovery point
// (IndexStatus ACTIVE, also by resource); a copy has no index of its own.
func TestBackupOptionsAndIndexAreKept(t *testing.T) {
	ebs := newProtectorOf("EBS")
	s := startSolo(t, []*protector{ebs})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	vol := ebs.add(kittest.Account, "us-east-1", "vol-1", nil)
	options := map[string]string{"WindowsVSS": "disabled"}
	j := s.backUp("us-east-1", "prod", vol, func(in *bk.StartBackupJobInput) { in.BackupOptions, in.Index = options, new("ENABLED") })
	if *j.State != bk.BackupJobStateCompleted || !maps.Equal(j.BackupOptions, options) {
		t.Fatalf("job %s with options %v", *j.State, j.BackupOptions)
	}
	listed := kittest.Must[*bk.ListBackupJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupJobs, &bk.ListBackupJobsInput{}))
	if len(listed.BackupJobs) != 1 || !maps.Equal(listed.BackupJobs[0].BackupOptions, options) {
		t.Errorf("listed %+v", listed.BackupJobs)
	}
	rp := kittest.Must[*bk.DescribeRecoveryPointOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRecoveryPoint, &bk.DescribeRecoveryPointInput{
		BackupVaultName: new("prod"), RecoveryPointArn: j.RecoveryPointArn,
	}))
	byResource := kittest.Must[*bk.ListRecoveryPointsByResourceOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListRecoveryPointsByResource, &bk.ListRecoveryPointsByResourceInput{ResourceArn: new(vol)}))
	if deref(rp.IndexStatus) != "ACTIVE" || len(byResource.RecoveryPoints) != 1 || deref(byResource.RecoveryPoints[0].IndexStatus) != "ACTIVE" {
		t.Errorf("index status %q, by resource %+v", deref(rp.IndexStatus), byResource.RecoveryPoints)
	}
	s.h.Advance(time.Minute) // the newer recovery point lists first
	plain := s.backUp("us-east-1", "prod", vol)
	if p := s.pointsIn("us-east-1", "prod"); len(p) != 2 || p[0].IndexStatus != nil || plain.BackupOptions != nil {
		t.Errorf("a job without an index: points %+v, options %v", p, plain.BackupOptions)
	}
	c := s.copy("us-east-1", "prod", *j.RecoveryPointArn, west)
	if *c.State != bk.CopyJobStateCompleted {
		t.Fatalf("copy %s", *c.State)
	}
	if p := s.pointsIn("us-west-2", "dr"); len(p) != 1 || p[0].IndexStatus != nil {
		t.Errorf("copy %+v has an index", p)
	}
}

// TestBackupJobOptionRefusals: an option that is not WindowsVSS, a value that is neither
// enabled nor disabled, a VSS backup of a resource that is no Windows instance, an index
// of RDS, and a logically air-gapped vault that is not one are refused with
// InvalidParameterValueException, or ResourceNotFoundException for a vault that does not
// exist; nothing is started.
func TestBackupJobOptionRefusals(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	vaultARN, _ := s.vault("us-east-1", "prod", false)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	elsewhere := "arn:aws:backup:us-west-2:" + kittest.Account + ":backup-vault:prod"
	missing := "arn:aws:backup:us-east-1:" + kittest.Account + ":backup-vault:lag"
	for name, c := range map[string]struct {
		edit       func(*bk.StartBackupJobInput)
		code, text string
	}{
		"unknown option": {func(in *bk.StartBackupJobInput) { in.BackupOptions = map[string]string{"Fast": "enabled"} },
			bk.ErrInvalidParameterValue.Code, "Invalid BackupOptions Fast: enabled. The only backup option is WindowsVSS, set to enabled or disabled"},
		"bad value": {func(in *bk.StartBackupJobInput) { in.BackupOptions = map[string]string{"WindowsVSS": "on"} },
			bk.ErrInvalidParameterValue.Code, "Invalid BackupOptions WindowsVSS: on. The only backup option is WindowsVSS, set to enabled or disabled"},
		"VSS of RDS": {func(in *bk.StartBackupJobInput) { in.BackupOptions = map[string]string{"WindowsVSS": "enabled"} },
			bk.ErrInvalidParameterValue.Code, "The WindowsVSS backup option is available only for Windows EC2 instances, not for RDS resources"},
		"index of RDS": {func(in *bk.StartBackupJobInput) { in.Index = new("ENABLED") },
			bk.ErrInvalidParameterValue.Code, "Backup indexes are supported only for EBS and S3 resources, not for RDS resources"},
		"air-gapped elsewhere": {func(in *bk.StartBackupJobInput) { in.LogicallyAirGappedBackupVaultArn = new(elsewhere) },
			bk.ErrInvalidParameterValue.Code, "Invalid logically air-gapped backup vault ARN " + elsewhere + ": it must be in the backup job's account and Region"},
		"standard vault": {func(in *bk.StartBackupJobInput) { in.LogicallyAirGappedBackupVaultArn = new(vaultARN) },
			bk.ErrInvalidParameterValue.Code, "Backup vault prod is not a logically air-gapped backup vault"},
		"no vault": {func(in *bk.StartBackupJobInput) { in.LogicallyAirGappedBackupVaultArn = new(missing) },
			bk.ErrResourceNotFound.Code, "Backup vault lag cannot be found"},
	} {
		in := &bk.StartBackupJobInput{BackupVaultName: new("prod"), ResourceArn: new(db), IamRoleArn: new(role)}
		c.edit(in)
		_, err := kittest.Call(s.h, "us-east-1", bk.OpStartBackupJob, in)
		if e := awserr.As(err); e == nil || e.Code != c.code || e.Message != c.text {
			t.Errorf("%s: %v, want %s: %s", name, err, c.code, c.text)
		}
	}
	if jobs := kittest.Must[*bk.ListBackupJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupJobs, &bk.ListBackupJobsInput{})); len(jobs.BackupJobs) != 0 {
		t.Errorf("refused requests started %d jobs", len(jobs.BackupJobs))
	}
	// DISABLED asks for no index, which any type may.
	if j := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.Index = new("DISABLED") }); *j.State != bk.BackupJobStateCompleted {
		t.Errorf("Index DISABLED: %s", *j.State)
	}
}

// TestRuleIndexActionsIndexTheirType: a plan rule whose IndexAction names EBS makes its
// EBS backups with an index, and its RDS backups without.
func TestRuleIndexActionsIndexTheirType(t *testing.T) {
	ebs, rds := newProtectorOf("EBS"), newProtector()
	s := startSolo(t, []*protector{ebs, rds})
	s.vault("us-east-1", "prod", false)
	vol := ebs.add(kittest.Account, "us-east-1", "vol-1", nil)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	rule := bk.BackupRuleInput{RuleName: new("r"), TargetBackupVaultName: new("prod"), ScheduleExpression: new("cron(0 * ? * * *)"),
		IndexActions: []bk.IndexAction{{ResourceTypes: []string{"EBS"}}}}
	plan := kittest.Must[*bk.CreateBackupPlanOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpCreateBackupPlan, &bk.CreateBackupPlanInput{
		BackupPlan: &bk.BackupPlanInput{BackupPlanName: new("indexed"), Rules: []bk.BackupRuleInput{rule}},
	}))
	kittest.Must[*bk.CreateBackupSelectionOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpCreateBackupSelection, &bk.CreateBackupSelectionInput{
		BackupPlanId: plan.BackupPlanId, BackupSelection: &bk.BackupSelection{SelectionName: new("both"), IamRoleArn: new(role), Resources: []string{vol, db}},
	}))
	s.h.Advance(time.Hour)
	s.h.Advance(time.Hour)
	status := map[string]string{}
	for _, p := range s.pointsIn("us-east-1", "prod") {
		status[*p.ResourceType] = deref(p.IndexStatus)
	}
	if status["EBS"] != "ACTIVE" || status["RDS"] != "" || len(status) != 2 {
		t.Errorf("index status by type %v, want EBS ACTIVE and RDS none", status)
	}
}
