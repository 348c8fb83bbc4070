package backup_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestJobsNeedARoleThatTrustsAWSBackup: a backup, copy or restore job whose role does not
// exist or does not trust backup.amazonaws.com fails with AWS's message.
func TestJobsNeedARoleThatTrustsAWSBackup(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, _ := s.vault("us-west-2", "dr", true)
	db := rds.add(kittest.Account, "us-east-1", "db", nil)
	missing := "arn:aws:iam::" + kittest.Account + ":role/missing"
	distrustful := "arn:aws:iam::" + kittest.Account + ":role/ec2-only"
	mine := "arn:aws:iam::" + kittest.Account + ":role/backup"
	s.roles.put(distrustful, false)
	s.roles.put(mine, true)
	for _, bad := range []string{missing, distrustful} {
		j := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.IamRoleArn = new(bad) })
		if *j.State != bk.BackupJobStateFailed || deref(j.StatusMessage) != "The provided role "+bad+" cannot be assumed by AWS Backup." {
			t.Errorf("role %s: backup %s (%s)", bad, *j.State, deref(j.StatusMessage))
		}
	}
	j := s.backUp("us-east-1", "prod", db, func(in *bk.StartBackupJobInput) { in.IamRoleArn = new(mine) })
	if *j.State != bk.BackupJobStateCompleted {
		t.Fatalf("a trusting role: backup %s (%s)", *j.State, deref(j.StatusMessage))
	}
	s.roles.remove(mine) // deleted since
	started := kittest.Must[*bk.StartCopyJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpStartCopyJob, &bk.StartCopyJobInput{
		RecoveryPointArn: j.RecoveryPointArn, SourceBackupVaultName: new("prod"), DestinationBackupVaultArn: new(west), IamRoleArn: new(mine),
	}))
	s.h.Advance(0)
	cj := kittest.Must[*bk.DescribeCopyJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeCopyJob, &bk.DescribeCopyJobInput{CopyJobId: started.CopyJobId})).CopyJob
	if *cj.State != bk.CopyJobStateFailed || deref(cj.StatusMessage) != "The provided role "+mine+" cannot be assumed by AWS Backup." {
		t.Errorf("a deleted role: copy %s (%s)", *cj.State, deref(cj.StatusMessage))
	}
	rj := kittest.Must[*bk.StartRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpStartRestoreJob, &bk.StartRestoreJobInput{
		RecoveryPointArn: j.RecoveryPointArn, IamRoleArn: new(distrustful), Metadata: map[string]string{"DBInstanceIdentifier": "back"},
	}))
	s.h.Advance(0)
	r := kittest.Must[*bk.DescribeRestoreJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeRestoreJob, &bk.DescribeRestoreJobInput{RestoreJobId: rj.RestoreJobId}))
	if *r.Status != bk.RestoreJobStatusFailed || len(rds.restored) != 0 {
		t.Errorf("a distrustful role: restore %s (%s), restored %v", *r.Status, deref(r.StatusMessage), rds.restored)
	}
}

// TestTheDefaultRoleIsCreatedWhenAskedFor: naming AWSBackupDefaultServiceRole when the
// account has none creates it, trusting AWS Backup, with AWS's two managed policies.
func TestTheDefaultRoleIsCreatedWhenAskedFor(t *testing.T) {
	c := newCrossRegion(t)
	ic := iam.NewFromConfig(c.inst.Config("us-east-1"))
	if _, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSBackupDefaultServiceRole")}); err == nil {
		t.Fatal("the default role exists before anyone asked for it")
	}
	c.backUp(t, nil) // names the default role
	got := xtest.Must[*iam.GetRoleOutput](t)(ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSBackupDefaultServiceRole")})).Role
	if aws.ToString(got.Arn) != role || aws.ToString(got.Path) != "/service-role/" {
		t.Errorf("default role %+v", got)
	}
	attached := xtest.Must[*iam.ListAttachedRolePoliciesOutput](t)(ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("AWSBackupDefaultServiceRole")}))
	var names []string
	for _, p := range attached.AttachedPolicies {
		names = append(names, aws.ToString(p.PolicyArn))
	}
	want := []string{"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"}
	if len(names) != 2 || names[0] != want[0] || names[1] != want[1] {
		t.Errorf("attached %v, want %v", names, want)
	}

	// A role the user made keeps its own trust: one that trusts only EC2 fails the job.
	xtest.Must[*iam.CreateRoleOutput](t)(ic.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("ec2-only"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}))
	ec2Only := "arn:aws:iam::" + account + ":role/ec2-only"
	out := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(ec2Only),
	}))
	c.inst.WaitIdle()
	if j := backupJob(t, c.east, out.BackupJobId); j.State != "FAILED" || aws.ToString(j.StatusMessage) != "The provided role "+ec2Only+" cannot be assumed by AWS Backup." {
		t.Errorf("a role trusting EC2 only: %s (%s)", j.State, aws.ToString(j.StatusMessage))
	}
}
