package backup_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

// TestReportPlansWriteJobReports: a report job writes the Region's backup jobs of the
// last day, in each of the plan's formats, under the plan's bucket and prefix.
func TestReportPlansWriteJobReports(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	old := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "old", nil))
	s.h.Advance(48 * time.Hour)
	recent := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "recent", nil))

	_, err := kittest.Call(s.h, "us-east-1", bk.OpCreateReportPlan, &bk.CreateReportPlanInput{
		ReportPlanName: new("daily"), ReportDeliveryChannel: &bk.ReportDeliveryChannel{S3BucketName: new("audit")},
		ReportSetting: &bk.ReportSetting{ReportTemplate: new("RESOURCE_COMPLIANCE_REPORT")},
	})
	wantMessage(t, err, bk.ErrInvalidParameterValue, "RESOURCE_COMPLIANCE_REPORT")
	kittest.Must[*bk.CreateReportPlanOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpCreateReportPlan, &bk.CreateReportPlanInput{
		ReportPlanName: new("daily"), ReportDeliveryChannel: &bk.ReportDeliveryChannel{S3BucketName: new("audit"), S3KeyPrefix: new("reports/"), Formats: []string{"CSV", "JSON"}},
		ReportSetting: &bk.ReportSetting{ReportTemplate: new("BACKUP_JOB_REPORT")},
	}))
	started := kittest.Must[*bk.StartReportJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpStartReportJob, &bk.StartReportJobInput{ReportPlanName: new("daily")}))
	s.h.Advance(0)
	j := kittest.Must[*bk.DescribeReportJobOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeReportJob, &bk.DescribeReportJobInput{ReportJobId: started.ReportJobId})).ReportJob
	if *j.Status != "COMPLETED" || len(j.ReportDestination.S3Keys) != 2 || !strings.HasPrefix(j.ReportDestination.S3Keys[0], "reports/Backup/"+kittest.Account+"/us-east-1/") {
		t.Fatalf("report job %+v (%+v)", j, j.ReportDestination)
	}
	csv, ok := s.reports.Get(kittest.Account, "audit", j.ReportDestination.S3Keys[0])
	if !ok || !strings.Contains(string(csv), *recent.BackupJobId) || strings.Contains(string(csv), *old.BackupJobId) || !strings.HasPrefix(string(csv), "Account ID,Region,Backup Job ID") {
		t.Errorf("CSV report %q", csv)
	}
	raw, _ := s.reports.Get(kittest.Account, "audit", j.ReportDestination.S3Keys[1])
	var rows []map[string]string
	if err := json.Unmarshal(raw, &rows); err != nil || len(rows) != 1 || rows[0]["Backup Job ID"] != *recent.BackupJobId || rows[0]["Bytes Transferred"] != "21474836480" {
		t.Errorf("JSON report %s (%v)", raw, err)
	}
	plan := kittest.Must[*bk.DescribeReportPlanOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpDescribeReportPlan, &bk.DescribeReportPlanInput{ReportPlanName: new("daily")})).ReportPlan
	if plan.LastSuccessfulExecutionTime == nil {
		t.Errorf("plan after a report %+v", plan)
	}
	jobs := kittest.Must[*bk.ListReportJobsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListReportJobs, &bk.ListReportJobsInput{ByReportPlanName: new("daily")}))
	if len(jobs.ReportJobs) != 1 {
		t.Errorf("report jobs %+v", jobs.ReportJobs)
	}
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpDeleteReportPlan, &bk.DeleteReportPlanInput{ReportPlanName: new("daily")}); err != nil {
		t.Fatal(err)
	}
	_, err = kittest.Call(s.h, "us-east-1", bk.OpDescribeReportPlan, &bk.DescribeReportPlanInput{ReportPlanName: new("daily")})
	wantMessage(t, err, bk.ErrResourceNotFound, "daily")
}
