package backup

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/service/kit"
)

// Report plans (AWS Backup Audit Manager): a plan names a report template and where its
// reports go, an S3 bucket and prefix; StartReportJob writes a report of the Region's
// jobs of the last 24 hours there. xregion has no S3: reports go through port.Reports,
// which keeps them under the data directory. The job reports (backup, copy, restore) are
// made here; the compliance reports need frameworks, which are not built, and are
// refused.

type reportPlanRec struct {
	Name        string                          `json:"name"`
	ARN         string                          `json:"arn"`
	Description string                          `json:"description,omitempty"`
	Channel     backupapi.ReportDeliveryChannel `json:"channel"`
	Setting     backupapi.ReportSetting         `json:"setting"`
	Created     time.Time                       `json:"created"`
	LastAttempt *time.Time                      `json:"lastAttempt,omitempty"`
	LastSuccess *time.Time                      `json:"lastSuccess,omitempty"`
	Token       string                          `json:"token,omitempty"`
	Tags        map[string]string               `json:"tags,omitempty"`
}

type reportJobRec struct {
	ID        string     `json:"id"`
	Plan      string     `json:"plan"`
	PlanARN   string     `json:"planArn"`
	Template  string     `json:"template"`
	Created   time.Time  `json:"created"`
	Completed *time.Time `json:"completed,omitempty"`
	Status    string     `json:"status"`
	Message   string     `json:"message,omitempty"`
	Bucket    string     `json:"bucket"`
	Keys      []string   `json:"keys,omitempty"`
}

var (
	reportPlans = kit.Table[reportPlanRec]{Kind: "reportplan"} // reportplan/<name>
	reportJobs  = kit.Table[reportJobRec]{Kind: "reportjob"}   // reportjob/<id>
	jobReport   = kit.Kind[jobRef]{Name: "backup.report-job"}
)

// The job reports and the formats AWS writes.
var (
	jobReportTemplates = []string{"BACKUP_JOB_REPORT", "COPY_JOB_REPORT", "RESTORE_JOB_REPORT"}
	reportFormats      = []string{"CSV", "JSON"}
	reportPlanName     = lazyregexp.MustCompile(`^[a-zA-Z][_a-zA-Z0-9]{0,255}$`)
)

// checkReportPlan checks a plan's delivery channel and setting, and fills the default
// format (CSV).
func checkReportPlan(ch *backupapi.ReportDeliveryChannel, set *backupapi.ReportSetting) error {
	if !slices.Contains(jobReportTemplates, deref(set.ReportTemplate)) {
		return msgReportTemplate.New(deref(set.ReportTemplate))
	}
	if len(ch.Formats) == 0 {
		ch.Formats = []string{"CSV"}
	}
	for _, f := range ch.Formats {
		if !slices.Contains(reportFormats, f) {
			return msgReportFormat.New(f)
		}
	}
	return nil
}

func getReportPlan(v kit.View, name string) (*reportPlanRec, error) {
	p, err := reportPlans.Get(v, name)
	if err == nil && p == nil {
		err = msgReportPlanNotFound.New(name)
	}
	return p, err
}

func reportPlanOut(p *reportPlanRec) *backupapi.ReportPlan {
	ch, set := p.Channel, p.Setting
	return &backupapi.ReportPlan{
		ReportPlanArn: new(p.ARN), ReportPlanName: new(p.Name), ReportPlanDescription: nonEmpty(p.Description),
		ReportSetting: &set, ReportDeliveryChannel: &ch, DeploymentStatus: new("COMPLETED"), CreationTime: new(p.Created),
		LastAttemptedExecutionTime: p.LastAttempt, LastSuccessfulExecutionTime: p.LastSuccess,
	}
}

