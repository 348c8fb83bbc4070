package backup

import (
	"context"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// checkRTSelection checks a restore testing selection and fills its default.
func (s *Service) checkRTSelection(sel *backupapi.RestoreTestingSelectionForCreate) error {
	if !rtName.MatchString(deref(sel.RestoreTestingSelectionName)) {
		return msgRTSelName.New(deref(sel.RestoreTestingSelectionName))
	}
	if _, ok := s.protector(deref(sel.ProtectedResourceType)); !ok {
		return msgRTResourceType.New(deref(sel.ProtectedResourceType))
	}
	return checkRTTarget(sel)
}

// checkRTTarget checks what an update may change: the role, the resources (by ARN or by
// conditions, one of them) and the validation window (0 by default: the restored
// resource is deleted once the restore completes).
func checkRTTarget(sel *backupapi.RestoreTestingSelectionForCreate) error {
	if err := checkRole(deref(sel.IamRoleArn)); err != nil {
		return err
	}
	hasConditions := sel.ProtectedResourceConditions != nil
	if (len(sel.ProtectedResourceArns) > 0) == hasConditions {
		return msgRTResources.New()
	}
	if sel.ValidationWindowHours == nil {
		sel.ValidationWindowHours = new(int64(0))
	}
	if h := *sel.ValidationWindowHours; h < 0 || h > maxValidationHours {
		return msgRTValidationWindow.New(maxValidationHours)
	}
	return nil
}

func getRTSelection(v kit.View, plan, name string) (*rtSelectionRec, error) {
	sel, err := rtSelections.Get(v, plan, name)
	if err == nil && sel == nil {
		err = msgRTSelNotFound.New(name, plan)
	}
	return sel, err
}

func (s *Service) CreateRestoreTestingSelection(ctx context.Context, in *backupapi.CreateRestoreTestingSelectionInput) (*backupapi.CreateRestoreTestingSelectionOutput, error) {
	c := s.Call(ctx)
	sel := in.RestoreTestingSelection
	if err := s.checkRTSelection(sel); err != nil {
		return nil, err
	}
	type created struct {
		plan *rtPlanRec
		sel  *rtSelectionRec
	}
	r, err := kit.Write(s.Kit, func(tx kit.Tx) (created, error) {
		v := c.In(tx)
		p, err := getRTPlan(v, *in.RestoreTestingPlanName)
		if err != nil {
			return created{}, err
		}
		if prev, err := rtSelections.Get(v, p.Name, *sel.RestoreTestingSelectionName); err != nil || prev != nil {
			if prev != nil && prev.CreatorRequestID != "" && prev.CreatorRequestID == deref(in.CreatorRequestId) {
				return created{p, prev}, nil // a retried request
			}
			if prev != nil {
				return created{}, msgRTSelExists.New(*sel.RestoreTestingSelectionName)
			}
			return created{}, err
		}
		if err := s.ensureDefaultRole(tx, c, *sel.IamRoleArn); err != nil {
			return created{}, err
		}
		rec := &rtSelectionRec{Plan: p.Name, Selection: *sel, Created: c.Now(), CreatorRequestID: deref(in.CreatorRequestId)}
		return created{p, rec}, rtSelections.Put(v, rec, p.Name, *sel.RestoreTestingSelectionName)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateRestoreTestingSelectionOutput{
		CreationTime: new(r.sel.Created), RestoreTestingPlanArn: new(r.plan.ARN), RestoreTestingPlanName: new(r.plan.Name),
		RestoreTestingSelectionName: r.sel.Selection.RestoreTestingSelectionName,
	}, nil
}

func (s *Service) GetRestoreTestingSelection(ctx context.Context, in *backupapi.GetRestoreTestingSelectionInput) (*backupapi.GetRestoreTestingSelectionOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.GetRestoreTestingSelectionOutput, error) {
		r, err := getRTSelection(c.In(tx), *in.RestoreTestingPlanName, *in.RestoreTestingSelectionName)
		if err != nil {
			return nil, err
		}
		sel := r.Selection
		return &backupapi.GetRestoreTestingSelectionOutput{RestoreTestingSelection: &backupapi.RestoreTestingSelectionForGet{
			CreationTime: new(r.Created), CreatorRequestId: nonEmpty(r.CreatorRequestID), IamRoleArn: sel.IamRoleArn,
			ProtectedResourceArns: sel.ProtectedResourceArns, ProtectedResourceConditions: sel.ProtectedResourceConditions,
			ProtectedResourceType: sel.ProtectedResourceType, RestoreMetadataOverrides: sel.RestoreMetadataOverrides,
			RestoreTestingPlanName: new(r.Plan), RestoreTestingSelectionName: sel.RestoreTestingSelectionName,
			ValidationWindowHours: sel.ValidationWindowHours,
		}}, nil
	})
}

func (s *Service) ListRestoreTestingSelections(ctx context.Context, in *backupapi.ListRestoreTestingSelectionsInput) (*backupapi.ListRestoreTestingSelectionsOutput, error) {
	c := s.Call(ctx)
	out := &backupapi.ListRestoreTestingSelectionsOutput{RestoreTestingSelections: []backupapi.RestoreTestingSelectionForList{}}
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListRestoreTestingSelectionsOutput, error) {
		v := c.In(tx)
		if _, err := getRTPlan(v, *in.RestoreTestingPlanName); err != nil {
			return nil, err
		}
		next, err := scanPage(s, v, listOf(c, "ListRestoreTestingSelections", *in.RestoreTestingPlanName), rtSelections, in.NextToken, in.MaxResults, func(r *rtSelectionRec) bool {
			sel := r.Selection
			out.RestoreTestingSelections = append(out.RestoreTestingSelections, backupapi.RestoreTestingSelectionForList{
				CreationTime: new(r.Created), IamRoleArn: sel.IamRoleArn, ProtectedResourceType: sel.ProtectedResourceType,
				RestoreTestingPlanName: new(r.Plan), RestoreTestingSelectionName: sel.RestoreTestingSelectionName,
				ValidationWindowHours: sel.ValidationWindowHours,
			})
			return true
		}, *in.RestoreTestingPlanName)
		out.NextToken = next
		return out, err
	})
}

