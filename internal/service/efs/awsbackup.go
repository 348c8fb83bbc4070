package efs

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// protector is EFS as AWS Backup protects it: the port.Protected of resource type EFS.
// A recovery point is AWS Backup's own (arn:aws:backup:<region>:<account>:recovery-point:<id>):
// a copy of the file system's files, sealed with a data key of its own. Backups and
// copies are incremental in what they move: a file chunk the vault already holds (the
// request's Base) is not moved again. Every method works in the caller's transaction.
type protector struct{ s *Service }

var _ port.Protected = protector{}

// AWSBackup is EFS as AWS Backup protects it; exported for tests that drive it as AWS
// Backup's jobs do.
func (s *Service) AWSBackup() port.Protected { return protector{s} }

// chunkSize cuts files into the blocks of an image's content: small enough that a small
// change moves little, and files are cut apart, so that a change to one file moves
// nothing of the others.
const chunkSize = 4 << 10

// The restore metadata of an EFS recovery point, as AWS Backup's StartRestoreJob takes
// it (AWS's keys).
const (
	metaNewFileSystem = "newFileSystem"
	metaFileSystemID  = "file-system-id"
	metaEncrypted     = "Encrypted"
	metaKmsKeyID      = "KmsKeyId"
	metaPerformance   = "PerformanceMode"
	metaToken         = "CreationToken"
	metaItems         = "ItemsToRestore"
)

// restoreDirPrefix names the directory a restore into an existing file system writes to,
// as AWS does: aws-backup-restore_<timestamp> at its root.
const restoreDirPrefix = "/aws-backup-restore_"

// ResourceType implements port.Protected.
func (protector) ResourceType() string { return "EFS" }

// Resources implements port.Protected: the file systems of the account and Region.
func (p protector) Resources(tx kit.Tx, account, region string) ([]port.Resource, error) {
	v := p.s.Join(tx).In(account, region)
	all, err := fileSystems.List(v)
	if err != nil {
		return nil, err
	}
	out := make([]port.Resource, 0, len(all))
	for _, fs := range all {
		if fs.State == efsapi.LifeCycleStateDeleting {
			continue
		}
		out = append(out, port.Resource{ARN: fs.ARN, Tags: resourceTags(fs)})
	}
	return out, nil
}

// Backup implements port.Protected: a recovery point of the file system's files as they
// are now. Its files are sealed under the file system's own KMS key (or the root key for
// an unencrypted one): BackupRequest names no vault key, and copies re-encrypt with the
// destination vault's.
func (p protector) Backup(tx kit.Tx, req port.BackupRequest) (port.Transfer, error) {
	tx = p.s.Join(tx)
	v := tx.In(req.Account, req.Region)
	if tr, err := madeBy(v, req.BackupID); err != nil || tr.Image.ARN != "" {
		return tr, err
	}
	fs, err := fileSystemOfARN(v, req.ResourceARN)
	if err != nil {
		return port.Transfer{}, err
	}
	switch fs.State {
	case efsapi.LifeCycleStateAvailable, efsapi.LifeCycleStateUpdating:
	case efsapi.LifeCycleStateCreating:
		return port.Transfer{}, port.NotReady(textBackupState, fs.ID, fs.State)
	default:
		return port.Transfer{}, port.CannotProtect(textBackupState, fs.ID, fs.State)
	}
	from, err := p.s.storeOf(tx, v, fs)
	if err != nil {
		return port.Transfer{}, err
	}
	img := &imageRecord{
		ID: ids.UUID(), FileSystemID: fs.ID, ResourceARN: fs.ARN, KmsKeyARN: fs.KmsKeyARN, Encrypted: fs.Encrypted,
		Performance: fs.PerformanceMode, Throughput: fs.ThroughputMode, Created: p.s.Clock.Now(), Job: req.BackupID,
	}
	return p.fill(tx, v, img, from, req.Base)
}