func (s *Service) CreateReportPlan(ctx context.Context, in *backupapi.CreateReportPlanInput) (*backupapi.CreateReportPlanOutput, error) {
	c := s.Call(ctx)
	if !reportPlanName.MatchString(*in.ReportPlanName) {
		return nil, msgReportPlanName.New(*in.ReportPlanName)
	}
	if err := checkReportPlan(in.ReportDeliveryChannel, in.ReportSetting); err != nil {
		return nil, err
	}
	p, err := kit.Write(s.Kit, func(tx kit.Tx) (*reportPlanRec, error) {
		v := c.In(tx)
		if prev, err := reportPlans.Get(v, *in.ReportPlanName); err != nil || prev != nil {
			if prev != nil && prev.Token != "" && prev.Token == deref(in.IdempotencyToken) {
				return prev, nil
			}
			if prev != nil {
				return nil, msgReportPlanExists.New(prev.Name)
			}
			return nil, err
		}
		p := &reportPlanRec{
			Name: *in.ReportPlanName, ARN: arn.New(partitionOf(c.Region), serviceName, c.Region, c.Account, "report-plan:"+*in.ReportPlanName),
			Description: deref(in.ReportPlanDescription), Channel: *in.ReportDeliveryChannel, Setting: *in.ReportSetting,
			Created: c.Now(), Token: deref(in.IdempotencyToken), Tags: in.ReportPlanTags,
		}
		return p, reportPlans.Put(v, p, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateReportPlanOutput{ReportPlanName: new(p.Name), ReportPlanArn: new(p.ARN), CreationTime: new(p.Created)}, nil
}

func (s *Service) DescribeReportPlan(ctx context.Context, in *backupapi.DescribeReportPlanInput) (*backupapi.DescribeReportPlanOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.DescribeReportPlanOutput, error) {
		p, err := getReportPlan(c.In(tx), *in.ReportPlanName)
		if err != nil {
			return nil, err
		}
		return &backupapi.DescribeReportPlanOutput{ReportPlan: reportPlanOut(p)}, nil
	})
}

func (s *Service) ListReportPlans(ctx context.Context, in *backupapi.ListReportPlansInput) (*backupapi.ListReportPlansOutput, error) {
	q := listQuery[reportPlanRec]{Op: "ListReportPlans", Token: in.NextToken, Max: in.MaxResults,
		Created: func(p *reportPlanRec) (time.Time, string) { return p.Created, p.Name }}
	items, next, err := listByCreation(s, s.Call(ctx), q, reportPlans, func(p *reportPlanRec) backupapi.ReportPlan { return *reportPlanOut(p) })
	if err != nil {
		return nil, err
	}
	return &backupapi.ListReportPlansOutput{ReportPlans: items, NextToken: next}, nil
}

func (s *Service) UpdateReportPlan(ctx context.Context, in *backupapi.UpdateReportPlanInput) (*backupapi.UpdateReportPlanOutput, error) {
	c := s.Call(ctx)
	p, err := kit.Write(s.Kit, func(tx kit.Tx) (*reportPlanRec, error) {
		v := c.In(tx)
		p, err := getReportPlan(v, *in.ReportPlanName)
		if err != nil {
			return nil, err
		}
		ch, set := p.Channel, p.Setting
		if in.ReportDeliveryChannel != nil {
			ch = *in.ReportDeliveryChannel
		}
		if in.ReportSetting != nil {
			set = *in.ReportSetting
		}
		if err := checkReportPlan(&ch, &set); err != nil {
			return nil, err
		}
		p.Channel, p.Setting = ch, set
		if in.ReportPlanDescription != nil {
			p.Description = *in.ReportPlanDescription
		}
		return p, reportPlans.Put(v, p, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.UpdateReportPlanOutput{ReportPlanName: new(p.Name), ReportPlanArn: new(p.ARN), CreationTime: new(p.Created)}, nil
}

func (s *Service) DeleteReportPlan(ctx context.Context, in *backupapi.DeleteReportPlanInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		if _, err := getReportPlan(v, *in.ReportPlanName); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, reportPlans.Delete(v, *in.ReportPlanName)
	})
}

// trimmedPrefix is a key prefix without its slashes at the ends.
func trimmedPrefix(p *string) string { return strings.Trim(deref(p), "/") }
