package backup

import (
	"encoding/base64"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// Kinds of record under a Scope.
const (
	kindVault       = "vault"     // name
	kindPlan        = "plan"      // plan id: the current version
	kindPlanVersion = "planver"   // plan id, version id: every version ever saved
	kindSelection   = "selection" // plan id, selection id
	kindRequest     = "request"   // what, CreatorRequestId: the id it created
	kindRecovery    = "recovery"  // vault name, recovery point ARN
	vaultTypeBackup = "BACKUP_VAULT"
)

// vaultRec is a backup vault.
type vaultRec struct {
	Name             string            `json:"name"`
	ARN              string            `json:"arn"`
	KeyARN           string            `json:"keyArn"`
	Created          time.Time         `json:"created"`
	CreatorRequestID string            `json:"creatorRequestId,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	Lock             *vaultLock        `json:"lock,omitempty"`
	Policy           string            `json:"policy,omitempty"` // the access policy document
}

// planRec is one version of a backup plan. The rules are kept in the API's own shape,
// so GetBackupPlan answers every field exactly as it was sent.
type planRec struct {
	ID               string                            `json:"id"`
	ARN              string                            `json:"arn"`
	VersionID        string                            `json:"versionId"`
	Plan             backupapi.BackupPlan              `json:"plan"`
	Created          time.Time                         `json:"created"`   // of the plan
	Versioned        time.Time                         `json:"versioned"` // of this version
	Deleted          *time.Time                        `json:"deleted,omitempty"`
	LastExecution    *time.Time                        `json:"lastExecution,omitempty"`
	CreatorRequestID string                            `json:"creatorRequestId,omitempty"`
	Tags             map[string]string                 `json:"tags,omitempty"`
	Advanced         []backupapi.AdvancedBackupSetting `json:"advanced,omitempty"`
}

// selectionRec is a backup selection of a plan.
type selectionRec struct {
	ID               string                    `json:"id"`
	PlanID           string                    `json:"planId"`
	Selection        backupapi.BackupSelection `json:"selection"`
	Created          time.Time                 `json:"created"`
	CreatorRequestID string                    `json:"creatorRequestId,omitempty"`
}

func scopeOf(info *request.Info) store.Scope {
	return store.Scope{Account: info.Account, Region: info.Region, Service: serviceName}
}

func vaultARN(sc store.Scope, name string) string {
	return arn.New(partitionOf(sc.Region), serviceName, sc.Region, sc.Account, "backup-vault:"+name)
}

func planARN(sc store.Scope, id string) string {
	return arn.New(partitionOf(sc.Region), serviceName, sc.Region, sc.Account, "backup-plan:"+id)
}

// newVersionID makes a plan version id in AWS's form: the base64 of a UUID.
func newVersionID() string {
	return base64.StdEncoding.EncodeToString([]byte(ids.UUID()))
}

func str(s string) *string { return &s }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func timePtr(t time.Time) *time.Time { return &t }

func cloneTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