// Copy implements port.Protected: the recovery point's files, in the request's account
// and Region, re-sealed under a data key of the destination vault's key.
func (p protector) Copy(tx kit.Tx, req port.CopyRequest) (port.Transfer, error) {
	tx = p.s.Join(tx)
	v := tx.In(req.Account, req.Region)
	if tr, err := madeBy(v, req.CopyID); err != nil || tr.Image.ARN != "" {
		return tr, err
	}
	sv, src, err := imageOfARN(tx, req.ImageARN)
	if err != nil {
		return port.Transfer{}, err
	}
	if src == nil {
		return port.Transfer{}, port.CannotProtect(textImageNotFound, req.ImageARN)
	}
	if region, down := p.s.Unreachable(sv.Region(), req.Region); down {
		return port.Transfer{}, errors.New("efs: Region " + region + " is unreachable")
	}
	from, err := p.s.imageStore(tx, sv, src)
	if err != nil {
		return port.Transfer{}, err
	}
	img := &imageRecord{
		ID: ids.UUID(), FileSystemID: src.FileSystemID, ResourceARN: src.ResourceARN, KmsKeyARN: req.KeyARN, Encrypted: true,
		Performance: src.Performance, Throughput: src.Throughput, Created: p.s.Clock.Now(), Job: req.CopyID,
	}
	return p.fill(tx, v, img, from, req.Base)
}

// fill gives a new image its data key and the files of from, and records it.
func (p protector) fill(tx kit.Tx, v kit.View, img *imageRecord, from fileStore, base port.BlockSet) (port.Transfer, error) {
	img.ARN = imageARN(v, img.ID)
	wrapped, err := p.s.newDataKey(tx, v, img.KmsKeyARN, img.ID)
	if err != nil {
		if port.KeyUnavailable(err) {
			return port.Transfer{}, port.CannotProtect(textKeyUnusable, img.KmsKeyARN)
		}
		return port.Transfer{}, err
	}
	img.DataKey = wrapped
	to, err := p.s.imageStore(tx, v, img)
	if err != nil {
		return port.Transfer{}, err
	}
	list, err := from.list()
	if err != nil {
		return port.Transfer{}, err
	}
	var c content
	for _, f := range list {
		data, err := from.read(f)
		if err != nil {
			return port.Transfer{}, err
		}
		if err := to.put(&fileRecord{Path: f.Path, Version: f.Version, Written: f.Written, Accessed: f.Accessed}, data); err != nil {
			return port.Transfer{}, err
		}
		c.add(data)
		img.Size += int64(len(data))
		img.Files++
	}
	img.Content, img.Moved = c.blocks(), c.missing(base)
	if err := images.Put(v, img, img.ID); err != nil {
		return port.Transfer{}, err
	}
	if err := imagesMade.Put(v, &imageLink{ImageID: img.ID}, img.Job); err != nil {
		return port.Transfer{}, err
	}
	return transferOf(img), nil
}

// content is the blocks of an image's files: each file cut into chunks of chunkSize,
// named by the digest of what they hold.
type content struct {
	digests []uint64
	lengths []int64
}

func (c *content) add(data []byte) {
	for off := 0; off < len(data); off += chunkSize {
		chunk := data[off:min(off+chunkSize, len(data))]
		c.digests = append(c.digests, port.DigestOf(string(chunk)))
		c.lengths = append(c.lengths, int64(len(chunk)))
	}
}

// blocks is the content as the port describes it: every chunk a block of chunkSize (a
// file's last chunk counts as a whole one there).
func (c *content) blocks() port.Blocks {
	return port.NewBlocks(int64(len(c.digests))*chunkSize, chunkSize, func(i int) uint64 { return c.digests[i] })
}

// missing is the bytes of the chunks base lacks, each distinct chunk once: what a backup
// or copy moves. It counts a file's last chunk by its real length, which is what moves.
func (c *content) missing(base port.BlockSet) int64 {
	var n int64
	seen := map[uint64]bool{}
	for i, d := range c.digests {
		if _, held := base[d]; held || seen[d] {
			continue
		}
		seen[d] = true
		n += c.lengths[i]
	}
	return n
}

