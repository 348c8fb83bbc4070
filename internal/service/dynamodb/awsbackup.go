package dynamodb

import (
	"slices"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// protector is DynamoDB's tables as AWS Backup protects them: the port.Protected of
// resource type DynamoDB. An image is a DynamoDB backup of type AWS_BACKUP
// (arn:…:table/<name>/backup/<id>), whose items are the table's sealed items as they
// were; a copy into another Region is a backup there, its data key wrapped under the
// destination vault's key. Every method works in the caller's transaction.
type protector struct{ s *Service }

var _ port.Protected = protector{}

// resourceTypeDynamoDB is AWS Backup's name of the type.
const resourceTypeDynamoDB = "DynamoDB"

// metaTargetTable is the restore metadata key that names the table to create, as AWS
// Backup's metadata for DynamoDB calls it.
const metaTargetTable = "targetTableName"

// ResourceType implements port.Protected.
func (protector) ResourceType() string { return resourceTypeDynamoDB }

// Resources implements port.Protected: the tables of the Region, but those being
// deleted, with their tags.
func (p protector) Resources(tx kit.Tx, account, region string) ([]port.Resource, error) {
	v := p.s.Join(tx).In(account, region)
	all, err := tables.List(v)
	if err != nil {
		return nil, err
	}
	var out []port.Resource
	for _, rec := range all {
		if rec.Status == ddb.TableStatusDeleting {
			continue
		}
		tags := make(map[string]string, len(rec.Tags))
		for _, t := range rec.Tags {
			tags[t.Key] = t.Value
		}
		out = append(out, port.Resource{ARN: rec.arn(v), Tags: tags})
	}
	return out, nil
}

// Backup implements port.Protected: a backup of the table as it is now, AVAILABLE at
// once (AWS Backup's job shows the progress). Asked again for the same BackupID, it
// answers the backup it made. A table still being created is not ready.
func (p protector) Backup(tx kit.Tx, req port.BackupRequest) (port.Transfer, error) {
	v := p.s.Join(tx).In(req.Account, req.Region)
	rec, err := tableOfResource(v, req.ResourceARN)
	if err != nil {
		return port.Transfer{}, err
	}
	b, err := backupByJob(v, req.BackupID)
	if err != nil {
		return port.Transfer{}, err
	}
	if b == nil {
		if !usable(rec.Status) {
			return port.Transfer{}, port.NotReady(textTableNotActive, rec.Name, rec.Status)
		}
		if b, err = p.s.takeBackup(tx, v, rec, backupName(req.BackupID), ddb.BackupTypeAwsBackup, p.s.Clock.Now()); err != nil {
			return port.Transfer{}, err
		}
		if err := tx.CancelJobs(b.Job); err != nil {
			return port.Transfer{}, err
		}
		b.AWSBackupID, b.Status, b.Job = req.BackupID, ddb.BackupStatusAvailable, ""
		if err := backups.Put(v, b, b.ID); err != nil {
			return port.Transfer{}, err
		}
	}
	return transferOf(v, b, req.Base)
}

// transferOf is what making the backup b moved: its content that base lacks.
func transferOf(v kit.View, b *backupRecord, base port.BlockSet) (port.Transfer, error) {
	img := imageOf(v, b)
	content, err := contentOf(v, b)
	if err != nil {
		return port.Transfer{}, err
	}
	img.Content = content
	return port.Transfer{Image: img, Bytes: content.Missing(base)}, nil
}

// Content: a backup's items gathered into pages by their partition position (uniform,
// so pages are even), a page's digest made from the identity of the item versions it
// holds (position, write stamp and Region): a changed item changes its page alone, and
// a copy, whose items are the same sealed versions, has the same content. The page
// count grows in powers of two with the table, about 64 KiB a page, at most 4096.
const (
	pageBytes = 64 << 10
	maxPages  = 4096
)

func contentOf(v kit.View, b *backupRecord) (port.Blocks, error) {
	pages := 1
	for pages < maxPages && int64(pages)*pageBytes < b.SizeBytes {
		pages *= 2
	}
	parts := make([][]string, pages)
	err := backupItems.Scan(v, "", func(e kit.Entry, blob []byte) bool {
		env, _, err := readEnvelope(blob)
		if err != nil {
			return true // a damaged item is the restore's concern
		}
		id := e.ID()
		page := pageOf(id[0], pages)
		parts[page] = append(parts[page], id[0], id[1], stampKey(env.Stamp), env.Origin)
		return true
	}, b.ID)
	if err != nil {
		return port.Blocks{}, err
	}
	size := max(b.SizeBytes, 1)
	block := (size + int64(pages) - 1) / int64(pages)
	return port.NewBlocks(size, block, func(i int) uint64 {
		if i >= pages {
			return port.DigestOf(b.Table.ID, "empty")
		}
		return port.DigestOf(parts[i]...)
	}), nil
}

// pageOf is the page of a partition position (hex) among pages, a power of two.
func pageOf(pp string, pages int) int {
	n, _ := strconv.ParseUint(pp[:8], 16, 64)
	return int(n * uint64(pages) >> 32)
}

var tableARNs = port.ResourceARN{Service: serviceName, Prefix: "table/", NotARN: textNotATable, Elsewhere: textTableElsewhere}

// tableOfResource finds the table an ARN of the view's account and Region names.
func tableOfResource(v kit.View, tableARN string) (*tableRecord, error) {
	// A stream or an index of a table is not a table, wherever it is.
	if _, rest, _ := strings.Cut(tableARN, ":table/"); strings.Contains(rest, "/") {
		return nil, port.CannotProtect(textNotATable, tableARN)
	}
	name, err := tableARNs.ID(tableARN, v.Account(), v.Region())
	if err != nil {
		return nil, err
	}
	rec, err := tables.Get(v, name)
	if err == nil && rec == nil {
		err = port.CannotProtect(textTableMissing, name)
	}
	return rec, err
}

// backupName is a DynamoDB backup name for AWS Backup's id: its characters outside
// [a-zA-Z0-9_.-] (the colon of "awsbackup:job-…") become '_'.
func backupName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, id)
}

