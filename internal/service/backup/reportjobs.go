package backup

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// reportWindow is the time a report covers, up to when it runs: AWS's on-demand job
// reports cover the last 24 hours.
const reportWindow = 24 * time.Hour

func (s *Service) StartReportJob(ctx context.Context, in *backupapi.StartReportJobInput) (*backupapi.StartReportJobOutput, error) {
	c := s.Call(ctx)
	j, err := kit.Write(s.Kit, func(tx kit.Tx) (*reportJobRec, error) {
		v := c.In(tx)
		p, err := getReportPlan(v, *in.ReportPlanName)
		if err != nil {
			return nil, err
		}
		j := &reportJobRec{
			ID: newJobID(), Plan: p.Name, PlanARN: p.ARN, Template: deref(p.Setting.ReportTemplate), Created: c.Now(),
			Status: "CREATED", Bucket: deref(p.Channel.S3BucketName),
		}
		if err := reportJobs.Put(v, j, j.ID); err != nil {
			return nil, err
		}
		_, err = jobReport.Enqueue(tx, s.After(), refIn(v, j.ID))
		return j, err
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartReportJobOutput{ReportJobId: new(j.ID)}, nil
}

// runReportJob writes a job's report in each of its plan's formats, through port.Reports;
// a server without it, or a write that fails, fails the job.
func (s *Service) runReportJob(_ context.Context, tx kit.Tx, _ *jobs.Job, ref jobRef) error {
	v := tx.In(ref.Account, ref.Region)
	j, err := reportJobs.Get(v, ref.ID)
	if err != nil || j == nil || j.Status != "CREATED" {
		return err
	}
	now := s.Clock.Now()
	j.Completed = &now
	p, err := reportPlans.Get(v, j.Plan)
	switch {
	case err != nil:
		return err
	case p == nil:
		j.Status, j.Message = "FAILED", "Report plan "+j.Plan+" no longer exists"
	case s.reports == nil:
		j.Status, j.Message = "FAILED", "Reports cannot be delivered: this server keeps no reports"
	default:
		if err := s.writeReports(v, p, j, now); err != nil {
			j.Status, j.Message = "FAILED", err.Error()
		} else {
			j.Status = "COMPLETED"
		}
		p.LastAttempt = &now
		if j.Status == "COMPLETED" {
			p.LastSuccess = &now
		}
		if err := reportPlans.Put(v, p, p.Name); err != nil {
			return err
		}
	}
	return reportJobs.Put(v, j, j.ID)
}

// writeReports writes the report of j in each format of its plan, under the plan's
// prefix, as AWS names them: <prefix>/Backup/<account>/<Region>/<yyyy>/<mm>/<dd>/<plan>/
// <template>_<job>.<format>.
func (s *Service) writeReports(v kit.View, p *reportPlanRec, j *reportJobRec, now time.Time) error {
	rows, err := reportRows(v, j.Template, now.Add(-reportWindow), now)
	if err != nil {
		return err
	}
	dir := strings.Join([]string{"Backup", v.Account(), v.Region(), now.UTC().Format("2006/01/02"), p.Name}, "/")
	if prefix := trimmedPrefix(p.Channel.S3KeyPrefix); prefix != "" {
		dir = prefix + "/" + dir
	}
	j.Keys = nil
	for _, format := range p.Channel.Formats {
		body, err := encodeReport(format, rows)
		if err != nil {
			return err
		}
		key := dir + "/" + j.Template + "_" + j.ID + "." + strings.ToLower(format)
		if err := s.reports.Put(v.Account(), j.Bucket, key, body); err != nil {
			return err
		}
		j.Keys = append(j.Keys, key)
	}
	return nil
}

// reportRows are the report's rows, a header first: the Region's jobs of the template's
// kind created in [from, to], in creation order.
func reportRows(v kit.View, template string, from, to time.Time) ([][]string, error) {
	in := func(t time.Time) bool { return !t.Before(from) && !t.After(to) }
	switch template {
	case "BACKUP_JOB_REPORT":
		return rowsOf(v, backupJobs, []string{"Account ID", "Region", "Backup Job ID", "Job Status", "Status Message", "Resource Type", "Resource ARN", "Backup Vault Name", "Recovery Point ARN", "Creation Date", "Completion Date", "Bytes Transferred"},
			func(j *backupJobRec) (time.Time, []string, bool) {
				return j.Created, []string{v.Account(), v.Region(), j.ID, j.State, j.StatusMessage, j.resourceType(), j.ResourceARN, j.Vault, j.RecoveryPointARN, stamp(&j.Created), stamp(j.Completed), strconv.FormatInt(j.Bytes, 10)}, in(j.Created)
			})
	case "COPY_JOB_REPORT":
		return rowsOf(v, copyJobs, []string{"Account ID", "Region", "Copy Job ID", "Job Status", "Status Message", "Resource Type", "Resource ARN", "Source Recovery Point ARN", "Destination Backup Vault ARN", "Creation Date", "Completion Date", "Bytes Transferred"},
			func(j *copyJobRec) (time.Time, []string, bool) {
				return j.Created, []string{v.Account(), v.Region(), j.ID, j.State, j.StatusMessage, j.resourceType(), j.ResourceARN, j.SourceRP, j.DestVaultARN, stamp(&j.Created), stamp(j.Completed), strconv.FormatInt(j.Bytes, 10)}, in(j.Created)
			})
	}
	return rowsOf(v, restoreJobs, []string{"Account ID", "Region", "Restore Job ID", "Job Status", "Status Message", "Resource Type", "Recovery Point ARN", "Created Resource ARN", "Creation Date", "Completion Date"},
		func(j *restoreJobRec) (time.Time, []string, bool) {
			return j.Created, []string{v.Account(), v.Region(), j.ID, j.Status, j.StatusMessage, j.resourceType(), j.RecoveryPoint, j.CreatedARN, stamp(&j.Created), stamp(j.Completed)}, in(j.Created)
		})
}

// rowsOf reads the rows of one table's records that row keeps, in creation order.
func rowsOf[T any](v kit.View, t kit.Table[T], header []string, row func(*T) (time.Time, []string, bool)) ([][]string, error) {
	type dated struct {
		at  time.Time
		row []string
	}
	var found []dated
	err := t.Scan(v, func(rec *T) bool {
		if at, r, ok := row(rec); ok {
			found = append(found, dated{at, r})
		}
		return true
	})
	out := [][]string{header}
	slices.SortStableFunc(found, func(a, b dated) int { return a.at.Compare(b.at) })
	for _, d := range found {
		out = append(out, d.row)
	}
	return out, err
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// encodeReport writes rows as CSV, or as JSON: an array of objects named by the header.
func encodeReport(format string, rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	if format == "CSV" {
		w := csv.NewWriter(&b)
		err := w.WriteAll(rows)
		return b.Bytes(), err
	}
	objects := []map[string]string{}
	for _, r := range rows[1:] {
		o := map[string]string{}
		for i, name := range rows[0] {
			o[name] = r[i]
		}
		objects = append(objects, o)
	}
	return json.Marshal(objects)
}

func reportJobOut(j *reportJobRec) *backupapi.ReportJob {
	return &backupapi.ReportJob{
		ReportJobId: new(j.ID), ReportPlanArn: new(j.PlanARN), ReportTemplate: new(j.Template), CreationTime: new(j.Created),
		CompletionTime: j.Completed, Status: new(j.Status), StatusMessage: nonEmpty(j.Message),
		ReportDestination: &backupapi.ReportDestination{S3BucketName: new(j.Bucket), S3Keys: j.Keys},
	}
}

func (s *Service) DescribeReportJob(ctx context.Context, in *backupapi.DescribeReportJobInput) (*backupapi.DescribeReportJobOutput, error) {
	j, err := readRecord(s, s.Call(ctx), reportJobs, *in.ReportJobId, msgReportJobNotFound)
	if err != nil {
		return nil, err
	}
	return &backupapi.DescribeReportJobOutput{ReportJob: reportJobOut(j)}, nil
}

func (s *Service) ListReportJobs(ctx context.Context, in *backupapi.ListReportJobsInput) (*backupapi.ListReportJobsOutput, error) {
	keep := func(j *reportJobRec) bool {
		return (in.ByReportPlanName == nil || *in.ByReportPlanName == j.Plan) && (in.ByStatus == nil || *in.ByStatus == j.Status) &&
			inRange(&j.Created, in.ByCreationAfter, in.ByCreationBefore)
	}
	q := listQuery[reportJobRec]{Op: "ListReportJobs", Token: in.NextToken, Max: in.MaxResults, Keep: keep,
		Created: func(j *reportJobRec) (time.Time, string) { return j.Created, j.ID }, Newest: true}
	items, next, err := listByCreation(s, s.Call(ctx), q, reportJobs, func(j *reportJobRec) backupapi.ReportJob { return *reportJobOut(j) })
	if err != nil {
		return nil, err
	}
	return &backupapi.ListReportJobsOutput{ReportJobs: items, NextToken: next}, nil
}