func transferOf(img *imageRecord) port.Transfer {
	return port.Transfer{Bytes: img.Moved, Image: port.Image{
		ARN: img.ARN, ResourceARN: img.ResourceARN, ResourceID: img.FileSystemID, SizeBytes: img.Size + metadataBytes,
		Encrypted: img.Encrypted, KmsKeyARN: img.KmsKeyARN, Content: img.Content,
	}}
}

// madeBy answers a job run again after it committed: the image it made, and what it
// moved then.
func madeBy(v kit.View, jobID string) (port.Transfer, error) {
	link, err := imagesMade.Get(v, jobID)
	if err != nil || link == nil {
		return port.Transfer{}, err
	}
	img, err := images.Get(v, link.ImageID)
	if err != nil || img == nil {
		return port.Transfer{}, err
	}
	return transferOf(img), nil
}

func imageARN(v kit.View, id string) string {
	return arn.New(partitionOf(v.Region()), "backup", v.Region(), v.Account(), "recovery-point:"+id)
}

func (s *Service) imageStore(tx kit.Tx, v kit.View, img *imageRecord) (fileStore, error) {
	key, err := s.openDataKey(tx, v, img.KmsKeyARN, img.DataKey, img.ID)
	return fileStore{v: v, key: key, meta: imageFiles, data: imageData}, err
}

// imageOfARN finds the image a recovery point ARN names, in its account and Region; nil
// when there is none.
func imageOfARN(tx kit.Tx, imageARN string) (kit.View, *imageRecord, error) {
	a, err := arn.Parse(imageARN)
	id, ok := strings.CutPrefix(a.Resource, "recovery-point:")
	if err != nil || a.Service != "backup" || !ok {
		return kit.View{}, nil, port.CannotProtect(textNotImageARN, imageARN)
	}
	v := tx.In(a.Account, a.Region)
	img, err := images.Get(v, id)
	return v, img, err
}

var fileSystemARNs = port.ResourceARN{Service: serviceName, Prefix: "file-system/", NotARN: textNotFileSystemARN, Elsewhere: textFileSystemElsewhere}

// fileSystemOfARN finds the file system an ARN of the view's account and Region names.
func fileSystemOfARN(v kit.View, fsARN string) (*fileSystemRecord, error) {
	id, err := fileSystemARNs.ID(fsARN, v.Account(), v.Region())
	if err != nil {
		return nil, err
	}
	fs, err := fileSystems.Get(v, id)
	if err == nil && fs == nil {
		err = port.CannotProtect(msgFSNotFound.Text, id)
	}
	return fs, err
}

// Delete implements port.Protected.
func (p protector) Delete(tx kit.Tx, _, _, imageARN string) error {
	tx = p.s.Join(tx)
	v, img, err := imageOfARN(tx, imageARN)
	if err != nil || img == nil {
		return err
	}
	for _, drop := range []func() error{
		func() error { return imageFiles.DeleteAll(v, img.ID) },
		func() error { return imageData.DeleteAll(v, img.ID) },
		func() error { return imagesMade.Delete(v, img.Job) },
		func() error { return images.Delete(v, img.ID) },
	} {
		if err := drop(); err != nil {
			return err
		}
	}
	return nil
}

// Restore implements port.Protected: a new file system made from the recovery point
// (newFileSystem "true", the default), or its files written into an existing file system
// of the Region (newFileSystem "false": file-system-id, else the one backed up) under
// aws-backup-restore_<timestamp>, as AWS restores into a file system. ItemsToRestore (a
// JSON list of paths) restores those files and directories only.
func (p protector) Restore(tx kit.Tx, account, region, imageARN string, metadata map[string]string) (string, error) {
	tx = p.s.Join(tx)
	iv, img, err := imageOfARN(tx, imageARN)
	if err != nil {
		return "", err
	}
	if img == nil || iv.Account() != account || iv.Region() != region {
		return "", port.CannotProtect(textImageNotFound, imageARN)
	}
	from, err := p.s.imageStore(tx, iv, img)
	if err != nil {
		return "", err
	}
	items, err := itemsToRestore(metadata[metaItems])
	if err != nil {
		return "", err
	}
	if metadata[metaNewFileSystem] == "false" {
		return p.restoreInPlace(tx, iv, img, from, items, metadata[metaFileSystemID])
	}
	return p.restoreNew(tx, iv, img, from, items, metadata)
}

