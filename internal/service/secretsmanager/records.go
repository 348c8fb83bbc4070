package secretsmanager

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/store"
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

func scopeOf(account, region string) store.Scope {
	return store.Scope{Account: account, Region: region, Service: serviceName}
}

func secretKey(sc store.Scope, name string) string      { return sc.Key("secret", name) }
func versionKey(sc store.Scope, name, id string) string { return sc.Key("version", name, id) }
func valueKey(sc store.Scope, name, id string) string   { return sc.Key("value", name, id) }
func versionPrefix(sc store.Scope, name string) string  { return sc.Prefix("version", name) }
func valuePrefix(sc store.Scope, name string) string    { return sc.Prefix("value", name) }
func createdKey(sc store.Scope, t time.Time, n string) string {
	return sc.Key("bycreated", ascStamp(t), n)
}
func createdRevKey(sc store.Scope, t time.Time, n string) string {
	return sc.Key("bycreatedrev", descStamp(t), n)
}

// ascStamp and descStamp order keys by time (or its reverse), past 2262 too.
func ascStamp(t time.Time) string  { return store.TimeKey(t) }
func descStamp(t time.Time) string { return store.TimeKeyDesc(t) }

func getSecret(tx store.Tx, sc store.Scope, name string) (*secretRecord, error) {
	return loadSecret(tx, sc, name, nil)
}

// loadSecret reads a secret record, through cache when it is not nil: the read path of
// GetSecretValue, where a read-only transaction gets a shared, already decoded record that
// it must not change.
func loadSecret(tx store.Tx, sc store.Scope, name string, cache *store.Decoded[secretRecord]) (*secretRecord, error) {
	if cache != nil {
		rec, _, err := cache.Get(tx, secretKey(sc, name))
		return rec, err
	}
	var rec secretRecord
	ok, err := store.GetJSON(tx, secretKey(sc, name), &rec)
	if err != nil || !ok {
		return nil, err
	}
	return &rec, nil
}

func putSecret(tx store.Tx, sc store.Scope, rec *secretRecord) error {
	return store.PutJSON(tx, secretKey(sc, rec.Name), rec)
}

// insertSecret stores a new secret with its creation-order index entries.
func insertSecret(tx store.Tx, sc store.Scope, rec *secretRecord) error {
	if err := putSecret(tx, sc, rec); err != nil {
		return err
	}
	if err := tx.Put(createdKey(sc, rec.Created, rec.Name), nil); err != nil {
		return err
	}
	return tx.Put(createdRevKey(sc, rec.Created, rec.Name), nil)
}

func getVersion(tx store.Tx, sc store.Scope, name, id string) (*versionRecord, error) {
	return loadVersion(tx, sc, name, id, nil)
}

// loadVersion is getVersion through cache when it is not nil (see loadSecret).
func loadVersion(tx store.Tx, sc store.Scope, name, id string, cache *store.Decoded[versionRecord]) (*versionRecord, error) {
	if cache != nil {
		v, _, err := cache.Get(tx, versionKey(sc, name, id))
		return v, err
	}
	var v versionRecord
	ok, err := store.GetJSON(tx, versionKey(sc, name, id), &v)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}

// versionsOf returns every version of a secret, oldest first.
func versionsOf(tx store.Tx, sc store.Scope, name string) ([]*versionRecord, error) {
	var out []*versionRecord
	err := store.ScanJSON(tx, versionPrefix(sc, name), func(_ string, v *versionRecord) bool {
		out = append(out, v)
		return true
	})
	slices.SortFunc(out, func(a, b *versionRecord) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out, err
}

// purge removes a secret and everything it owns from its Region, and cancels its jobs.
func (s *Service) purge(tx store.Tx, sc store.Scope, rec *secretRecord) error {
	for _, p := range []string{versionPrefix(sc, rec.Name), valuePrefix(sc, rec.Name)} {
		if err := tx.DeletePrefix(p); err != nil {
			return err
		}
	}
	for _, k := range []string{secretKey(sc, rec.Name), createdKey(sc, rec.Created, rec.Name), createdRevKey(sc, rec.Created, rec.Name)} {
		if err := tx.Delete(k); err != nil {
			return err
		}
	}
	ids := []string{rec.DeleteJob}
	if rec.Rotation != nil {
		ids = append(ids, rec.Rotation.Job, rec.Rotation.FinishJob)
	}
	return s.cancelJobs(tx, ids...)
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
	for label, v := range r.Stages {
		if v == id {
			out = append(out, label)
		}
	}
	slices.Sort(out)
	return out
}

// versionsToStages is DescribeSecret's VersionIdsToStages: labelled versions only.
func (r *secretRecord) versionsToStages() map[string][]string {
	if len(r.Stages) == 0 {
		return nil
	}
	out := map[string][]string{}
	for label, v := range r.Stages {
		out[v] = append(out[v], label)
	}
	for _, l := range out {
		slices.Sort(l)
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

// day is the date AWS reports for LastAccessedDate: midnight UTC.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func sameTime(p *time.Time, t time.Time) bool { return p != nil && p.Equal(t) }

func timePtr(t time.Time) *time.Time { return &t }