// UpdateRestoreTestingSelection changes what the request sets and keeps the rest; the
// resources change whole, by ARN or by conditions.
func (s *Service) UpdateRestoreTestingSelection(ctx context.Context, in *backupapi.UpdateRestoreTestingSelectionInput) (*backupapi.UpdateRestoreTestingSelectionOutput, error) {
	c := s.Call(ctx)
	u := in.RestoreTestingSelection
	type updated struct {
		plan *rtPlanRec
		sel  *rtSelectionRec
	}
	r, err := kit.Write(s.Kit, func(tx kit.Tx) (updated, error) {
		v := c.In(tx)
		p, err := getRTPlan(v, *in.RestoreTestingPlanName)
		if err != nil {
			return updated{}, err
		}
		r, err := getRTSelection(v, p.Name, *in.RestoreTestingSelectionName)
		if err != nil {
			return updated{}, err
		}
		sel := r.Selection
		if u.IamRoleArn != nil {
			sel.IamRoleArn = u.IamRoleArn
		}
		if u.ProtectedResourceArns != nil || u.ProtectedResourceConditions != nil {
			sel.ProtectedResourceArns, sel.ProtectedResourceConditions = u.ProtectedResourceArns, u.ProtectedResourceConditions
		}
		if u.RestoreMetadataOverrides != nil {
			sel.RestoreMetadataOverrides = u.RestoreMetadataOverrides
		}
		if u.ValidationWindowHours != nil {
			sel.ValidationWindowHours = u.ValidationWindowHours
		}
		if err := checkRTTarget(&sel); err != nil {
			return updated{}, err
		}
		if err := s.ensureDefaultRole(tx, c, *sel.IamRoleArn); err != nil {
			return updated{}, err
		}
		r.Selection, r.Updated = sel, new(c.Now())
		return updated{p, r}, rtSelections.Put(v, r, p.Name, *sel.RestoreTestingSelectionName)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.UpdateRestoreTestingSelectionOutput{
		CreationTime: new(r.sel.Created), RestoreTestingPlanArn: new(r.plan.ARN), RestoreTestingPlanName: new(r.plan.Name),
		RestoreTestingSelectionName: r.sel.Selection.RestoreTestingSelectionName, UpdateTime: r.sel.Updated,
	}, nil
}

func (s *Service) DeleteRestoreTestingSelection(ctx context.Context, in *backupapi.DeleteRestoreTestingSelectionInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		if _, err := getRTSelection(v, *in.RestoreTestingPlanName, *in.RestoreTestingSelectionName); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, rtSelections.Delete(v, *in.RestoreTestingPlanName, *in.RestoreTestingSelectionName)
	})
}
