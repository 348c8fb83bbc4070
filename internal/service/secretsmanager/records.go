package secretsmanager

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// Staging labels with a meaning to Secrets Manager.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
	stagePending  = "AWSPENDING"
)

// defaultKeyAlias is the AWS managed key that protects secrets created without KmsKeyId.
const defaultKeyAlias = "alias/aws/secretsmanager"

// secretRecord is one secret in one Region: a primary, a standalone secret or a replica.
type secretRecord struct {
	Name   string `json:"name"`
	Suffix string `json:"suffix"`
	// Description is nil when never set; AWS omits it then.
	Description *string `json:"description,omitempty"`
	// KmsKeyID is the key as the caller named it; "" means aws/secretsmanager.
	KmsKeyID string    `json:"kmsKeyId,omitempty"`
	Created  time.Time `json:"created"`
	Changed  time.Time `json:"changed"`
	// Accessed is the day (midnight UTC) of the last GetSecretValue in this Region.
	Accessed *time.Time `json:"accessed,omitempty"`
	// Deleted is the DeletedDate: when the deletion job removes the secret.
	Deleted   *time.Time `json:"deleted,omitempty"`
	DeleteJob string     `json:"deleteJob,omitempty"`
	// Tags is nil until the secret is first tagged; AWS then shows an empty list.
	Tags          []tag          `json:"tags,omitempty"`
	Tagged        bool           `json:"tagged,omitempty"`
	Policy        *string        `json:"policy,omitempty"`
	Rotation      *rotationState `json:"rotation,omitempty"`
	OwningService string         `json:"owningService,omitempty"`
	// Stages maps each staging label to the version it is attached to.
	Stages map[string]string `json:"stages,omitempty"`
	// StageOrder lists the labels of Stages in the order they were attached to their
	// versions, which is the order AWS answers a version's labels in (a first value put
	// with AWSPENDING shows AWSPENDING, AWSCURRENT). Records written before it have none
	// and show their labels sorted.
	StageOrder []string `json:"stageOrder,omitempty"`
	// Versions counts the version records, deprecated ones included.
	Versions int `json:"versions,omitempty"`
	// Gen counts changes, so that a replica knows which state of its primary it copies.
	Gen uint64 `json:"gen"`
	// Replicas is the primary's ReplicationStatus.
	Replicas []replicaState `json:"replicas,omitempty"`
	// Primary is the primary's Region on a replica, "" otherwise.
	Primary string `json:"primary,omitempty"`
	// Promoted is, on a secret that StopReplicationToReplica promoted, its old primary's
	// Region until that primary has let the Region go; a secret found there later is
	// one of the Region's own.
	Promoted string `json:"promoted,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// replicaState is one entry of a primary's ReplicationStatus.
type replicaState struct {
	Region string `json:"region"`
	// KmsKeyID is shown exactly as the caller gave it, or defaultKeyAlias.
	KmsKeyID string `json:"kmsKeyId"`
	Status   string `json:"status"`
	Message  string `json:"message,omitempty"`
	Force    bool   `json:"force,omitempty"`
}

// rotationState is the rotation configuration and schedule. Its presence means rotation
// was configured once; AWS then shows the configuration even after CancelRotateSecret.
type rotationState struct {
	LambdaARN string     `json:"lambdaArn,omitempty"`
	AfterDays *int64     `json:"afterDays,omitempty"`
	Duration  string     `json:"duration,omitempty"`
	Schedule  string     `json:"schedule,omitempty"`
	Enabled   bool       `json:"enabled"`
	Last      *time.Time `json:"last,omitempty"`
	Next      *time.Time `json:"next,omitempty"`
	// Job is the pending scheduled rotation; FinishJob the promotion of a rotation that
	// RotateSecret started.
	Job       string `json:"job,omitempty"`
	FinishJob string `json:"finishJob,omitempty"`
}

// versionRecord describes one version; its value is a separate record.
type versionRecord struct {
	ID       string     `json:"id"`
	Created  time.Time  `json:"created"`
	Accessed *time.Time `json:"accessed,omitempty"`
	// KeyARN is the key the value is encrypted under; KeyLabel how ListSecretVersionIds
	// shows it (the KmsKeyId of the secret, or DefaultEncryptionKey).
	KeyARN   string `json:"keyArn"`
	KeyLabel string `json:"keyLabel"`
	Binary   bool   `json:"binary,omitempty"`
}

// The records of a Region (see the package documentation).
var (
	secrets      = kit.Table[secretRecord]{Kind: "secret"}   // secret/<name>
	versions     = kit.Table[versionRecord]{Kind: "version"} // version/<name>/<id>
	values       = kit.Blobs{Kind: "value"}                  // value/<name>/<id>: the ciphertext
	byCreated    = kit.Index{Kind: "bycreated"}              // bycreated/<stamp>/<name>
	byCreatedRev = kit.Index{Kind: "bycreatedrev"}           // bycreatedrev/<reverse stamp>/<name>
)

// ascStamp and descStamp order keys by time (or its reverse), past 2262 too.
func ascStamp(t time.Time) string  { return kit.TimeKey(t) }
func descStamp(t time.Time) string { return kit.TimeKeyDesc(t) }

// insertSecret stores a new secret with its creation-order index entries.
func insertSecret(v kit.View, rec *secretRecord) error {
	if err := secrets.Put(v, rec, rec.Name); err != nil {
		return err
	}
	if err := byCreated.Add(v, ascStamp(rec.Created), rec.Name); err != nil {
		return err
	}
	return byCreatedRev.Add(v, descStamp(rec.Created), rec.Name)
}

// versionsOf returns every version of a secret, oldest first.
func versionsOf(v kit.View, name string) ([]*versionRecord, error) {
	out, err := versions.List(v, name)
	slices.SortFunc(out, func(a, b *versionRecord) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

func deleteVersion(v kit.View, name, id string) error {
	if err := versions.Delete(v, name, id); err != nil {
		return err
	}
	return values.Delete(v, name, id)
}

// purge removes a secret and everything it owns from its Region, and cancels its jobs.
func purge(tx kit.Tx, v kit.View, rec *secretRecord) error {
	if err := versions.DeleteAll(v, rec.Name); err != nil {
		return err
	}
	if err := values.DeleteAll(v, rec.Name); err != nil {
		return err
	}
	if err := secrets.Delete(v, rec.Name); err != nil {
		return err
	}
	if err := byCreated.Remove(v, ascStamp(rec.Created), rec.Name); err != nil {
		return err
	}
	if err := byCreatedRev.Remove(v, descStamp(rec.Created), rec.Name); err != nil {
		return err
	}
	ids := []string{rec.DeleteJob}
	if rec.Rotation != nil {
		ids = append(ids, rec.Rotation.Job, rec.Rotation.FinishJob)
	}
	return tx.CancelJobs(ids...)
}

// arnOf is the secret's ARN in the given Region: replicas share their primary's ARN but
// for the Region.
func arnOf(account, region, name, suffix string) string {
	p, _ := regions.Partition(region)
	if p == "" {
		p = "aws"
	}
	return arn.New(p, serviceName, region, account, "secret:"+name+"-"+suffix)
}

func (r *secretRecord) versionStages(id string) []string {
	var out []string
	for _, label := range r.labelsInOrder() {
		if r.Stages[label] == id {
			out = append(out, label)
		}
	}
	return out
}

// labelsInOrder is every label of the secret in the order it was attached: StageOrder,
// then, sorted, any label a record from before StageOrder holds.
func (r *secretRecord) labelsInOrder() []string {
	out := make([]string, 0, len(r.Stages))
	for _, label := range r.StageOrder {
		if _, ok := r.Stages[label]; ok {
			out = append(out, label)
		}
	}
	var rest []string
	for label := range r.Stages {
		if !slices.Contains(out, label) {
			rest = append(rest, label)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// setStage attaches label to version id, last in the order of attachment.
func (r *secretRecord) setStage(label, id string) {
	if r.Stages == nil {
		r.Stages = map[string]string{}
	}
	r.Stages[label] = id
	r.StageOrder = append(slices.DeleteFunc(r.StageOrder, func(l string) bool { return l == label }), label)
}

// dropStage detaches label from whatever version holds it.
func (r *secretRecord) dropStage(label string) {
	delete(r.Stages, label)
	r.StageOrder = slices.DeleteFunc(r.StageOrder, func(l string) bool { return l == label })
}

// versionsToStages is DescribeSecret's VersionIdsToStages: labelled versions only.
func (r *secretRecord) versionsToStages() map[string][]string {
	if len(r.Stages) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, label := range r.labelsInOrder() {
		v := r.Stages[label]
		out[v] = append(out[v], label)
	}
	return out
}

func (r *secretRecord) replica(region string) *replicaState {
	for i := range r.Replicas {
		if r.Replicas[i].Region == region {
			return &r.Replicas[i]
		}
	}
	return nil
}

func (r *secretRecord) isReplica() bool { return r.Primary != "" }

// primaryRegion is what DescribeSecret shows as PrimaryRegion: set on replicas, and on
// primaries that have replicas.
func (r *secretRecord) primaryRegion(own string) string {
	if r.Primary != "" {
		return r.Primary
	}
	if len(r.Replicas) > 0 {
		return own
	}
	return ""
}

// clone returns a deep copy, so that a handler can change a record and still compare.
func (r *secretRecord) clone() *secretRecord {
	b, _ := json.Marshal(r)
	var c secretRecord
	_ = json.Unmarshal(b, &c)
	return &c
}

// arn is the secret's ARN in the Region of v.
func (r *secretRecord) arn(v kit.View) string {
	return arnOf(v.Account(), v.Region(), r.Name, r.Suffix)
}

// day is the date AWS reports for LastAccessedDate: midnight UTC.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func sameTime(p *time.Time, t time.Time) bool { return p != nil && p.Equal(t) }
