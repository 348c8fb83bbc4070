package backup

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// checkSelection checks what the model cannot (its name's pattern is the model's) and fills in what GetBackupSelection answers for
// members the request left out: empty lists, as AWS does.
func checkSelection(sel *backupapi.BackupSelection) error {
	if err := checkRole(deref(sel.IamRoleArn)); err != nil {
		return err
	}
	for _, r := range append(append([]string{}, sel.Resources...), sel.NotResources...) {
		if r != "*" && !arn.IsARN(r) {
			return invalidParameter("Invalid resource ARN: %s", r)
		}
	}
	if len(sel.Resources) == 0 && len(sel.ListOfTags) == 0 {
		return invalidParameter("A backup selection must name resources by ARN or by tag")
	}
	for _, c := range sel.ListOfTags {
		if deref(c.ConditionType) != backupapi.ConditionTypeStringequals {
			return invalidParameter("Invalid ConditionType %s", deref(c.ConditionType))
		}
	}
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
	return nil
}

// checkRole checks the form of the IAM role AWS Backup would assume. The role need not
// exist here: AWS Backup's default service role is often named before it is created.
func checkRole(roleARN string) error {
	role, err := arn.Parse(roleARN)
	if err != nil || role.Service != "iam" || !strings.HasPrefix(role.Resource, "role/") {
		return invalidParameter("Invalid IAM role ARN: %s", roleARN)
	}
	return nil
}

func (s *Service) createBackupSelection(ctx context.Context, in *backupapi.CreateBackupSelectionInput) (*backupapi.CreateBackupSelectionOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	sel := *in.BackupSelection
	if err := checkSelection(&sel); err != nil {
		return nil, err
	}
	var r selectionRec
	err := s.st.Update(func(tx store.Tx) error {
		plan, err := getPlan(tx, sc, *in.BackupPlanId)
		if err != nil {
			return err
		}
		crid := deref(in.CreatorRequestId)
		if crid != "" {
			done, err := s.retried(tx, sc, requestSelection, crid, func(id string) (bool, error) {
				return store.GetJSON(tx, sc.Key(kindSelection, plan.ID, id), &r)
			})
			if done || err != nil {
				return err
			}
		}
		r = selectionRec{ID: ids.UUID(), PlanID: plan.ID, Selection: sel, Created: s.clock.Now(), CreatorRequestID: crid}
		if crid != "" {
			if err := tx.Put(sc.Key(kindRequest, requestSelection, crid), []byte(r.ID)); err != nil {
				return err
			}
		}
		return store.PutJSON(tx, sc.Key(kindSelection, plan.ID, r.ID), &r)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateBackupSelectionOutput{SelectionId: str(r.ID), BackupPlanId: str(r.PlanID), CreationDate: timePtr(r.Created)}, nil
}

func getSelection(tx store.Tx, sc store.Scope, planID, id string) (*selectionRec, error) {
	if _, err := getPlan(tx, sc, planID); err != nil {
		return nil, err
	}
	var r selectionRec
	found, err := store.GetJSON(tx, sc.Key(kindSelection, planID, id), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, selectionNotFound(id)
	}
	return &r, nil
}

func (s *Service) getBackupSelection(ctx context.Context, in *backupapi.GetBackupSelectionInput) (*backupapi.GetBackupSelectionOutput, error) {
	info := request.From(ctx)
	var r *selectionRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		r, err = getSelection(tx, scopeOf(info), *in.BackupPlanId, *in.SelectionId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &backupapi.GetBackupSelectionOutput{
		BackupSelection: &r.Selection, SelectionId: str(r.ID), BackupPlanId: str(r.PlanID), CreationDate: timePtr(r.Created),
	}
	if r.CreatorRequestID != "" {
		out.CreatorRequestId = str(r.CreatorRequestID)
	}
	return out, nil
}

func (s *Service) deleteBackupSelection(ctx context.Context, in *backupapi.DeleteBackupSelectionInput) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	err := s.st.Update(func(tx store.Tx) error {
		r, err := getSelection(tx, sc, *in.BackupPlanId, *in.SelectionId)
		if err != nil {
			return err
		}
		if r.CreatorRequestID != "" {
			if err := tx.Delete(sc.Key(kindRequest, requestSelection, r.CreatorRequestID)); err != nil {
				return err
			}
		}
		return tx.Delete(sc.Key(kindSelection, r.PlanID, r.ID))
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}

func (s *Service) listBackupSelections(ctx context.Context, in *backupapi.ListBackupSelectionsInput) (*backupapi.ListBackupSelectionsOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	out := &backupapi.ListBackupSelectionsOutput{BackupSelectionsList: []backupapi.BackupSelectionsListMember{}}
	err := s.st.View(func(tx store.Tx) error {
		if _, err := getPlan(tx, sc, *in.BackupPlanId); err != nil {
			return err
		}
		var err error
		out.NextToken, err = scanPage(tx, sc.Prefix(kindSelection, *in.BackupPlanId), in.NextToken, in.MaxResults, func(r *selectionRec) bool {
			m := backupapi.BackupSelectionsListMember{
				SelectionId: str(r.ID), SelectionName: r.Selection.SelectionName, BackupPlanId: str(r.PlanID),
				CreationDate: timePtr(r.Created), IamRoleArn: r.Selection.IamRoleArn,
			}
			if r.CreatorRequestID != "" {
				m.CreatorRequestId = str(r.CreatorRequestID)
			}
			out.BackupSelectionsList = append(out.BackupSelectionsList, m)
			return true
		})
		return err
	})
	return out, err
}
