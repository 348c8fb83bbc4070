package dynamodb

import (
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

const serviceName = "dynamodb"

// globalTableVersion is the only version of global tables served: replicas are made by
// UpdateTable's ReplicaUpdates.
const globalTableVersion = "2019.11.21"

// tableRecord is one table in one Region (a replica of a global table is a table of its
// Region, whose Replicas lists the others).
type tableRecord struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	Hash    keyAttr   `json:"hash"`
	Range   *keyAttr  `json:"range,omitempty"`
	// Attrs are the AttributeDefinitions, in the order given.
	Attrs []keyAttr `json:"attrs"`
	// Billing is PROVISIONED or PAY_PER_REQUEST; Read and Write the provisioned units.
	Billing    string     `json:"billing"`
	Read       int64      `json:"read,omitempty"`
	Write      int64      `json:"write,omitempty"`
	ToOnDemand *time.Time `json:"toOnDemand,omitempty"`
	// BillingSet says a request named the billing mode (CreateTable's BillingMode, or
	// a change by UpdateTable): DescribeTable then shows a BillingModeSummary.
	BillingSet bool          `json:"billingSet,omitempty"`
	Increased  *time.Time    `json:"increased,omitempty"`
	Decreased  *time.Time    `json:"decreased,omitempty"`
	GSIs       []indexRecord `json:"gsis,omitempty"`
	LSIs       []indexRecord `json:"lsis,omitempty"`
	Stream     *streamRecord `json:"stream,omitempty"`
	// SSE is the table's KMS encryption; nil means the AWS owned key (xregion's root
	// key), DynamoDB's default.
	SSE *sseRecord `json:"sse,omitempty"`
	// DataKey is the table's data key, wrapped: a KMS ciphertext under SSE's key, or
	// sealed with the root key. Items are encrypted under keys derived from it.
	DataKey            []byte          `json:"dataKey"`
	DeletionProtection bool            `json:"deletionProtection,omitempty"`
	TableClass         string          `json:"tableClass,omitempty"`
	ClassChanged       *time.Time      `json:"classChanged,omitempty"`
	Tags               []tag           `json:"tags,omitempty"`
	TTL                *ttlRecord      `json:"ttl,omitempty"`
	PITR               *pitrRecord     `json:"pitr,omitempty"`
	Replicas           []replicaRecord `json:"replicas,omitempty"`
	Restore            *restoreRecord  `json:"restore,omitempty"`
	// Job is the pending status transition (CREATING or UPDATING to ACTIVE, or the
	// end of DELETING).
	Job string `json:"job,omitempty"`
}

type keyAttr struct {
	Name string `json:"n"`
	Type string `json:"t"`
}

// indexRecord is a global or local secondary index.
type indexRecord struct {
	Name       string   `json:"name"`
	Hash       keyAttr  `json:"hash"`
	Range      *keyAttr `json:"range,omitempty"`
	Projection string   `json:"projection"`
	NonKey     []string `json:"nonKey,omitempty"`
	Read       int64    `json:"read,omitempty"`
	Write      int64    `json:"write,omitempty"`
	Status     string   `json:"status"`
}

type streamRecord struct {
	Enabled  bool   `json:"enabled"`
	ViewType string `json:"viewType,omitempty"`
	Label    string `json:"label,omitempty"`
}

