package console

import (
	"net/http"

	"github.com/xregion/xregion/internal/gen/backupapi"
)

type jobsData struct {
	Tab       string // "backup", "copy" or "restore"
	Backup    []backupapi.BackupJob
	Copy      []backupapi.CopyJob
	Restore   []backupapi.RestoreJobsListMember
	Vaults    []backupapi.BackupVaultListMember
	Resources []resourceGroup
	Form      map[string]string
}

// jobsPage is "Jobs", with the tabs "Backup jobs", "Copy jobs" and "Restore jobs". Its
// table asks for itself again every few seconds (htmx), so states move on the page as
// the job engine moves them.
func (c *Console) jobsPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showJobs(w, v, http.StatusOK, nil, nil)
}

func (c *Console) showJobs(w http.ResponseWriter, v *visit, status int, form map[string]string, failed error) {
	data := jobsData{Tab: v.r.FormValue("tab"), Form: form}
	err := data.load(v)
	if failed == nil {
		failed = err
	}
	if v.r.Header.Get("HX-Request") == "true" && v.r.FormValue("part") == "table" {
		vw := view{Region: v.Region, Data: data}
		v.c.write(w, status, "jobs", "jobs-table", vw)
		return
	}
	v.render(w, status, "jobs", "Jobs", "jobs", data, failed)
}

func (d *jobsData) load(v *visit) error {
	ctx, s, as := v.r.Context(), v.c.services, v.as()
	switch d.Tab {
	case "copy":
		out, err := call(ctx, s, as, "backup", backupapi.OpListCopyJobs, &backupapi.ListCopyJobsInput{MaxResults: new(listLimit)})
		if err != nil {
			return err
		}
		d.Copy = out.CopyJobs
	case "restore":
		out, err := call(ctx, s, as, "backup", backupapi.OpListRestoreJobs, &backupapi.ListRestoreJobsInput{MaxResults: new(listLimit)})
		if err != nil {
			return err
		}
		d.Restore = out.RestoreJobs
	default:
		d.Tab = "backup"
		out, err := call(ctx, s, as, "backup", backupapi.OpListBackupJobs, &backupapi.ListBackupJobsInput{MaxResults: new(listLimit)})
		if err != nil {
			return err
		}
		d.Backup = out.BackupJobs
		if v.r.FormValue("part") == "table" {
			return nil // the refreshed table needs no form
		}
		if d.Vaults, err = v.vaults(v.Region); err != nil {
			return err
		}
		d.Resources, err = v.protectables()
		return err
	}
	return nil
}

// startBackup is "Create on-demand backup".
func (c *Console) startBackup(w http.ResponseWriter, r *http.Request, v *visit) {
	form := map[string]string{"resource": r.PostFormValue("resource"), "vault": r.PostFormValue("vault")}
	lifecycle, err := lifecycleOf(r)
	if err == nil {
		_, err = call(r.Context(), c.services, v.as(), "backup", backupapi.OpStartBackupJob, &backupapi.StartBackupJobInput{
			BackupVaultName: new(form["vault"]), ResourceArn: new(form["resource"]),
			IamRoleArn: new(chosenRole(r, v.sess.who.Account)), IdempotencyToken: new(randomToken()), Lifecycle: lifecycle,
		})
	}
	if err != nil {
		c.showJobs(w, v, http.StatusBadRequest, form, err)
		return
	}
	v.redirect(w, "backup/jobs?tab=backup", v.Region, "Backup job started.")
}
