package backup

import "github.com/xregion/xregion/internal/service/kit"

// An explicit Deny in a vault's access policy refuses what it names on the vault to
// the callers it names, whatever their own policies allow, as IAM's evaluation does.
// AWS puts such a policy on the vault of EFS's automatic backups, and that is how it
// keeps the vault, its policy and its recovery points from being deleted, by anyone
// (the vault's name and the plan's are EFS's; see the EFS User Guide, "Automatic
// backups"). The policy AWS writes, as users have seen it, also denies StartCopyJob and
// StartRestoreJob; xregion's keeps to the deletions, so that the restores the EFS guide
// describes from that vault keep working here — a choice, where AWS's own texts differ.
const automaticVaultPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},` +
	`"Action":["backup:DeleteBackupVault","backup:DeleteBackupVaultAccessPolicy","backup:DeleteRecoveryPoint",` +
	`"backup:UpdateRecoveryPointLifecycle"],"Resource":"*"}]}`

// The actions a vault's policy is asked about here.
const (
	actionDeleteVault       = "backup:DeleteBackupVault"
	actionDeleteVaultPolicy = "backup:DeleteBackupVaultAccessPolicy"
	actionDeletePoint       = "backup:DeleteRecoveryPoint"
	actionUpdateLifecycle   = "backup:UpdateRecoveryPointLifecycle"
	actionDeleteSelection   = "backup:DeleteBackupSelection"
)

// refuseDenied answers AccessDeniedException when the vault's policy explicitly denies
// action to the caller.
func refuseDenied(c kit.Call, vault *vaultRec, action string) error {
	req := copyRequest{account: c.Account, role: c.Caller.ARN, vault: vault.ARN, action: action}
	for _, st := range statementsOf(vault.Policy) {
		if unquote(st["Effect"]) == "Deny" && req.matches(st) {
			return msgExplicitDeny.New(c.Caller.ARN, action, vault.ARN)
		}
	}
	return nil
}

// refuseManagedSelection keeps the selection of a plan a service manages.
func refuseManagedSelection(c kit.Call, p *planRec) error {
	if managedVaultName(deref(p.Plan.BackupPlanName)) {
		return msgManagedPlan.New(c.Caller.ARN, actionDeleteSelection, p.ARN)
	}
	return nil
}
