package ec2

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// The EBS records of an account in a Region.
var (
	ebsSettings   = kit.Table[ebsSettingsRecord]{Kind: "ebs"}     // ebs: encryption by default
	volumes       = kit.Table[volumeRecord]{Kind: "vol"}          // vol/<id>
	modifications = kit.Table[modificationRecord]{Kind: "volmod"} // volmod/<volume id>: the latest modification
	snapshots     = kit.Table[snapshotRecord]{Kind: "snap"}       // snap/<id>
	dataKeys      = kit.Table[dataKeyRecord]{Kind: "dkey"}        // dkey/<id>: a lineage's wrapped data key
	volumeBlocks  = kit.Blobs{Kind: "vblock"}                     // vblock/<volume id>/<block>: encrypted data
	dirtyBlocks   = kit.Index{Kind: "dirty"}                      // dirty/<volume id>/<block>: changed since the last snapshot
	snapBlocks    = kit.Blobs{Kind: "sblock"}                     // sblock/<holder snapshot>/<block>: encrypted data
	snapMaps      = kit.Index{Kind: "smap"}                       // smap/<snapshot>/<block>/<holder>: where each block of a snapshot is
	snapRefs      = kit.Index{Kind: "sref"}                       // sref/<holder>/<block>/<snapshot>: who uses a held block
	sharedWith    = kit.Index{Kind: "shared"}                     // shared/<snapshot>/<owner>: in the view of an account it is shared with
	copyTokens    = kit.Table[tokenRecord]{Kind: "copytoken"}     // copytoken/<token>
	volumeTokens  = kit.Table[tokenRecord]{Kind: "voltoken"}      // voltoken/<token>
	digestKeys    = kit.Blobs{Kind: "digestkey"}                  // digestkey/current, in aws/global: AWS Backup's block digests (sealed)
)

// publicAccount is the account whose view holds the snapshots shared with everyone (the
// createVolumePermission group "all"); no AWS account id has its form.
const publicAccount = "all"

type ebsSettingsRecord struct {
	ByDefault  bool   `json:"byDefault,omitempty"`
	DefaultKey string `json:"defaultKey,omitempty"` // a key ARN; "" is alias/aws/ebs
}

type volumeRecord struct {
	ID          string    `json:"id" filter:"volume-id"`
	Owner       string    `json:"owner"`
	Zone        string    `json:"zone" filter:"availability-zone"`
	ZoneID      string    `json:"zoneId" filter:"availability-zone-id"`
	Type        string    `json:"type" filter:"volume-type"`
	Size        int64     `json:"size"` // GiB
	Iops        int64     `json:"iops,omitempty"`
	Throughput  int64     `json:"throughput,omitempty"`
	MultiAttach bool      `json:"multiAttach,omitempty" filter:"multi-attach-enabled"`
	Encrypted   bool      `json:"encrypted,omitempty" filter:"encrypted"`
	KeyARN      string    `json:"keyArn,omitempty" filter:"kms-key-id"`
	DataKeyID   string    `json:"dataKey"`
	SnapshotID  string    `json:"snapshotId,omitempty" filter:"snapshot-id"` // the snapshot it was created from
	State       string    `json:"state" filter:"status"`
	Created     time.Time `json:"created"`
	Job         string    `json:"job,omitempty"` // the job of the pending transition
	// LastSnapshot is the latest snapshot of the volume: the next one records only the
	// blocks changed since it (dirtyBlocks).
	LastSnapshot string     `json:"lastSnapshot,omitempty"`
	AutoEnableIO bool       `json:"autoEnableIo,omitempty"`
	LastModified *time.Time `json:"lastModified,omitempty"`
}

type modificationRecord struct {
	VolumeID       string     `json:"volumeId"`
	State          string     `json:"state"`
	OriginalSize   int64      `json:"originalSize"`
	OriginalIops   int64      `json:"originalIops,omitempty"`
	OriginalType   string     `json:"originalType"`
	OriginalTput   int64      `json:"originalThroughput,omitempty"`
	OriginalMulti  bool       `json:"originalMulti,omitempty"`
	TargetSize     int64      `json:"targetSize"`
	TargetIops     int64      `json:"targetIops,omitempty"`
	TargetType     string     `json:"targetType"`
	TargetTput     int64      `json:"targetThroughput,omitempty"`
	TargetMulti    bool       `json:"targetMulti,omitempty"`
	Started        time.Time  `json:"started"`
	Ended          *time.Time `json:"ended,omitempty"`
	OptimizingFrom *time.Time `json:"optimizingFrom,omitempty"`
	Due            time.Time  `json:"due"`
}

type snapshotRecord struct {
	ID          string     `json:"id"`
	Owner       string     `json:"owner"`
	VolumeID    string     `json:"volumeId"`
	VolumeSize  int64      `json:"volumeSize"`
	Description string     `json:"description,omitempty"`
	State       string     `json:"state"`
	Message     string     `json:"message,omitempty"`
	Started     time.Time  `json:"started"`
	Due         time.Time  `json:"due"` // when a pending snapshot completes, for its Progress
	Completed   *time.Time `json:"completed,omitempty"`
	Encrypted   bool       `json:"encrypted,omitempty"`
	KeyARN      string     `json:"keyArn,omitempty"`
	DataKeyID   string     `json:"dataKey"`
	Job         string     `json:"job,omitempty"`
	// Parent is the snapshot this one is incremental to; "" for a full snapshot.
	Parent string `json:"parent,omitempty"`
	// Blocks is how many blocks hold data; Changed how many the snapshot stored itself
	// (the rest it shares with earlier snapshots).
	Blocks  int64 `json:"blocks"`
	Changed int64 `json:"changed"`
	// Copies: where the snapshot was copied from.
	SourceRegion     string `json:"sourceRegion,omitempty"`
	SourceSnapshotID string `json:"sourceSnapshot,omitempty"`
	// Sharing: the accounts allowed to create volumes from it, and everyone.
	SharedWith []string `json:"sharedWith,omitempty"`
	Public     bool     `json:"public,omitempty"`
	// Holds name who keeps it from DeleteSnapshot (an AMI, a service's own use).
	Holds []string `json:"holds,omitempty"`
	// Backup is the AWS Backup job or copy job that made it: a recovery point, which
	// only AWS Backup deletes.
	Backup string `json:"backup,omitempty"`
	// StorageTier is standard or archive.
	StorageTier string     `json:"tier,omitempty"`
	Tiering     *tierState `json:"tiering,omitempty"`
}

// tierState is the archive tier's state of a snapshot.
type tierState struct {
	Status        string     `json:"status"` // a SnapshotTieringOperationStatus ("archival-completed", ...)
	Started       time.Time  `json:"started"`
	Due           time.Time  `json:"due"`
	RestoreExpiry *time.Time `json:"restoreExpiry,omitempty"`
	Permanent     bool       `json:"permanent,omitempty"`
	Job           string     `json:"job,omitempty"`
}

// dataKeyRecord is the data key of a lineage: a volume, its snapshots, and the volumes
// made from those under the same KMS key share it, so that their blocks move between
// them without being decrypted. It is wrapped by the KMS key of encrypted volumes, and
// sealed with the server's root key for the others: no block is ever stored in plain
// text.
type dataKeyRecord struct {
	ID      string `json:"id"`
	KeyARN  string `json:"keyArn,omitempty"`
	BoundTo string `json:"boundTo"` // the resource id in the encryption context
	Wrapped []byte `json:"wrapped"`
}

// tokenRecord remembers the idempotency token of a create request.
type tokenRecord struct {
	ID   string `json:"id"`
	Hash string `json:"hash"` // of the request's parameters
}
