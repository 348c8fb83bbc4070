package backup

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/service/kit"
)

// Restore testing: a plan says when to test (a cron schedule) and which recovery points
// may be tested (of which vaults, how recent, the latest or one at random); its
// selections say which protected resources, with which role, restore metadata and
// validation window. Each run starts a restore job per selected resource from a chosen
// recovery point; the restored resource is kept for the validation window (a user's
// PutRestoreValidationResult may end it sooner), then deleted.

// rtPlanRec is a restore testing plan, by name.
type rtPlanRec struct {
	Name             string                                         `json:"name"`
	ARN              string                                         `json:"arn"`
	Points           backupapi.RestoreTestingRecoveryPointSelection `json:"points"`
	Schedule         string                                         `json:"schedule"`
	Zone             string                                         `json:"zone,omitempty"`
	StartWindowHours int64                                          `json:"startWindowHours"`
	Created          time.Time                                      `json:"created"`
	Updated          *time.Time                                     `json:"updated,omitempty"`
	LastRun          *time.Time                                     `json:"lastRun,omitempty"`
	CreatorRequestID string                                         `json:"creatorRequestId,omitempty"`
	Job              string                                         `json:"job,omitempty"` // the armed run
	Tags             map[string]string                              `json:"tags,omitempty"`
}

// version names the plan as it is now, for the run armed for it.
func (p *rtPlanRec) version() string {
	at := p.Created
	if p.Updated != nil {
		at = *p.Updated
	}
	return strconv.FormatInt(at.UnixNano(), 10)
}

// rtSelectionRec is a restore testing selection, by plan and name.
type rtSelectionRec struct {
	Plan             string                                     `json:"plan"`
	Selection        backupapi.RestoreTestingSelectionForCreate `json:"selection"`
	Created          time.Time                                  `json:"created"`
	Updated          *time.Time                                 `json:"updated,omitempty"`
	CreatorRequestID string                                     `json:"creatorRequestId,omitempty"`
}

var (
	rtPlans      = kit.Table[rtPlanRec]{Kind: "rtplan"}     // rtplan/<name>
	rtSelections = kit.Table[rtSelectionRec]{Kind: "rtsel"} // rtsel/<plan>/<name>
)

// AWS's limits of restore testing.
const (
	defaultStartWindowHours = 24
	maxStartWindowHours     = 168
	defaultSelectionDays    = 30
	maxSelectionDays        = 365
	maxValidationHours      = 168
)

var rtName = lazyregexp.MustCompile(`^[a-zA-Z0-9_]{1,50}$`)

// checkPointSelection checks a plan's recovery point selection and fills its default.
func checkPointSelection(p *backupapi.RestoreTestingRecoveryPointSelection) error {
	if p == nil || p.Algorithm == nil || len(p.IncludeVaults) == 0 || len(p.RecoveryPointTypes) == 0 {
		return msgRTSelectionIncomplete.New()
	}
	if p.SelectionWindowDays == nil {
		p.SelectionWindowDays = new(int64(defaultSelectionDays))
	}
	if d := *p.SelectionWindowDays; d < 1 || d > maxSelectionDays {
		return msgRTWindowDays.New(maxSelectionDays)
	}
	for _, v := range append(slices.Clone(p.IncludeVaults), p.ExcludeVaults...) {
		if _, ok := parseVaultARN(v); !ok && v != "*" {
			return msgBadVaultARN.New(v)
		}
	}
	return nil
}

// checkRTPlan checks what a plan's create or update sets, and fills the defaults.
func checkRTPlan(schedule, zone string, startHours **int64, points *backupapi.RestoreTestingRecoveryPointSelection) error {
	if err := checkSchedule("restore testing plan", schedule, zone); err != nil {
		return err
	}
	if *startHours == nil {
		*startHours = new(int64(defaultStartWindowHours))
	}
	if h := **startHours; h < 1 || h > maxStartWindowHours {
		return msgRTStartWindow.New(maxStartWindowHours)
	}
	return checkPointSelection(points)
}

func rtPlanARN(c kit.Call, name string) string {
	return arn.New(partitionOf(c.Region), serviceName, c.Region, c.Account, "restore-testing-plan:"+name)
}

func getRTPlan(v kit.View, name string) (*rtPlanRec, error) {
	p, err := rtPlans.Get(v, name)
	if err == nil && p == nil {
		err = msgRTPlanNotFound.New(name)
	}
	return p, err
}

