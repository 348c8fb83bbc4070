package efs

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// serviceName is EFS's signing name, and the service part of its records' keys.
const serviceName = "elasticfilesystem"

// The records of an account in a Region. A file system's mount targets, access points
// and files are filed under it as well as by their own ids, so that deleting a file
// system finds them and the lists of one file system are walks of one prefix.
var (
	fileSystems  = kit.Table[fileSystemRecord]{Kind: "fs"}    // fs/<id>
	byToken      = kit.Index{Kind: "fstoken"}                 // fstoken/<creation token>/<id>
	mountTargets = kit.Table[mountTargetRecord]{Kind: "mt"}   // mt/<id>
	fsTargets    = kit.Index{Kind: "fsmt"}                    // fsmt/<fs id>/<mount target id>
	accessPoints = kit.Table[accessPointRecord]{Kind: "ap"}   // ap/<id>
	fsPoints     = kit.Index{Kind: "fsap"}                    // fsap/<fs id>/<access point id>
	preferences  = kit.Table[preferenceRecord]{Kind: "prefs"} // prefs: the account's resource id preference
	replications = kit.Table[replicationRecord]{Kind: "repl"} // repl/<fs id>: this Region's side of a replication
	files        = kit.Table[fileRecord]{Kind: "file"}        // file/<fs id>/<path>: a file's metadata
	fileData     = kit.Blobs{Kind: "fdata"}                   // fdata/<fs id>/<path>: its content, sealed
	images       = kit.Table[imageRecord]{Kind: "image"}      // image/<id>: an AWS Backup recovery point's data
	imagesMade   = kit.Table[imageLink]{Kind: "made"}         // made/<backup or copy id>: the image a job made
	imageFiles   = kit.Table[fileRecord]{Kind: "imgfile"}     // imgfile/<image id>/<path>
	imageData    = kit.Blobs{Kind: "imgdata"}                 // imgdata/<image id>/<path>, sealed
)

