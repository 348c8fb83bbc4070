package port

import (
	"errors"
	"fmt"

	"github.com/xregion/xregion/internal/service/kit"
)

// Protected is how AWS Backup backs up, copies and restores one type of resource. Each
// service whose resources AWS Backup protects provides one (RDS today; EBS, EFS,
// DynamoDB and Aurora next): AWS Backup needs them all and picks by resource type.
// Methods work inside the caller's transaction. Failures a user caused are wrapped
// ErrCannotProtect, whose text AWS Backup shows as a job's StatusMessage (see Failure).
type Protected interface {
	// ResourceType is AWS Backup's name of the type: "RDS", "EBS", "EFS", "DynamoDB",
	// "Aurora".
	ResourceType() string
	// Resources lists the resources of the type in an account and Region that a backup
	// selection may pick, with their tags.
	Resources(tx kit.Tx, account, region string) ([]Resource, error)
	// Backup takes the image backupID of the resource resourceARN names (a snapshot),
	// ready at once. Running it again after a commit returns the same image.
	Backup(tx kit.Tx, account, region, resourceARN, backupID string) (Image, error)
	// Copy copies the image imageARN names (in any Region of the account) into region as
	// copyID, encrypted with keyARN, a key of region.
	Copy(tx kit.Tx, account, region, imageARN, copyID, keyARN string) (Image, error)
	// Delete deletes an image AWS Backup made; one already gone is not an error.
	Delete(tx kit.Tx, account, region, imageARN string) error
	// Restore creates a resource from the image imageARN names, as the restore metadata
	// says (for RDS, DBInstanceIdentifier names the new instance), and returns its ARN.
	Restore(tx kit.Tx, account, region, imageARN string, metadata map[string]string) (string, error)
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
}

// ErrCannotProtect is the cause of a backup, copy or restore that cannot be done.
var ErrCannotProtect = errors.New("cannot be backed up")

// CannotProtect makes a failure a user caused, with the text a job shows.
func CannotProtect(format string, args ...any) error {
	return &cannotProtect{text: fmt.Sprintf(format, args...)}
}

type cannotProtect struct{ text string }

func (e *cannotProtect) Error() string { return e.text }
func (e *cannotProtect) Unwrap() error { return ErrCannotProtect }

// Failure is the text a job shows for err, when err is a failure a user caused.
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
