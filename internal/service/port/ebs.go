package port

import (
	"errors"

	"github.com/xregion/xregion/internal/service/kit"
)

// SnapshotHolds lets a service keep the EBS snapshots it uses from being deleted with
// EC2's DeleteSnapshot, which AWS refuses while an AMI or an AWS Backup recovery point
// uses a snapshot ("InvalidSnapshot.InUse"). EC2 provides it; methods work inside the
// caller's transaction.
type SnapshotHolds interface {
	// HoldSnapshot marks a snapshot of the account and Region as used by holder (an ARN,
	// which EC2's refusal names). A snapshot that does not exist is ErrSnapshotNotFound.
	HoldSnapshot(tx kit.Tx, account, region, snapshotID, holder string) error
	// ReleaseSnapshot ends holder's use; releasing what is not held is not an error.
	ReleaseSnapshot(tx kit.Tx, account, region, snapshotID, holder string) error
}

// VolumeData is how xregion's admin API reaches the data EBS volumes hold, so that users
// and tests can write to a volume, read it back, and measure what each snapshot stored.
// EC2 provides it. Its methods run their own transactions: the admin API has none.
type VolumeData interface {
	// WriteVolume writes data at offset of an available volume.
	WriteVolume(account, region, volumeID string, offset int64, data []byte) error
	// ReadVolume reads length bytes at offset of a volume (unwritten bytes are zeros).
	ReadVolume(account, region, volumeID string, offset, length int64) ([]byte, error)
	// SnapshotData describes the data of a snapshot.
	SnapshotData(account, region, snapshotID string) (SnapshotData, error)
}

// SnapshotData is what a snapshot holds: its blocks, and the ones it stored itself
// rather than sharing with the snapshot it is incremental to (Parent).
type SnapshotData struct {
	SnapshotID       string `json:"snapshotId"`
	VolumeID         string `json:"volumeId"`
	State            string `json:"state"`
	Parent           string `json:"parent,omitempty"` // "" for a full snapshot
	SourceRegion     string `json:"sourceRegion,omitempty"`
	SourceSnapshotID string `json:"sourceSnapshotId,omitempty"`
	BlockSize        int64  `json:"blockSize"`
	Blocks           int64  `json:"blocks"`
	ChangedBlocks    int64  `json:"changedBlocks"`
	ChangedBytes     int64  `json:"changedBytes"`
	Encrypted        bool   `json:"encrypted"`
	KmsKeyID         string `json:"kmsKeyId,omitempty"`
}

// Failures of SnapshotHolds and VolumeData.
var (
	ErrVolumeNotFound   = errors.New("ec2: volume not found")
	ErrSnapshotNotFound = errors.New("ec2: snapshot not found")
	ErrVolumeNotReady   = errors.New("ec2: the volume is not available")
	ErrVolumeRange      = errors.New("ec2: the range is beyond the end of the volume")
)
