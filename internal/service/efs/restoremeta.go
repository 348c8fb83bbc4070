package efs

import (
	"strconv"

	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

var _ port.RestoreMetadata = protector{}

// RestoreMetadata implements port.RestoreMetadata: the recovery point's file system in
// EFS's keys, which StartRestoreJob takes back (Restore). Given back as they are, they
// restore to a new file system like the one backed up; CreationToken is a new token
// each time, so that the answer restores once, as a CreationToken creates once.
func (p protector) RestoreMetadata(tx kit.Tx, account, region, imageARN string) (map[string]string, error) {
	tx = p.s.Join(tx)
	iv, img, err := imageOfARN(tx, imageARN)
	if err != nil {
		return nil, err
	}
	if img == nil || iv.Account() != account || iv.Region() != region {
		return nil, port.CannotProtect(textImageNotFound, imageARN)
	}
	return map[string]string{
		metaFileSystemID: img.FileSystemID, metaEncrypted: strconv.FormatBool(img.Encrypted), metaKmsKeyID: img.KmsKeyARN,
		metaPerformance: img.Performance, metaToken: ids.UUID(), metaNewFileSystem: "true",
	}, nil
}