func itemsToRestore(text string) ([]string, error) {
	if text == "" {
		return nil, nil
	}
	var items []string
	if err := json.Unmarshal([]byte(text), &items); err != nil {
		return nil, port.CannotProtect(textBadItems, text)
	}
	for _, it := range items {
		if checkPath(it) != nil {
			return nil, port.CannotProtect(textBadItems, text)
		}
	}
	return items, nil
}

// wanted reports whether a path is one of items, or in one of them; every path is when
// there are none.
func wanted(path string, items []string) bool {
	for _, it := range items {
		if path == it || strings.HasPrefix(path, it+"/") {
			return true
		}
	}
	return len(items) == 0
}

func (p protector) restoreNew(tx kit.Tx, v kit.View, img *imageRecord, from fileStore, items []string, metadata map[string]string) (string, error) {
	spec := fileSystemSpec{
		Token: metadata[metaToken], Performance: img.Performance, Throughput: img.Throughput,
		Backup: efsapi.StatusDisabled, Protection: efsapi.ReplicationOverwriteProtectionEnabled,
	}
	if spec.Token == "" {
		spec.Token = ids.UUID()
	}
	if idOfToken(v, spec.Token) != "" {
		return "", port.CannotProtect(msgFSExists.Text, idOfToken(v, spec.Token), spec.Token)
	}
	if m := metadata[metaPerformance]; m != "" {
		spec.Performance = m
	}
	if spec.Throughput == efsapi.ThroughputModeProvisioned {
		// The recovery point does not keep the provisioned throughput.
		spec.Throughput = efsapi.ThroughputModeBursting
	}
	encrypted := img.Encrypted
	if e := metadata[metaEncrypted]; e != "" {
		encrypted = e == "true"
	}
	if encrypted {
		key, err := p.s.efsKey(tx, v, metadata[metaKmsKeyID])
		if err != nil {
			return "", port.CannotProtect("%s", err.Error())
		}
		spec.KeyARN = key.ARN
	}
	fs, err := p.s.makeFileSystem(tx, v, spec)
	if err != nil {
		return "", err
	}
	return fs.ARN, p.s.restoreFiles(tx, v, fs, from, items, "")
}

func (p protector) restoreInPlace(tx kit.Tx, v kit.View, img *imageRecord, from fileStore, items []string, target string) (string, error) {
	if target == "" {
		target = img.FileSystemID
	}
	fs, err := fileSystems.Get(v, target)
	if err != nil {
		return "", err
	}
	if fs == nil || fs.State != efsapi.LifeCycleStateAvailable || fs.Protection != efsapi.ReplicationOverwriteProtectionEnabled {
		return "", port.CannotProtect(textRestoreTarget, target)
	}
	dir := restoreDirPrefix + p.s.Clock.Now().UTC().Format("2006-01-02T15-04-05")
	return fs.ARN, p.s.restoreFiles(tx, v, fs, from, items, dir)
}

// restoreFiles writes the image's wanted files into fs, under dir.
func (s *Service) restoreFiles(tx kit.Tx, v kit.View, fs *fileSystemRecord, from fileStore, items []string, dir string) error {
	to, err := s.storeOf(tx, v, fs)
	if err != nil {
		return err
	}
	list, err := from.list()
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	for _, f := range list {
		if !wanted(f.Path, items) {
			continue
		}
		data, err := from.read(f)
		if err != nil {
			return err
		}
		fs.FileVersion++
		if err := to.put(&fileRecord{Path: dir + f.Path, Version: fs.FileVersion, Written: now, Accessed: now}, data); err != nil {
			return err
		}
	}
	return fileSystems.Put(v, fs, fs.ID)
}
