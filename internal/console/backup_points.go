package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/regions"
)

// defaultRole is the role behind the console's "Default" choice: AWS Backup's default
// service role. The console does not create it (AWS's console would): xregion's AWS
// Backup checks a role's form, not its existence, so the choice works without it.
func defaultRole(account string) string {
	return "arn:aws:iam::" + account + ":role/service-role/AWSBackupDefaultServiceRole"
}

// chosenRole is the "IAM role" choice of a form: "Default", or the ARN typed.
func chosenRole(r *http.Request, account string) string {
	if r.PostFormValue("role") == "choose" {
		return strings.TrimSpace(r.PostFormValue("roleArn"))
	}
	return defaultRole(account)
}

type pointData struct {
	Point    *backupapi.DescribeRecoveryPointOutput
	Vault    string
	Regions  []string
	Dest     string                            // the Destination Region chosen
	Vaults   []backupapi.BackupVaultListMember // the destination Region's vaults
	Form     map[string]string
	Restore  map[string]string // the restore form, shown again after an error
	Metadata map[string]string
}

func (v *visit) describePoint(vault, arn string) (*backupapi.DescribeRecoveryPointOutput, error) {
	return call(v.r.Context(), v.c.services, v.as(), "backup", backupapi.OpDescribeRecoveryPoint,
		&backupapi.DescribeRecoveryPointInput{BackupVaultName: &vault, RecoveryPointArn: &arn})
}

// pointPage is a recovery point's details, with "Copy" and "Restore".
func (c *Console) pointPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showPoint(w, v, "point", http.StatusOK, nil, nil, nil)
}

// copyPage is the Copy form of a recovery point.
func (c *Console) copyPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showPoint(w, v, "copy", http.StatusOK, nil, nil, nil)
}

func (c *Console) showPoint(w http.ResponseWriter, v *visit, page string, status int, form, restore map[string]string, failed error) {
	vault, arn := v.r.FormValue("vault"), v.r.FormValue("arn")
	point, err := v.describePoint(vault, arn)
	if err != nil {
		v.render(w, http.StatusOK, "vault", vault, "vaults", vaultData{}, err)
		return
	}
	data := pointData{Point: point, Vault: vault, Regions: partitionRegions(v.Region), Form: form, Restore: restore}
	data.Dest = v.r.FormValue("dest")
	if !regions.Valid(data.Dest) {
		data.Dest = v.Region
	}
	if page == "copy" {
		data.Vaults, err = v.vaults(data.Dest)
		if failed == nil {
			failed = err
		}
	}
	title := "Recovery point"
	if page == "copy" {
		title = "Copy"
	}
	v.render(w, status, page, title, "vaults", data, failed)
}

// vaultOptions is the "Backup vault" choice of another Region, which the Copy form
// fetches (htmx) when the Destination Region changes.
func (c *Console) vaultOptions(w http.ResponseWriter, r *http.Request, v *visit) {
	dest := r.FormValue("dest")
	if !regions.Valid(dest) {
		dest = v.Region
	}
	vaults, err := v.vaults(dest)
	if err != nil {
		vaults = nil // the options stay empty; the copy form reports the error on submit
	}
	c.write(w, http.StatusOK, "copy", "vault-options", struct {
		Vaults []backupapi.BackupVaultListMember
	}{vaults})
}

// startCopy is "Create backup copy".
func (c *Console) startCopy(w http.ResponseWriter, r *http.Request, v *visit) {
	vault, arn := r.PostFormValue("vault"), r.PostFormValue("arn")
	dest, destVault := r.PostFormValue("dest"), r.PostFormValue("destVault")
	form := map[string]string{"destVault": destVault, "cold": r.PostFormValue("cold"), "expire": r.PostFormValue("expire"),
		"role": r.PostFormValue("role"), "roleArn": r.PostFormValue("roleArn")}
	lifecycle, err := lifecycleOf(r)
	if err != nil {
		c.showPoint(w, v, "copy", http.StatusBadRequest, form, nil, err)
		return
	}
	partition, _ := regions.Partition(dest)
	destARN := "arn:" + partition + ":backup:" + dest + ":" + v.sess.who.Account + ":backup-vault:" + destVault
	in := &backupapi.StartCopyJobInput{
		RecoveryPointArn: &arn, SourceBackupVaultName: &vault, DestinationBackupVaultArn: &destARN,
		IamRoleArn: new(chosenRole(r, v.sess.who.Account)), IdempotencyToken: new(randomToken()), Lifecycle: lifecycle,
	}
	out, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpStartCopyJob, in)
	if err != nil {
		c.showPoint(w, v, "copy", http.StatusBadRequest, form, nil, err)
		return
	}
	v.redirect(w, "backup/jobs?tab=copy", v.Region, "Copy job "+deref(out.CopyJobId)+" started.")
}

// lifecycleOf reads a form's "Lifecycle": the days after creation of "Transition to cold
// storage" and "Expire", each optional. Whether they make sense together is the
// service's to say (the 90-day rule), not the console's.
func lifecycleOf(r *http.Request) (*backupapi.Lifecycle, error) {
	var lc backupapi.Lifecycle
	var err error
	if lc.MoveToColdStorageAfterDays, err = wholeNumber("Transition to cold storage", "days", r.PostFormValue("cold")); err != nil {
		return nil, err
	}
	if lc.DeleteAfterDays, err = wholeNumber("Expire", "days", r.PostFormValue("expire")); err != nil {
		return nil, err
	}
	if lc.MoveToColdStorageAfterDays == nil && lc.DeleteAfterDays == nil {
		return nil, nil
	}
	return &lc, nil
}

// wholeNumber reads an optional number field: nil when empty. A field that holds no number
// cannot reach the service as one, so the console reports it, in AWS Backup's error.
func wholeNumber(label, unit, text string) (*int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, backupapi.ErrInvalidParameterValue.New("%s must be a whole number of %s, not %q", label, unit, text)
	}
	return &n, nil
}

// startRestore is "Restore backup": the recovery point's restore metadata as AWS Backup
// gives it, with the new DB instance's identifier the person typed.
func (c *Console) startRestore(w http.ResponseWriter, r *http.Request, v *visit) {
	vault, arn := r.PostFormValue("vault"), r.PostFormValue("arn")
	identifier := strings.TrimSpace(r.PostFormValue("identifier"))
	restoreForm := map[string]string{"identifier": identifier}
	meta, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpGetRecoveryPointRestoreMetadata,
		&backupapi.GetRecoveryPointRestoreMetadataInput{BackupVaultName: &vault, RecoveryPointArn: &arn})
	if err != nil {
		c.showPoint(w, v, "point", http.StatusBadRequest, nil, restoreForm, err)
		return
	}
	metadata := map[string]string{}
	for k, val := range meta.RestoreMetadata {
		metadata[k] = val
	}
	metadata["DBInstanceIdentifier"] = identifier
	out, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpStartRestoreJob, &backupapi.StartRestoreJobInput{
		RecoveryPointArn: &arn, Metadata: metadata, IamRoleArn: new(chosenRole(r, v.sess.who.Account)),
		IdempotencyToken: new(randomToken()), ResourceType: meta.ResourceType,
	})
	if err != nil {
		c.showPoint(w, v, "point", http.StatusBadRequest, nil, restoreForm, err)
		return
	}
	v.redirect(w, "backup/jobs?tab=restore", v.Region, "Restore job "+deref(out.RestoreJobId)+" started.")
}