// preferenceRecord is an account's resource id preference in a Region.
type preferenceRecord struct {
	ResourceIDType string `json:"resourceIdType"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// fileSystemRecord is a file system. Its data key (DataKey) seals its files: wrapped by
// KmsKeyARN when the file system is encrypted, else sealed with the server's root key.
type fileSystemRecord struct {
	ID                string          `json:"id"`
	ARN               string          `json:"arn"`
	Owner             string          `json:"owner"`
	CreationToken     string          `json:"token"`
	Created           time.Time       `json:"created"`
	State             string          `json:"state"`
	PerformanceMode   string          `json:"performanceMode"`
	ThroughputMode    string          `json:"throughputMode"`
	ProvisionedMibps  float64         `json:"provisionedMibps,omitempty"`
	ThroughputChanged *time.Time      `json:"throughputChanged,omitempty"`
	Encrypted         bool            `json:"encrypted,omitempty"`
	KmsKeyARN         string          `json:"kmsKeyArn,omitempty"`
	ZoneName          string          `json:"zoneName,omitempty"`
	ZoneID            string          `json:"zoneId,omitempty"`
	Tags              []tag           `json:"tags,omitempty"`
	Backup            string          `json:"backup"`
	Policy            string          `json:"policy,omitempty"`
	Lifecycle         []lifecycleRule `json:"lifecycle,omitempty"`
	Protection        string          `json:"protection"`
	MountTargets      int             `json:"mountTargets,omitempty"`
	DataKey           []byte          `json:"dataKey"`
	// FileVersion counts the writes of files, so that replication and backups can tell
	// which files changed since they last looked.
	FileVersion int64 `json:"fileVersion,omitempty"`
}

// lifecycleRule is one of a file system's lifecycle policies: exactly one of its fields
// is set.
type lifecycleRule struct {
	ToIA      string `json:"toIA,omitempty"`
	ToPrimary string `json:"toPrimary,omitempty"`
	ToArchive string `json:"toArchive,omitempty"`
}

type mountTargetRecord struct {
	ID           string    `json:"id"`
	Owner        string    `json:"owner"`
	FileSystemID string    `json:"fileSystemId"`
	SubnetID     string    `json:"subnetId"`
	VpcID        string    `json:"vpcId"`
	ZoneName     string    `json:"zoneName"`
	ZoneID       string    `json:"zoneId"`
	IPAddress    string    `json:"ip"`
	IPv6Address  string    `json:"ip6,omitempty"`
	InterfaceID  string    `json:"eni"`
	Groups       []string  `json:"groups"`
	State        string    `json:"state"`
	Created      time.Time `json:"created"`
}

type accessPointRecord struct {
	ID           string     `json:"id"`
	ARN          string     `json:"arn"`
	Owner        string     `json:"owner"`
	FileSystemID string     `json:"fileSystemId"`
	ClientToken  string     `json:"clientToken"`
	Tags         []tag      `json:"tags,omitempty"`
	PosixUser    *posixUser `json:"posixUser,omitempty"`
	RootPath     string     `json:"rootPath"`
	RootCreation *creation  `json:"rootCreation,omitempty"`
	State        string     `json:"state"`
	Created      time.Time  `json:"created"`
}

type posixUser struct {
	UID           int64   `json:"uid"`
	GID           int64   `json:"gid"`
	SecondaryGIDs []int64 `json:"secondaryGids,omitempty"`
}

type creation struct {
	OwnerUID    int64  `json:"ownerUid"`
	OwnerGID    int64  `json:"ownerGid"`
	Permissions string `json:"permissions"`
}

// replicationRecord is one Region's side of a replication configuration: the source
// Region files it under the source file system, the destination Region under the
// destination file system. Both hold the whole description, so that either Region
// answers DescribeReplicationConfigurations while the other is unreachable.
type replicationRecord struct {
	Source         endpoint   `json:"source"`
	OriginalSource string     `json:"originalSource"` // the source's ARN when the configuration was made
	Destination    endpoint   `json:"destination"`
	Created        time.Time  `json:"created"`
	Status         string     `json:"status"`
	StatusMessage  string     `json:"statusMessage,omitempty"`
	LastReplicated *time.Time `json:"lastReplicated,omitempty"`
	KmsKeyARN      string     `json:"kmsKeyArn,omitempty"` // the destination's key
	RoleARN        string     `json:"roleArn,omitempty"`
	// Synced maps each file the destination holds to the source's version of it that was
	// copied, and SyncedVersion is the source's FileVersion when the last copy was made.
	Synced        map[string]int64 `json:"synced,omitempty"`
	SyncedVersion int64            `json:"syncedVersion,omitempty"`
}

// endpoint is one end of a replication.
type endpoint struct {
	Account      string `json:"account"`
	Region       string `json:"region"`
	FileSystemID string `json:"fileSystemId"`
}

// local reports whether the record is the source's side in region.
func (r *replicationRecord) isSource(region string) bool { return r.Source.Region == region }

// fileRecord describes a file of a file system (or of a recovery point). Its content is
// a separate sealed blob; Version is the file system's FileVersion when it was written.
type fileRecord struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	Version  int64     `json:"version"`
	Written  time.Time `json:"written"`
	Accessed time.Time `json:"accessed"`
}

// imageLink names the image an AWS Backup job made, so that a job run again answers it.
type imageLink struct {
	ImageID string `json:"imageId"`
}

// imageRecord is the data of an AWS Backup recovery point of a file system: its files,
// sealed with its own data key (wrapped by KmsKeyARN), and what they hold as blocks.
type imageRecord struct {
	ID           string      `json:"id"`
	ARN          string      `json:"arn"`
	FileSystemID string      `json:"fileSystemId"`
	ResourceARN  string      `json:"resourceArn"`
	KmsKeyARN    string      `json:"kmsKeyArn"`
	DataKey      []byte      `json:"dataKey"`
	Size         int64       `json:"size"`
	Created      time.Time   `json:"created"`
	Files        int         `json:"files"`
	Encrypted    bool        `json:"encrypted"`
	Performance  string      `json:"performanceMode"`
	Throughput   string      `json:"throughputMode"`
	Job          string      `json:"job"`
	Content      port.Blocks `json:"content"`
	Moved        int64       `json:"moved"`
}
