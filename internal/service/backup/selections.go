package backup

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// checkSelection checks what the model cannot (its name's pattern is the model's) and
// fills in what GetBackupSelection answers for members the request left out: empty lists,
// as AWS does.
func checkSelection(sel *backupapi.BackupSelection) error {
	if err := checkRole(deref(sel.IamRoleArn)); err != nil {
		return err
	}
	for _, r := range append(append([]string{}, sel.Resources...), sel.NotResources...) {
		if r != "*" && !arn.IsARN(r) {
			return msgBadResourceARN.New(r)
		}
	}
	if len(sel.Resources) == 0 && len(sel.ListOfTags) == 0 {
		return msgSelectionEmpty.New()
	}
	for _, c := range sel.ListOfTags {
		if deref(c.ConditionType) != backupapi.ConditionTypeStringequals {
			return msgBadConditionType.New(deref(c.ConditionType))
		}
	}
	fillSelection(sel)
	return nil
}

func fillSelection(sel *backupapi.BackupSelection) {
	if sel.Resources == nil {
		sel.Resources = []string{}
	}
	if sel.NotResources == nil {
		sel.NotResources = []string{}
	}
	if sel.ListOfTags == nil {
		sel.ListOfTags = []backupapi.Condition{}
	}
	if sel.Conditions == nil {
		sel.Conditions = &backupapi.Conditions{}
	}
	c := sel.Conditions
	for _, l := range []*[]backupapi.ConditionParameter{&c.StringEquals, &c.StringNotEquals, &c.StringLike, &c.StringNotLike} {
		if *l == nil {
			*l = []backupapi.ConditionParameter{}
		}
	}
}

// checkRole checks the form of the IAM role AWS Backup would assume. The role need not
// exist here: AWS Backup's default service role is often named before it is created.
func checkRole(roleARN string) error {
	role, err := arn.Parse(roleARN)
	if err != nil || role.Service != "iam" || !strings.HasPrefix(role.Resource, "role/") {
		return msgBadRole.New(roleARN)
	}
	return nil
}

func (s *Service) CreateBackupSelection(ctx context.Context, in *backupapi.CreateBackupSelectionInput) (*backupapi.CreateBackupSelectionOutput, error) {
	c := s.Call(ctx)
	sel := *in.BackupSelection
	if err := checkSelection(&sel); err != nil {
		return nil, err
	}
	crid := deref(in.CreatorRequestId)
	r, err := kit.Write(s.Kit, func(tx kit.Tx) (*selectionRec, error) {
		v := c.In(tx)
		plan, err := getPlan(v, *in.BackupPlanId)
		if err != nil {
			return nil, err
		}
		if err := s.ensureDefaultRole(tx, c, deref(sel.IamRoleArn)); err != nil {
			return nil, err
		}
		if crid != "" {
			if id := idOf(v, requests, requestSelection, crid); id != "" {
				if prev, err := selections.Get(v, plan.ID, id); prev != nil || err != nil {
					return prev, err
				}
			}
		}
		r := &selectionRec{ID: ids.UUID(), PlanID: plan.ID, Selection: sel, Created: c.Now(), CreatorRequestID: crid}
		if crid != "" {
			if err := requests.Put(v, []byte(r.ID), requestSelection, crid); err != nil {
				return nil, err
			}
		}
		return r, selections.Put(v, r, plan.ID, r.ID)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateBackupSelectionOutput{SelectionId: new(r.ID), BackupPlanId: new(r.PlanID), CreationDate: new(r.Created)}, nil
}

func getSelection(v kit.View, planID, id string) (*selectionRec, error) {
	if _, err := getPlan(v, planID); err != nil {
		return nil, err
	}
	r, err := selections.Get(v, planID, id)
	if err == nil && r == nil {
		err = msgSelectionNotFound.New(id)
	}
	return r, err
}

func (s *Service) GetBackupSelection(ctx context.Context, in *backupapi.GetBackupSelectionInput) (*backupapi.GetBackupSelectionOutput, error) {
	c := s.Call(ctx)
	r, err := kit.Read(s.Kit, func(tx kit.Tx) (*selectionRec, error) {
		return getSelection(c.In(tx), *in.BackupPlanId, *in.SelectionId)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.GetBackupSelectionOutput{
		BackupSelection: &r.Selection, SelectionId: new(r.ID), BackupPlanId: new(r.PlanID), CreationDate: new(r.Created),
		CreatorRequestId: nonEmpty(r.CreatorRequestID),
	}, nil
}

func (s *Service) DeleteBackupSelection(ctx context.Context, in *backupapi.DeleteBackupSelectionInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		r, err := getSelection(v, *in.BackupPlanId, *in.SelectionId)
		if err != nil {
			return nil, err
		}
		p, err := getPlan(v, r.PlanID)
		if err != nil {
			return nil, err
		}
		if err := refuseManagedSelection(c, p); err != nil {
			return nil, err
		}
		if r.CreatorRequestID != "" {
			if err := requests.Delete(v, requestSelection, r.CreatorRequestID); err != nil {
				return nil, err
			}
		}
		return &awsmodel.Empty{}, selections.Delete(v, r.PlanID, r.ID)
	})
}

func (s *Service) ListBackupSelections(ctx context.Context, in *backupapi.ListBackupSelectionsInput) (*backupapi.ListBackupSelectionsOutput, error) {
	c := s.Call(ctx)
	id := *in.BackupPlanId
	if _, err := kit.Read(s.Kit, func(tx kit.Tx) (*planRec, error) { return getPlan(c.In(tx), id) }); err != nil {
		return nil, err
	}
	// Selections list in the order they were made: their ids are random.
	q := listQuery[selectionRec]{Op: "ListBackupSelections", Within: id, Token: in.NextToken, Max: in.MaxResults,
		Created: func(r *selectionRec) (time.Time, string) { return r.Created, r.ID }}
	items, next, err := listByCreation(s, c, q, selections, func(r *selectionRec) backupapi.BackupSelectionsListMember {
		return backupapi.BackupSelectionsListMember{
			SelectionId: new(r.ID), SelectionName: r.Selection.SelectionName, BackupPlanId: new(r.PlanID),
			CreationDate: new(r.Created), IamRoleArn: r.Selection.IamRoleArn, CreatorRequestId: nonEmpty(r.CreatorRequestID),
		}
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.ListBackupSelectionsOutput{BackupSelectionsList: items, NextToken: next}, nil
}
