package port

import (
	"errors"
	"fmt"

	"github.com/xregion/xregion/internal/service/kit"
)

// Protected is how AWS Backup backs up, copies and restores one type of resource. Each
// service whose resources AWS Backup protects provides one (RDS today; EBS, EFS,
// DynamoDB and Aurora next): AWS Backup needs them all and picks by resource type.
//
// The contract, for the providers:
//
//   - Every method works inside the caller's transaction (Join it); what it writes
//     commits with AWS Backup's records or not at all. A job may run again after a
//     rollback, so Backup and Copy are idempotent by their ids: asked again for an image
//     that exists, they answer it as they did the first time.
//   - An image is the provider's own record of a backup (an RDS snapshot, an EBS
//     snapshot, a DynamoDB backup), named by its ARN. AWS Backup keeps the recovery
//     point; the provider keeps the data, encrypted as the request says.
//   - Content is the heart of incremental backups and copies. An image describes the
//     data it holds as Blocks (see blocks.go): real content digests where the provider
//     has real data (the blocks of a volume, the items of a table, the pages of a
//     database), a synthetic map derived from the resource's size and history where it
//     has none. Equal digests mean equal data. AWS Backup hands Backup and Copy the
//     Base: what the destination already holds of the resource (the content of the
//     recovery points AWS Backup keeps there). The provider moves what Base lacks
//     (Blocks.Missing) and reports it as Transfer.Bytes; it may move more when its
//     service would (EBS copies in full when the encryption key changes), and less only
//     when its service holds more than AWS Backup knows of (EBS is incremental to the
//     volume's last snapshot, AWS Backup's or not): Bytes is what really moved.
//     AWS Backup shows Bytes as the job's BytesTransferred, and a job lasts as long as
//     its bytes take to move.
//   - Failures a user caused are CannotProtect errors, whose text AWS Backup shows as
//     the job's StatusMessage. A resource that cannot be backed up now but may be soon
//     (busy, still being created) is NotReady: AWS Backup retries until the job's start
//     window closes. Any other error is an internal failure: the job is retried.
type Protected interface {
	// ResourceType is AWS Backup's name of the type: "RDS", "EBS", "EFS", "DynamoDB",
	// "Aurora".
	ResourceType() string
	// Resources lists the resources of the type in an account and Region that a backup
	// selection may pick, with their tags.
	Resources(tx kit.Tx, account, region string) ([]Resource, error)
	// Backup takes the image BackupID of the resource ResourceARN names (a snapshot of
	// it as it is now) and reports what it moved.
	Backup(tx kit.Tx, req BackupRequest) (Transfer, error)
	// Copy copies an image, of any Region and account of the partition, into the
	// request's account and Region, encrypted with KeyARN, and reports what it moved.
	Copy(tx kit.Tx, req CopyRequest) (Transfer, error)
	// Delete deletes an image AWS Backup made; one already gone is not an error.
	Delete(tx kit.Tx, account, region, imageARN string) error
	// Restore creates a resource from the image imageARN names, as the restore metadata
	// says (for RDS, DBInstanceIdentifier names the new instance), and returns its ARN.
	Restore(tx kit.Tx, account, region, imageARN string, metadata map[string]string) (string, error)
}

// ImageProgress is what a Protected also provides when an image it answered may not
// hold its data yet: the base backup of a real database server (RDS with
// --real-engines) is taken after Backup or Copy answered, by work of the provider's own.
// AWS Backup keeps such a job RUNNING, and makes no recovery point of it, until the
// image is done; an image whose data cannot be taken fails the job with the provider's
// reason. The images of a provider without it are done when Backup or Copy answers.
type ImageProgress interface {
	// ImageDone is nil once the image holds all its data, a NotReady error while it is
	// still being taken, and a CannotProtect error, whose text says why, when it never
	// will be.
	ImageDone(tx kit.Tx, account, region, imageARN string) error
}

