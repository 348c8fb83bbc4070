package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestEFSAutomaticBackupsWithCLI: the AWS CLI creates a file system with automatic
// backups; EFS creates AWS Backup's aws/efs/automatic-backup-plan and its vault, and
// the daily backups land there as the clock moves; put-backup-policy DISABLED stops
// them.
func TestEFSAutomaticBackupsWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	var fs cliFileSystem
	srv.awsJSON(t, "us-east-1", &fs, "efs", "create-file-system", "--creation-token", "auto", "--backup", "--encrypted")
	srv.waitFileSystem(t, "us-east-1", fs.FileSystemId)
	srv.writeEFSFile(t, "us-east-1", fs.FileSystemId, "/data.txt", "backed up every day")
	var policy struct{ BackupPolicy struct{ Status string } }
	srv.awsJSON(t, "us-east-1", &policy, "efs", "describe-backup-policy", "--file-system-id", fs.FileSystemId)
	if policy.BackupPolicy.Status != "ENABLED" {
		t.Errorf("backup policy %+v", policy)
	}

	var plans struct {
		BackupPlansList []struct{ BackupPlanName, BackupPlanId string }
	}
	srv.awsJSON(t, "us-east-1", &plans, "backup", "list-backup-plans")
	if len(plans.BackupPlansList) != 1 || plans.BackupPlansList[0].BackupPlanName != "aws/efs/automatic-backup-plan" {
		t.Fatalf("plans %+v", plans.BackupPlansList)
	}
	var plan struct {
		BackupPlan struct {
			Rules []struct {
				TargetBackupVaultName, ScheduleExpression string
				Lifecycle                                 struct{ DeleteAfterDays int }
			}
		}
	}
	srv.awsJSON(t, "us-east-1", &plan, "backup", "get-backup-plan", "--backup-plan-id", plans.BackupPlansList[0].BackupPlanId)
	if r := plan.BackupPlan.Rules; len(r) != 1 || r[0].TargetBackupVaultName != "aws/efs/automatic-backup-vault" || r[0].Lifecycle.DeleteAfterDays != 35 {
		t.Errorf("rules %+v", r)
	}

	points := func() []string {
		var out struct {
			RecoveryPoints []struct{ ResourceArn, Status string }
		}
		srv.awsJSON(t, "us-east-1", &out, "backup", "list-recovery-points-by-backup-vault", "--backup-vault-name", "aws/efs/automatic-backup-vault")
		var got []string
		for _, p := range out.RecoveryPoints {
			got = append(got, p.ResourceArn+" "+p.Status)
		}
		return got
	}
	srv.admin(t, "POST", "clock", `{"advance":"25h"}`, nil)
	pollUntil(t, time.Minute, func() string {
		if got := points(); len(got) != 1 {
			return fmt.Sprintf("recovery points after a day: %v", got)
		}
		return ""
	})

	srv.aws(t, "efs", "put-backup-policy", "--file-system-id", fs.FileSystemId, "--backup-policy", "Status=DISABLED")
	srv.admin(t, "POST", "clock", `{"advance":"48h"}`, nil)
	if got := points(); len(got) != 1 {
		t.Errorf("backups went on after automatic backups were disabled: %v", got)
	}

	// The plan and the vault are AWS's: no one deletes them, nor the vault's policy.
	planID := plans.BackupPlansList[0].BackupPlanId
	var sels struct {
		BackupSelectionsList []struct{ SelectionId string }
	}
	srv.awsJSON(t, "us-east-1", &sels, "backup", "list-backup-selections", "--backup-plan-id", planID)
	for _, refusal := range []struct{ args []string }{
		{[]string{"backup", "delete-backup-vault", "--backup-vault-name", "aws/efs/automatic-backup-vault"}},
		{[]string{"backup", "delete-backup-vault-access-policy", "--backup-vault-name", "aws/efs/automatic-backup-vault"}},
		{[]string{"backup", "delete-backup-selection", "--backup-plan-id", planID, "--selection-id", sels.BackupSelectionsList[0].SelectionId}},
	} {
		if out := srv.awsFail(t, "us-east-1", refusal.args...); !strings.Contains(out, "AccessDeniedException") {
			t.Errorf("%v: %s", refusal.args, out)
		}
	}
	if out := srv.awsFail(t, "us-east-1", "backup", "delete-backup-plan", "--backup-plan-id", planID); !strings.Contains(out, "InvalidRequestException") {
		t.Errorf("delete-backup-plan: %s", out)
	}
}
