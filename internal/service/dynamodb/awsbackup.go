package dynamodb

import (
	"slices"
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
// once (AWS Backup's job shows the progress). Asked again for backupID, it answers the
// backup it made.
func (p protector) Backup(tx kit.Tx, account, region, tableARN, backupID string) (port.Image, error) {
	v := p.s.Join(tx).In(account, region)
	rec, err := tableOfResource(v, tableARN)
	if err != nil {
		return port.Image{}, err
	}
	if b, err := backupByJob(v, backupID); err != nil || b != nil {
		return imageOf(v, b), err
	}
	if !usable(rec.Status) {
		return port.Image{}, port.CannotProtect(textTableNotActive, rec.Name, rec.Status)
	}
	b, err := p.s.takeBackup(tx, v, rec, backupName(backupID), ddb.BackupTypeAwsBackup, p.s.Clock.Now())
	if err != nil {
		return port.Image{}, err
	}
	if err := tx.CancelJobs(b.Job); err != nil {
		return port.Image{}, err
	}
	b.AWSBackupID, b.Status, b.Job = backupID, ddb.BackupStatusAvailable, ""
	return imageOf(v, b), backups.Put(v, b, b.ID)
}

// tableOfResource finds the table an ARN of the view's account and Region names.
func tableOfResource(v kit.View, tableARN string) (*tableRecord, error) {
	a, err := arn.Parse(tableARN)
	name, ok := strings.CutPrefix(a.Resource, "table/")
	if err != nil || a.Service != serviceName || !ok || strings.Contains(name, "/") {
		return nil, port.CannotProtect(textNotATable, tableARN)
	}
	if a.Account != v.Account() || a.Region != v.Region() {
		return nil, port.CannotProtect(textTableElsewhere, tableARN, v.Account(), v.Region())
	}
	rec, err := tables.Get(v, name)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, port.CannotProtect(textTableMissing, name)
	}
	return rec, nil
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

// backupOfImage finds the backup an image ARN names in account, in any Region; nil
// when it is gone.
func (p protector) backupOfImage(tx kit.Tx, account, imageARN string) (kit.View, *backupRecord, error) {
	a, err := arn.Parse(imageARN)
	parts := strings.Split(a.Resource, "/")
	if err != nil || a.Service != serviceName || len(parts) != 4 || parts[0] != "table" || parts[2] != "backup" || a.Account != account {
		return kit.View{}, nil, port.CannotProtect(textNotABackup, imageARN, account)
	}
	v := p.s.Join(tx).In(account, a.Region)
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

// Copy implements port.Protected: a backup in region with the source's definition and
// sealed items, its data key wrapped under keyARN, the destination vault's key. Asked
// again for copyID, it answers the copy it made.
func (p protector) Copy(tx kit.Tx, account, region, imageARN, copyID, keyARN string) (port.Image, error) {
	dv := p.s.Join(tx).In(account, region)
	if b, err := backupByJob(dv, copyID); err != nil || b != nil {
		return imageOf(dv, b), err
	}
	sv, src, err := p.imageBackup(tx, account, imageARN)
	if err != nil {
		return port.Image{}, err
	}
	dk, err := p.s.unwrap(tx, account, sv.Region(), src.Table)
	if err != nil {
		return port.Image{}, err
	}
	table := *src.Table
	table.Job = ""
	ki, err := p.s.keys.Resolve(tx, account, region, keyARN)
	if err != nil {
		return port.Image{}, port.CannotProtect(textCopyKey, keyARN, err.Error())
	}
	if err := p.s.wrapKey(tx, dv, &table, &sseRecord{KeyARN: ki.ARN, Managed: ki.AWSManaged, Status: ddb.SSEStatusEnabled}, dk); err != nil {
		return port.Image{}, err
	}
	b := &backupRecord{ID: newBackupID(src.Created), Name: backupName(copyID), Type: ddb.BackupTypeAwsBackup, Status: ddb.BackupStatusAvailable,
		Created: src.Created, SizeBytes: src.SizeBytes, Items: src.Items, Table: &table, AWSBackupID: copyID}
	err = copyBlobs(sv, backupItems, []string{src.ID}, func(id []string, blob []byte) error {
		return backupItems.Put(dv, blob, b.ID, id[0], id[1])
	})
	if err != nil {
		return port.Image{}, err
	}
	return imageOf(dv, b), backups.Put(dv, b, b.ID)
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
