package backup

import (
	"encoding/base64"
	"maps"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

const (
	serviceName     = "backup"
	vaultTypeBackup = "BACKUP_VAULT"
	day             = 24 * time.Hour
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
	// Notifications are where the vault's events go (PutBackupVaultNotifications).
	Notifications *vaultNotifications `json:"notifications,omitempty"`
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
	// Job is the plan's next run, cancelled when the plan changes or goes.
	Job string `json:"job,omitempty"`
}

// selectionRec is a backup selection of a plan.
type selectionRec struct {
	ID               string                    `json:"id"`
	PlanID           string                    `json:"planId"`
	Selection        backupapi.BackupSelection `json:"selection"`
	Created          time.Time                 `json:"created"`
	CreatorRequestID string                    `json:"creatorRequestId,omitempty"`
}

// The records of a Region. The kinds are the keys' second-to-last parts since the first
// release; they must not change.
var (
	vaults         = kit.Table[vaultRec]{Kind: "vault"}         // vault/<name>
	plans          = kit.Table[planRec]{Kind: "plan"}           // plan/<id>: the current version
	planVersions   = kit.Table[planRec]{Kind: "planver"}        // planver/<id>/<version id>: every version saved
	selections     = kit.Table[selectionRec]{Kind: "selection"} // selection/<plan id>/<id>
	requests       = kit.Blobs{Kind: "request"}                 // request/<what>/<CreatorRequestId>: the id it created
	recoveryPoints = kit.Table[recoveryRec]{Kind: "recovery"}   // recovery/<vault>/<ARN>
	recoveryVaults = kit.Blobs{Kind: "rparn"}                   // rparn/<ARN>: the vault that holds it
	backupJobs     = kit.Table[backupJobRec]{Kind: "bjob"}      // bjob/<id>
	copyJobs       = kit.Table[copyJobRec]{Kind: "cjob"}        // cjob/<id>, in the source's Region
	restoreJobs    = kit.Table[restoreJobRec]{Kind: "rjob"}     // rjob/<id>
	tokens         = kit.Blobs{Kind: "token"}                   // token/<job kind>/<IdempotencyToken>: the job id
	protections    = kit.Table[protectedRec]{Kind: "protected"} // protected/<resource ARN>
)

// What a CreatorRequestId created (the first part of a request record's id).
const (
	requestPlan      = "plan"
	requestSelection = "selection"
)

// idOf reads the id an index of ids (requests, tokens, recoveryVaults) holds under id,
// or "" when there is none.
func idOf(v kit.View, b kit.Blobs, id ...string) string { return string(b.Get(v, id...)) }

func vaultARN(v kit.View, name string) string {
	return arn.New(partitionOf(v.Region()), serviceName, v.Region(), v.Account(), "backup-vault:"+name)
}

func planARN(v kit.View, id string) string {
	return arn.New(partitionOf(v.Region()), serviceName, v.Region(), v.Account(), "backup-plan:"+id)
}

func partitionOf(region string) string {
	p, _ := regions.Partition(region)
	return p
}

// newVersionID makes a plan version id in AWS's form: the base64 of a UUID.
func newVersionID() string {
	return base64.StdEncoding.EncodeToString([]byte(ids.UUID()))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// nonEmpty is s as an optional member: nil when empty, as AWS leaves such members out.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func cloneTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	maps.Copy(out, m)
	return out
}