// backupByJob finds the backup AWS Backup made under id in the view's Region, if any.
func backupByJob(v kit.View, id string) (*backupRecord, error) {
	all, err := backups.List(v)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(b *backupRecord) bool { return b.AWSBackupID == id })
	if i < 0 {
		return nil, nil
	}
	return all[i], nil
}

func imageOf(v kit.View, b *backupRecord) port.Image {
	if b == nil {
		return port.Image{}
	}
	img := port.Image{
		ARN: backupARN(v, b.Table.Name, b.ID), ResourceARN: tableARN(v, b.Table.Name), ResourceID: b.Table.Name,
		SizeBytes: b.SizeBytes, Encrypted: true,
	}
	if b.Table.SSE != nil {
		img.KmsKeyARN = b.Table.SSE.KeyARN
	}
	return img
}

// backupOfImage finds the backup an image ARN names in account ("": any), in any
// Region; nil when it is gone.
func (p protector) backupOfImage(tx kit.Tx, account, imageARN string) (kit.View, *backupRecord, error) {
	a, err := arn.Parse(imageARN)
	parts := strings.Split(a.Resource, "/")
	if err != nil || a.Service != serviceName || len(parts) != 4 || parts[0] != "table" || parts[2] != "backup" || account != "" && a.Account != account {
		return kit.View{}, nil, port.CannotProtect(textNotABackup, imageARN, account)
	}
	v := p.s.Join(tx).In(a.Account, a.Region)
	b, err := backups.Get(v, parts[3])
	return v, b, err
}

// imageBackup is backupOfImage for those who need the backup to be there.
func (p protector) imageBackup(tx kit.Tx, account, imageARN string) (kit.View, *backupRecord, error) {
	v, b, err := p.backupOfImage(tx, account, imageARN)
	if err == nil && b == nil {
		err = port.CannotProtect(textBackupMissing, imageARN)
	}
	return v, b, err
}

// Copy implements port.Protected: a backup in the request's Region with the source's
// definition and sealed items, its data key wrapped under KeyARN, the destination
// vault's key. Asked again for the same CopyID, it answers the copy it made.
func (p protector) Copy(tx kit.Tx, req port.CopyRequest) (port.Transfer, error) {
	dv := p.s.Join(tx).In(req.Account, req.Region)
	b, err := backupByJob(dv, req.CopyID)
	if err != nil {
		return port.Transfer{}, err
	}
	if b == nil {
		if b, err = p.copyBackup(tx, dv, req.ImageARN, req.CopyID, req.KeyARN); err != nil {
			return port.Transfer{}, err
		}
	}
	return transferOf(dv, b, req.Base)
}

func (p protector) copyBackup(tx kit.Tx, dv kit.View, imageARN, copyID, keyARN string) (*backupRecord, error) {
	sv, src, err := p.imageBackup(tx, "", imageARN) // a copy may come from another account
	if err != nil {
		return nil, err
	}
	dk, err := p.s.unwrap(tx, sv.Account(), sv.Region(), src.Table)
	if err != nil {
		return nil, err
	}
	table := *src.Table
	table.Job = ""
	ki, err := p.s.keys.Resolve(tx, dv.Account(), dv.Region(), keyARN)
	if err != nil {
		return nil, port.CannotProtect(textCopyKey, keyARN, err.Error())
	}
	if err := p.s.wrapKey(tx, dv, &table, &sseRecord{KeyARN: ki.ARN, Managed: ki.AWSManaged, Status: ddb.SSEStatusEnabled}, dk); err != nil {
		return nil, err
	}
	b := &backupRecord{ID: newBackupID(src.Created), Name: backupName(copyID), Type: ddb.BackupTypeAwsBackup, Status: ddb.BackupStatusAvailable,
		Created: src.Created, SizeBytes: src.SizeBytes, Items: src.Items, Table: &table, AWSBackupID: copyID}
	err = copyBlobs(sv, backupItems, []string{src.ID}, func(id []string, blob []byte) error {
		return backupItems.Put(dv, blob, b.ID, id[0], id[1])
	})
	if err != nil {
		return nil, err
	}
	return b, backups.Put(dv, b, b.ID)
}

// Delete implements port.Protected.
func (p protector) Delete(tx kit.Tx, account, region, imageARN string) error {
	v, b, err := p.backupOfImage(tx, account, imageARN)
	if err != nil || b == nil {
		return err // nil when it is gone already
	}
	return removeBackup(v, b.ID)
}

// Restore implements port.Protected: the table targetTableName, with the image's items.
func (p protector) Restore(tx kit.Tx, account, region, imageARN string, metadata map[string]string) (string, error) {
	sv, b, err := p.imageBackup(tx, account, imageARN)
	if err != nil {
		return "", err
	}
	if sv.Region() != region {
		return "", port.CannotProtect(textRestoreElsewhere, imageARN, region)
	}
	target := metadata[metaTargetTable]
	if target == "" {
		return "", port.CannotProtect(textRestoreNoTarget, metaTargetTable)
	}
	if err := checkNewTableName(target); err != nil {
		return "", port.CannotProtect(textRestoreBadTarget, target)
	}
	rec, err := p.s.restoreBackup(tx, sv, b, target, overrides{}, p.s.Clock.Now())
	if err != nil {
		if isAWS(err) {
			return "", port.CannotProtect(textRestoreFailed, target, err.Error())
		}
		return "", err
	}
	return rec.arn(sv), nil
}