// RestoreCleaner is what a Protected also provides when the resources it restores can be
// deleted by AWS Backup: restore testing deletes what it restored once its validation
// window ends. A provider without it leaves them, and the tests say so.
type RestoreCleaner interface {
	// DeleteRestored deletes a resource a restore made (without a final backup); one
	// already gone or being deleted is not an error.
	DeleteRestored(tx kit.Tx, account, region, resourceARN string) error
}

// RestoreMetadata is what a Protected also provides when its recovery points have
// restore metadata of their own type: the keys and values GetRecoveryPointRestoreMetadata
// answers for an image (EBS's volumeId, availabilityZone, volumeType…; EFS's
// file-system-id, Encrypted, PerformanceMode…), which StartRestoreJob takes back as its
// Restore's metadata. AWS Backup answers RDS's keys for a provider without it.
type RestoreMetadata interface {
	RestoreMetadata(tx kit.Tx, account, region, imageARN string) (map[string]string, error)
}

// BackupRequest asks for an image of a resource.
type BackupRequest struct {
	Account, Region string
	ResourceARN     string
	// BackupID names the image (AWS Backup's "awsbackup:job-<id>" for RDS snapshots).
	BackupID string
	// Base is what AWS Backup already holds of the resource in the Region.
	Base BlockSet
}

// CopyRequest asks for a copy of an image.
type CopyRequest struct {
	// Account and Region are the destination's. The image may be of another account
	// (a cross-account copy) and of another Region.
	Account, Region string
	ImageARN        string
	// ImageAccount is the account of the image, for the types whose image ARNs name
	// none (EBS snapshots: arn:aws:ec2:<region>::snapshot/snap-…).
	ImageAccount string
	// CopyID names the copy (AWS Backup's "awsbackup:copyjob-<id>" for RDS snapshots).
	CopyID string
	// KeyARN is the key of the destination vault, a key of the destination's account
	// and Region: the copy is re-encrypted with it.
	KeyARN string
	// Base is what AWS Backup already holds of the image's resource in the destination.
	Base BlockSet
}

// Transfer is what a Backup or Copy made and what it moved to make it.
type Transfer struct {
	Image Image
	// Bytes is the data the backup or copy moved: Image.Content's blocks that the
	// request's Base lacked, or more when the provider had to move more.
	Bytes int64
}

// Resource is a resource as a backup selection sees it.
type Resource struct {
	ARN  string
	Tags map[string]string
}

// Image describes what a Backup or Copy made: the recovery point's substance.
type Image struct {
	ARN, ResourceARN, ResourceID string
	SizeBytes                    int64
	Encrypted                    bool
	KmsKeyARN                    string
	// Engine and EngineVersion describe database images (RDS, Aurora).
	Engine, EngineVersion string
	// Content is the data the image holds.
	Content Blocks
}

// ErrCannotProtect is the cause of a backup, copy or restore that cannot be done.
var ErrCannotProtect = errors.New("cannot be backed up")

// ErrNotReady is the cause of a backup that cannot be done now but may be later.
var ErrNotReady = errors.New("not ready to be backed up")

// CannotProtect makes a failure a user caused, with the text a job shows.
func CannotProtect(format string, args ...any) error {
	return &cannotProtect{text: fmt.Sprintf(format, args...), cause: ErrCannotProtect}
}

// NotReady makes the failure of a resource that cannot be backed up now (busy, not
// available yet), with the text a job shows if it never becomes ready.
func NotReady(format string, args ...any) error {
	return &cannotProtect{text: fmt.Sprintf(format, args...), cause: ErrNotReady}
}

type cannotProtect struct {
	text  string
	cause error
}

func (e *cannotProtect) Error() string { return e.text }
func (e *cannotProtect) Unwrap() error { return e.cause }

// Failure is the text a job shows for err, when err is a failure a user caused or a
// resource that is not ready.
func Failure(err error) (string, bool) {
	var c *cannotProtect
	if errors.As(err, &c) {
		return c.text, true
	}
	return "", false
}

// ProtectorOf returns the provider of one resource type among those the registry wired.
func ProtectorOf(all []Protected, resourceType string) (Protected, bool) {
	for _, p := range all {
		if p.ResourceType() == resourceType {
			return p, true
		}
	}
	return nil, false
}