type sseRecord struct {
	// KeyARN is the resolved key; Managed says it is alias/aws/dynamodb.
	KeyARN  string `json:"keyArn"`
	Managed bool   `json:"managed,omitempty"`
	Status  string `json:"status"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

type ttlRecord struct {
	Attr   string `json:"attr"`
	Status string `json:"status"`
	Job    string `json:"job,omitempty"`
}

// pitrRecord is the point-in-time recovery setting. While it is enabled every write is
// kept in the table's history (hist/...), from Since on.
type pitrRecord struct {
	Enabled bool      `json:"enabled"`
	Since   time.Time `json:"since"`
	// Days is the recovery period (RecoveryPeriodInDays), 35 unless set.
	Days int    `json:"days,omitempty"`
	Job  string `json:"job,omitempty"`
}

// replicaRecord is one other Region of a global table, as this table sees it.
type replicaRecord struct {
	Region string `json:"region"`
	Status string `json:"status"`
	// KMSKey is the replica's KMSMasterKeyId as the request gave it.
	KMSKey string `json:"kmsKey,omitempty"`
}

type restoreRecord struct {
	SourceBackupARN string    `json:"sourceBackupArn,omitempty"`
	SourceTableARN  string    `json:"sourceTableArn,omitempty"`
	Time            time.Time `json:"time"`
	InProgress      bool      `json:"inProgress"`
}

// backupRecord is an on-demand backup (or one AWS Backup took): the table's definition
// as it was, and its items under bitem/<id>/..., copied sealed under the data key
// DataKey wraps.
type backupRecord struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Type      string       `json:"type"`
	Status    string       `json:"status"`
	Created   time.Time    `json:"created"`
	Expires   *time.Time   `json:"expires,omitempty"`
	SizeBytes int64        `json:"sizeBytes"`
	Items     int64        `json:"items"`
	Table     *tableRecord `json:"table"`
	Job       string       `json:"job,omitempty"`
	// AWSBackupID is the id AWS Backup made it under (a backup or copy job's), for
	// backups of type AWS_BACKUP.
	AWSBackupID string `json:"awsBackupId,omitempty"`
}

// The records of a Region.
var (
	tables  = kit.Table[tableRecord]{Kind: "table"}   // table/<name>
	backups = kit.Table[backupRecord]{Kind: "backup"} // backup/<id>
	// items are sealed items: item/<table id>/<partition position>/<sort position>.
	items = kit.Blobs{Kind: "item"}
	// meta is a table's counters: meta/<table id> (see tableMeta).
	meta = kit.Blobs{Kind: "meta"}
	// indexEntries point from an index key to an item:
	// ix/<table id>/<index>/<index partition position>/<partition position>/<sort position>.
	indexEntries = kit.Index{Kind: "ix"}
	// history keeps every write while point-in-time recovery is on:
	// hist/<table id>/<partition position>/<sort position>/<stamp>.
	history = kit.Blobs{Kind: "hist"}
	// tombstones remember deletions in global tables, for last-writer-wins:
	// tomb/<table id>/<partition position>/<sort position>.
	tombstones = kit.Blobs{Kind: "tomb"}
	// outbox lists the items to ship to a replica: outbox/<table id>/<Region>/<pp>/<sp>.
	outbox = kit.Index{Kind: "outbox"}
	// outboxJob marks a pending replication job: outjob/<table id>/<Region>.
	outboxJob = kit.Blobs{Kind: "outjob"}
	// backupItems are a backup's items: bitem/<backup id>/<partition position>/<sort position>.
	backupItems = kit.Blobs{Kind: "bitem"}
	// tokens are TransactWriteItems' client request tokens: token/<token>.
	tokens = kit.Table[tokenRecord]{Kind: "token"}
)

// tokenRecord remembers a transaction by its ClientRequestToken for ten minutes.
type tokenRecord struct {
	Hash    string    `json:"hash"`
	Expires time.Time `json:"expires"`
}

func partitionOf(region string) string {
	p, ok := regions.Partition(region)
	if !ok {
		return "aws"
	}
	return p
}

func tableARN(v kit.View, name string) string {
	return arn.New(partitionOf(v.Region()), serviceName, v.Region(), v.Account(), "table/"+name)
}

func tableARNIn(account, region, name string) string {
	return arn.New(partitionOf(region), serviceName, region, account, "table/"+name)
}

func (t *tableRecord) arn(v kit.View) string { return tableARN(v, t.Name) }

func (t *tableRecord) indexARN(v kit.View, index string) string {
	return t.arn(v) + "/index/" + index
}

func (t *tableRecord) streamARN(v kit.View) string {
	if t.Stream == nil || t.Stream.Label == "" {
		return ""
	}
	return t.arn(v) + "/stream/" + t.Stream.Label
}

func backupARN(v kit.View, table, id string) string {
	return tableARN(v, table) + "/backup/" + id
}

// index returns the secondary index called name, global or local.
func (t *tableRecord) index(name string) (*indexRecord, bool) {
	for i := range t.GSIs {
		if t.GSIs[i].Name == name {
			return &t.GSIs[i], true
		}
	}
	for i := range t.LSIs {
		if t.LSIs[i].Name == name {
			return &t.LSIs[i], false
		}
	}
	return nil, false
}

// indexes lists every secondary index.
func (t *tableRecord) indexes() []indexRecord {
	out := make([]indexRecord, 0, len(t.GSIs)+len(t.LSIs))
	out = append(out, t.GSIs...)
	return append(out, t.LSIs...)
}

// replica returns this table's entry for another Region.
func (t *tableRecord) replica(region string) *replicaRecord {
	for i := range t.Replicas {
		if t.Replicas[i].Region == region {
			return &t.Replicas[i]
		}
	}
	return nil
}

// global reports whether the table is part of a global table.
func (t *tableRecord) global() bool { return len(t.Replicas) > 0 }

// attrType is the type of a defined attribute.
func (t *tableRecord) attrType(name string) string {
	for _, a := range t.Attrs {
		if a.Name == name {
			return a.Type
		}
	}
	return ""
}
