package console

import (
	"net/http"
	"strings"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
)

// frequencies are the wizard's "Frequency" choices, as the AWS console writes them into
// the rule's schedule (05:00 UTC, the console's default start).
var frequencies = []struct{ Name, Expression string }{
	{"Hourly", "cron(0 * ? * * *)"},
	{"Every 12 hours", "cron(0 5/12 ? * * *)"},
	{"Daily", "cron(0 5 ? * * *)"},
	{"Weekly", "cron(0 5 ? * SUN *)"},
	{"Monthly", "cron(0 5 1 * ? *)"},
}

func scheduleOf(frequency string) string {
	for _, f := range frequencies {
		if f.Name == frequency {
			return f.Expression
		}
	}
	return frequency // not one of the choices: the service judges the expression
}

// plansPage is "Backup plans".
func (c *Console) plansPage(w http.ResponseWriter, r *http.Request, v *visit) {
	out, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpListBackupPlans,
		&backupapi.ListBackupPlansInput{MaxResults: new(listLimit)})
	var plans []backupapi.BackupPlansListMember
	if out != nil {
		plans = out.BackupPlansList
	}
	v.render(w, http.StatusOK, "plans", "Backup plans", "plans", plans, err)
}

type newPlanData struct {
	Vaults      []backupapi.BackupVaultListMember
	Regions     []string
	Frequencies []struct{ Name, Expression string }
	Form        map[string]string
}

// newPlanPage is "Create Backup plan" with "Build a new plan".
func (c *Console) newPlanPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showNewPlan(w, v, http.StatusOK, map[string]string{"frequency": "Daily", "window": "default"}, nil)
}

func (c *Console) showNewPlan(w http.ResponseWriter, v *visit, status int, form map[string]string, failed error) {
	vaults, err := v.vaults(v.Region)
	if failed == nil {
		failed = err
	}
	data := newPlanData{Vaults: vaults, Regions: partitionRegions(v.Region), Frequencies: frequencies, Form: form}
	v.render(w, status, "newplan", "Create Backup plan", "plans", data, failed)
}

var planFields = []string{"name", "rule", "vault", "frequency", "window", "start", "complete", "cold", "expire", "dest", "destVault"}

// createPlan is "Create plan": one rule, with its copy to another Region when "Generate
// copy" names a destination.
func (c *Console) createPlan(w http.ResponseWriter, r *http.Request, v *visit) {
	form := map[string]string{}
	for _, f := range planFields {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	rule, err := ruleOf(r, form, v.sess.who.Account)
	if err != nil {
		c.showNewPlan(w, v, http.StatusBadRequest, form, err)
		return
	}
	in := &backupapi.CreateBackupPlanInput{
		BackupPlan:       &backupapi.BackupPlanInput{BackupPlanName: new(form["name"]), Rules: []backupapi.BackupRuleInput{rule}},
		CreatorRequestId: new(randomToken()),
	}
	out, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpCreateBackupPlan, in)
	if err != nil {
		c.showNewPlan(w, v, http.StatusBadRequest, form, err)
		return
	}
	v.redirect(w, "backup/plans/"+deref(out.BackupPlanId), v.Region, "Backup plan "+form["name"]+" created.")
}

// ruleOf is the wizard's "Backup rule configuration". With "Use backup window defaults
// (recommended)" the rule carries no windows, and AWS Backup applies its defaults.
func ruleOf(r *http.Request, form map[string]string, account string) (backupapi.BackupRuleInput, error) {
	rule := backupapi.BackupRuleInput{
		RuleName: new(form["rule"]), TargetBackupVaultName: new(form["vault"]),
		ScheduleExpression: new(scheduleOf(form["frequency"])),
	}
	if form["window"] == "custom" {
		var err error
		if rule.StartWindowMinutes, err = wholeNumber("Start within", "minutes", form["start"]); err != nil {
			return rule, err
		}
		if rule.CompletionWindowMinutes, err = wholeNumber("Complete within", "minutes", form["complete"]); err != nil {
			return rule, err
		}
	}
	lifecycle, err := lifecycleOf(r)
	if err != nil {
		return rule, err
	}
	rule.Lifecycle = lifecycle
	if dest := form["dest"]; dest != "" {
		partition, _ := regions.Partition(dest)
		rule.CopyActions = []backupapi.CopyAction{{
			DestinationBackupVaultArn: new("arn:" + partition + ":backup:" + dest + ":" + account + ":backup-vault:" + form["destVault"]),
		}}
	}
	return rule, nil
}

type planData struct {
	Plan       *backupapi.GetBackupPlanOutput
	Selections []backupapi.BackupSelectionsListMember
	Resources  []resourceGroup
	Form       map[string]string
}

// planPage is a plan's details: its rules, copy rules and resource assignments.
func (c *Console) planPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showPlan(w, v, http.StatusOK, nil, nil)
}

func (c *Console) showPlan(w http.ResponseWriter, v *visit, status int, form map[string]string, failed error) {
	id := v.r.PathValue("plan")
	ctx := v.r.Context()
	plan, err := call(ctx, v.c.services, v.as(), "backup", backupapi.OpGetBackupPlan, &backupapi.GetBackupPlanInput{BackupPlanId: &id})
	if err != nil {
		v.render(w, http.StatusOK, "plans", "Backup plans", "plans", []backupapi.BackupPlansListMember{}, err)
		return
	}
	data := planData{Plan: plan, Form: form}
	selections, err := call(ctx, v.c.services, v.as(), "backup", backupapi.OpListBackupSelections,
		&backupapi.ListBackupSelectionsInput{BackupPlanId: &id, MaxResults: new(listLimit)})
	if err == nil {
		data.Selections = selections.BackupSelectionsList
		data.Resources, err = v.protectables()
	}
	if failed == nil {
		failed = err
	}
	v.render(w, status, "plan", deref(plan.BackupPlan.BackupPlanName), "plans", data, failed)
}

// instances are the Region's DB instances, the resources AWS Backup protects here.
func (v *visit) instances() ([]rdsapi.DBInstance, error) {
	out, err := call(v.r.Context(), v.c.services, v.as(), "rds", rdsapi.OpDescribeDBInstances, &rdsapi.DescribeDBInstancesMessage{})
	if err != nil {
		return nil, err
	}
	return out.DBInstances, nil
}

// assignResources is the plan page's "Assign resources".
func (c *Console) assignResources(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("plan")
	form := map[string]string{"selection": strings.TrimSpace(r.PostFormValue("selection")), "resource": r.PostFormValue("resource")}
	in := &backupapi.CreateBackupSelectionInput{
		BackupPlanId: &id, CreatorRequestId: new(randomToken()),
		BackupSelection: &backupapi.BackupSelection{
			SelectionName: new(form["selection"]), IamRoleArn: new(chosenRole(r, v.sess.who.Account)),
			Resources: []string{form["resource"]},
		},
	}
	if _, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpCreateBackupSelection, in); err != nil {
		c.showPlan(w, v, http.StatusBadRequest, form, err)
		return
	}
	v.redirect(w, "backup/plans/"+id, v.Region, "Resources assigned to the plan.")
}

// deletePlan is the plan page's "Delete".
func (c *Console) deletePlan(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PathValue("plan")
	if _, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpDeleteBackupPlan,
		&backupapi.DeleteBackupPlanInput{BackupPlanId: &id}); err != nil {
		c.showPlan(w, v, http.StatusBadRequest, nil, err)
		return
	}
	v.redirect(w, "backup/plans", v.Region, "Backup plan deleted.")
}