func (s *Service) CreateRestoreTestingPlan(ctx context.Context, in *backupapi.CreateRestoreTestingPlanInput) (*backupapi.CreateRestoreTestingPlanOutput, error) {
	c := s.Call(ctx)
	p := in.RestoreTestingPlan
	if !rtName.MatchString(deref(p.RestoreTestingPlanName)) {
		return nil, msgRTName.New(deref(p.RestoreTestingPlanName))
	}
	if err := checkRTPlan(deref(p.ScheduleExpression), deref(p.ScheduleExpressionTimezone), &p.StartWindowHours, p.RecoveryPointSelection); err != nil {
		return nil, err
	}
	rec, err := kit.Write(s.Kit, func(tx kit.Tx) (*rtPlanRec, error) {
		v := c.In(tx)
		if prev, err := rtPlans.Get(v, *p.RestoreTestingPlanName); err != nil || prev != nil {
			if prev != nil && prev.CreatorRequestID != "" && prev.CreatorRequestID == deref(in.CreatorRequestId) {
				return prev, nil // a retried request
			}
			if prev != nil {
				return nil, msgRTPlanExists.New(prev.Name)
			}
			return nil, err
		}
		rec := &rtPlanRec{
			Name: *p.RestoreTestingPlanName, ARN: rtPlanARN(c, *p.RestoreTestingPlanName), Points: *p.RecoveryPointSelection,
			Schedule: *p.ScheduleExpression, Zone: deref(p.ScheduleExpressionTimezone), StartWindowHours: *p.StartWindowHours,
			Created: c.Now(), CreatorRequestID: deref(in.CreatorRequestId), Tags: in.Tags,
		}
		if err := s.armRestoreTest(tx, v, rec, rec.Created); err != nil {
			return nil, err
		}
		return rec, rtPlans.Put(v, rec, rec.Name)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateRestoreTestingPlanOutput{CreationTime: new(rec.Created), RestoreTestingPlanArn: new(rec.ARN), RestoreTestingPlanName: new(rec.Name)}, nil
}

func rtPlanOut(p *rtPlanRec) *backupapi.RestoreTestingPlanForGet {
	points := p.Points
	return &backupapi.RestoreTestingPlanForGet{
		CreationTime: new(p.Created), CreatorRequestId: nonEmpty(p.CreatorRequestID), LastExecutionTime: p.LastRun,
		LastUpdateTime: p.Updated, RecoveryPointSelection: &points, RestoreTestingPlanArn: new(p.ARN),
		RestoreTestingPlanName: new(p.Name), ScheduleExpression: new(p.Schedule), ScheduleExpressionTimezone: nonEmpty(p.Zone),
		StartWindowHours: new(p.StartWindowHours),
	}
}

func (s *Service) GetRestoreTestingPlan(ctx context.Context, in *backupapi.GetRestoreTestingPlanInput) (*backupapi.GetRestoreTestingPlanOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.GetRestoreTestingPlanOutput, error) {
		p, err := getRTPlan(c.In(tx), *in.RestoreTestingPlanName)
		if err != nil {
			return nil, err
		}
		return &backupapi.GetRestoreTestingPlanOutput{RestoreTestingPlan: rtPlanOut(p)}, nil
	})
}

func (s *Service) ListRestoreTestingPlans(ctx context.Context, in *backupapi.ListRestoreTestingPlansInput) (*backupapi.ListRestoreTestingPlansOutput, error) {
	q := listQuery[rtPlanRec]{Op: "ListRestoreTestingPlans", Token: in.NextToken, Max: in.MaxResults,
		Created: func(p *rtPlanRec) (time.Time, string) { return p.Created, p.Name }}
	items, next, err := listByCreation(s, s.Call(ctx), q, rtPlans, func(p *rtPlanRec) backupapi.RestoreTestingPlanForList {
		g := rtPlanOut(p)
		return backupapi.RestoreTestingPlanForList{
			CreationTime: g.CreationTime, LastExecutionTime: g.LastExecutionTime, LastUpdateTime: g.LastUpdateTime,
			RestoreTestingPlanArn: g.RestoreTestingPlanArn, RestoreTestingPlanName: g.RestoreTestingPlanName,
			ScheduleExpression: g.ScheduleExpression, ScheduleExpressionTimezone: g.ScheduleExpressionTimezone, StartWindowHours: g.StartWindowHours,
		}
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.ListRestoreTestingPlansOutput{RestoreTestingPlans: items, NextToken: next}, nil
}

// UpdateRestoreTestingPlan changes what the request sets and keeps the rest.
func (s *Service) UpdateRestoreTestingPlan(ctx context.Context, in *backupapi.UpdateRestoreTestingPlanInput) (*backupapi.UpdateRestoreTestingPlanOutput, error) {
	c := s.Call(ctx)
	u := in.RestoreTestingPlan
	p, err := kit.Write(s.Kit, func(tx kit.Tx) (*rtPlanRec, error) {
		v := c.In(tx)
		p, err := getRTPlan(v, *in.RestoreTestingPlanName)
		if err != nil {
			return nil, err
		}
		schedule, zone, hours, points := p.Schedule, p.Zone, &p.StartWindowHours, p.Points
		if u.ScheduleExpression != nil {
			schedule = *u.ScheduleExpression
		}
		if u.ScheduleExpressionTimezone != nil {
			zone = *u.ScheduleExpressionTimezone
		}
		if u.StartWindowHours != nil {
			hours = u.StartWindowHours
		}
		if u.RecoveryPointSelection != nil {
			points = *u.RecoveryPointSelection
		}
		if err := checkRTPlan(schedule, zone, &hours, &points); err != nil {
			return nil, err
		}
		p.Schedule, p.Zone, p.StartWindowHours, p.Points, p.Updated = schedule, zone, *hours, points, new(c.Now())
		if err := s.armRestoreTest(tx, v, p, c.Now()); err != nil {
			return nil, err
		}
		return p, rtPlans.Put(v, p, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.UpdateRestoreTestingPlanOutput{CreationTime: new(p.Created), RestoreTestingPlanArn: new(p.ARN), RestoreTestingPlanName: new(p.Name), UpdateTime: p.Updated}, nil
}

// DeleteRestoreTestingPlan deletes a plan without selections, as AWS requires.
func (s *Service) DeleteRestoreTestingPlan(ctx context.Context, in *backupapi.DeleteRestoreTestingPlanInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		p, err := getRTPlan(v, *in.RestoreTestingPlanName)
		if err != nil {
			return nil, err
		}
		sels, err := rtSelections.List(v, p.Name)
		if err != nil {
			return nil, err
		}
		if len(sels) > 0 {
			return nil, msgRTPlanHasSelections.New(p.Name)
		}
		if err := tx.CancelJobs(p.Job); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, rtPlans.Delete(v, p.Name)
	})
}
