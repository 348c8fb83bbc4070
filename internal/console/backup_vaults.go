package console

import (
	"net/http"
	"strings"

	"github.com/xregion/xregion/internal/gen/backupapi"
)

// listLimit is the page size of the console's lists. One page of AWS Backup's largest
// (1000) is more than a person reads on one screen; the console asks for one page.
const listLimit int64 = 1000

func (v *visit) vaults(region string) ([]backupapi.BackupVaultListMember, error) {
	out, err := call(v.r.Context(), v.c.services, v.in(region), "backup", backupapi.OpListBackupVaults,
		&backupapi.ListBackupVaultsInput{MaxResults: new(listLimit)})
	if err != nil {
		return nil, err
	}
	return out.BackupVaultList, nil
}

// vaultsPage is "Backup vaults": the Region's vaults with their key and recovery-point
// count, and the "Create Backup vault" form.
func (c *Console) vaultsPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showVaults(w, v, http.StatusOK, nil, nil)
}

type vaultsData struct {
	Vaults []backupapi.BackupVaultListMember
	Form   map[string]string // what the person typed, shown again after an error
}

func (c *Console) showVaults(w http.ResponseWriter, v *visit, status int, form map[string]string, failed error) {
	vaults, err := v.vaults(v.Region)
	if failed == nil {
		failed = err
	}
	v.render(w, status, "vaults", "Backup vaults", "vaults", vaultsData{Vaults: vaults, Form: form}, failed)
}

// createVault is the "Create Backup vault" form's action.
func (c *Console) createVault(w http.ResponseWriter, r *http.Request, v *visit) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	in := &backupapi.CreateBackupVaultInput{BackupVaultName: &name, CreatorRequestId: new(randomToken())}
	if key := strings.TrimSpace(r.PostFormValue("key")); key != "" {
		in.EncryptionKeyArn = &key
	}
	if _, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpCreateBackupVault, in); err != nil {
		c.showVaults(w, v, http.StatusBadRequest, map[string]string{"name": name, "key": deref(in.EncryptionKeyArn)}, err)
		return
	}
	v.redirect(w, "backup/vaults/"+name, v.Region, "Backup vault "+name+" created.")
}

type vaultData struct {
	Vault  *backupapi.DescribeBackupVaultOutput
	Points []backupapi.RecoveryPointByBackupVault
}

// vaultPage is one vault's details with its recovery points.
func (c *Console) vaultPage(w http.ResponseWriter, r *http.Request, v *visit) {
	name := r.PathValue("vault")
	vault, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpDescribeBackupVault,
		&backupapi.DescribeBackupVaultInput{BackupVaultName: &name})
	if err != nil {
		c.showVaults(w, v, http.StatusOK, nil, err)
		return
	}
	points, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpListRecoveryPointsByBackupVault,
		&backupapi.ListRecoveryPointsByBackupVaultInput{BackupVaultName: &name, MaxResults: new(listLimit)})
	data := vaultData{Vault: vault}
	if points != nil {
		data.Points = points.RecoveryPoints
	}
	v.render(w, http.StatusOK, "vault", name, "vaults", data, err)
}

// deleteVault is the vault page's "Delete" action.
func (c *Console) deleteVault(w http.ResponseWriter, r *http.Request, v *visit) {
	name := r.PathValue("vault")
	if _, err := call(r.Context(), c.services, v.as(), "backup", backupapi.OpDeleteBackupVault,
		&backupapi.DeleteBackupVaultInput{BackupVaultName: &name}); err != nil {
		c.showVaults(w, v, http.StatusBadRequest, nil, err)
		return
	}
	v.redirect(w, "backup/vaults", v.Region, "Backup vault "+name+" deleted.")
}
