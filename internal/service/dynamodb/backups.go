package dynamodb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// newBackupID is a backup id as DynamoDB makes them: the creation time in milliseconds
// (14 digits) and eight hex digits.
func newBackupID(now time.Time) string {
	return fmt.Sprintf("%014d-%s", now.UnixMilli(), ids.Hex(4))
}

func (s *Service) CreateBackup(ctx context.Context, in *ddb.CreateBackupInput) (*ddb.CreateBackupOutput, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.CreateBackupOutput, error) {
		v := c.In(tx)
		name, _ := tableName(c, *in.TableName)
		rec, err := tables.Get(v, name)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, msgTableNotFoundB.New(name)
		}
		if !usable(rec.Status) {
			return nil, msgTableInUse.New(busyWord(rec.Status), rec.Name)
		}
		b, err := s.takeBackup(tx, v, rec, *in.BackupName, ddb.BackupTypeUser, c.Now())
		if err != nil {
			return nil, err
		}
		return &ddb.CreateBackupOutput{BackupDetails: backupDetails(v, b)}, nil
	})
}

// takeBackup copies a table's definition and sealed items into a new backup, CREATING
// until its job makes it AVAILABLE.
func (s *Service) takeBackup(tx kit.Tx, v kit.View, rec *tableRecord, name, typ string, now time.Time) (*backupRecord, error) {
	table := *rec
	table.Job, table.Tags = "", slices.Clone(rec.Tags)
	b := &backupRecord{ID: newBackupID(now), Name: name, Type: typ, Status: ddb.BackupStatusCreating, Created: now, Table: &table}
	m := decodeMeta(meta.Get(v, rec.ID))
	b.SizeBytes, b.Items = m.Bytes, m.Count
	err := copyBlobs(v, items, []string{rec.ID}, func(id []string, blob []byte) error {
		return backupItems.Put(v, blob, b.ID, id[0], id[1])
	})
	if err != nil {
		return nil, err
	}
	if b.Job, err = jobBackup.Enqueue(tx, s.After(), backupRef{Account: v.Account(), Region: v.Region(), ID: b.ID}); err != nil {
		return nil, err
	}
	return b, backups.Put(v, b, b.ID)
}

// runBackup makes a backup AVAILABLE.
func (s *Service) runBackup(_ context.Context, tx kit.Tx, _ *jobs.Job, p backupRef) error {
	v := tx.In(p.Account, p.Region)
	b, err := backups.Get(v, p.ID)
	if err != nil || b == nil || b.Status != ddb.BackupStatusCreating {
		return err
	}
	b.Status, b.Job = ddb.BackupStatusAvailable, ""
	return backups.Put(v, b, b.ID)
}

func backupDetails(v kit.View, b *backupRecord) *ddb.BackupDetails {
	return &ddb.BackupDetails{
		BackupArn: new(backupARN(v, b.Table.Name, b.ID)), BackupName: new(b.Name), BackupSizeBytes: new(b.SizeBytes),
		BackupStatus: new(b.Status), BackupType: new(b.Type), BackupCreationDateTime: new(b.Created), BackupExpiryDateTime: b.Expires,
	}
}

// findBackup returns the backup an ARN names in the caller's account and Region.
func findBackup(c kit.Call, v kit.View, backupARN string) (*backupRecord, error) {
	a, err := arn.Parse(backupARN)
	parts := strings.Split(a.Resource, "/")
	if err != nil || a.Service != serviceName || len(parts) != 4 || parts[0] != "table" || parts[2] != "backup" {
		return nil, msgBackupNotFound.New(backupARN)
	}
	if a.Account != c.Account || a.Region != c.Region {
		return nil, msgBackupNotFound.New(backupARN)
	}
	b, err := backups.Get(v, parts[3])
	if err != nil {
		return nil, err
	}
	if b == nil || b.Table.Name != parts[1] {
		return nil, msgBackupNotFound.New(backupARN)
	}
	return b, nil
}

func (s *Service) DescribeBackup(ctx context.Context, in *ddb.DescribeBackupInput) (*ddb.DescribeBackupOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.DescribeBackupOutput, error) {
		v := c.In(tx)
		b, err := findBackup(c, v, *in.BackupArn)
		if err != nil {
			return nil, err
		}
		return &ddb.DescribeBackupOutput{BackupDescription: backupDescription(v, b)}, nil
	})
}

func backupDescription(v kit.View, b *backupRecord) *ddb.BackupDescription {
	t := b.Table
	src := &ddb.SourceTableDetails{
		TableName: new(t.Name), TableId: new(t.ID), TableArn: new(t.arn(v)), TableSizeBytes: new(b.SizeBytes),
		KeySchema: keySchemaOf(t.Hash, t.Range), TableCreationDateTime: new(t.Created), ItemCount: new(b.Items),
		ProvisionedThroughput: &ddb.ProvisionedThroughput{ReadCapacityUnits: new(t.Read), WriteCapacityUnits: new(t.Write)},
		BillingMode:           new(t.Billing),
	}
	feat := &ddb.SourceTableFeatureDetails{}
	for _, g := range globalIndexesOf(t) {
		feat.GlobalSecondaryIndexes = append(feat.GlobalSecondaryIndexes, ddb.GlobalSecondaryIndexInfo{
			IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection, ProvisionedThroughput: g.ProvisionedThroughput})
	}
	for _, l := range localIndexesOf(t) {
		feat.LocalSecondaryIndexes = append(feat.LocalSecondaryIndexes, ddb.LocalSecondaryIndexInfo{IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection})
	}
	if t.Stream != nil && t.Stream.Enabled {
		feat.StreamDescription = &ddb.StreamSpecification{StreamEnabled: new(true), StreamViewType: new(t.Stream.ViewType)}
	}
	if t.SSE != nil {
		feat.SSEDescription = &ddb.SSEDescription{Status: new(ddb.SSEStatusEnabled), SSEType: new(ddb.SSETypeKms), KMSMasterKeyArn: new(t.SSE.KeyARN)}
	}
	if t.TTL != nil {
		feat.TimeToLiveDescription = &ddb.TimeToLiveDescription{TimeToLiveStatus: new(t.TTL.Status), AttributeName: new(t.TTL.Attr)}
	}
	return &ddb.BackupDescription{BackupDetails: backupDetails(v, b), SourceTableDetails: src, SourceTableFeatureDetails: feat}
}

func (s *Service) DeleteBackup(ctx context.Context, in *ddb.DeleteBackupInput) (*ddb.DeleteBackupOutput, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.DeleteBackupOutput, error) {
		v := c.In(tx)
		b, err := findBackup(c, v, *in.BackupArn)
		if err != nil {
			return nil, err
		}
		if b.Status == ddb.BackupStatusCreating {
			return nil, msgBackupInUse.New(*in.BackupArn)
		}
		if err := removeBackup(v, b.ID); err != nil {
			return nil, err
		}
		b.Status = ddb.BackupStatusDeleted
		return &ddb.DeleteBackupOutput{BackupDescription: backupDescription(v, b)}, nil
	})
}

func removeBackup(v kit.View, id string) error {
	if err := backupItems.DeleteAll(v, id); err != nil {
		return err
	}
	return backups.Delete(v, id)
}

// defaultBackupPage is ListBackups' page size when the request sets none.
const defaultBackupPage = 100

func (s *Service) ListBackups(ctx context.Context, in *ddb.ListBackupsInput) (*ddb.ListBackupsOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.ListBackupsOutput, error) {
		v := c.In(tx)
		all, err := backups.List(v)
		if err != nil {
			return nil, err
		}
		keep := slices.DeleteFunc(all, func(b *backupRecord) bool { return !listed(c, b, in) })
		slices.SortStableFunc(keep, func(a, b *backupRecord) int {
			if c := a.Created.Compare(b.Created); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		if in.ExclusiveStartBackupArn != nil {
			i := slices.IndexFunc(keep, func(b *backupRecord) bool { return backupARN(v, b.Table.Name, b.ID) == *in.ExclusiveStartBackupArn })
			keep = keep[i+1:]
		}
		limit := defaultBackupPage
		if in.Limit != nil {
			limit = int(*in.Limit)
		}
		out := &ddb.ListBackupsOutput{BackupSummaries: []ddb.BackupSummary{}}
		if len(keep) > limit {
			keep = keep[:limit]
			out.LastEvaluatedBackupArn = new(backupARN(v, keep[limit-1].Table.Name, keep[limit-1].ID))
		}
		for _, b := range keep {
			out.BackupSummaries = append(out.BackupSummaries, backupSummary(v, b))
		}
		return out, nil
	})
}

// listed reports whether ListBackups' filters keep a backup. With no BackupType only
// the user's own backups are listed, as in DynamoDB.
func listed(c kit.Call, b *backupRecord, in *ddb.ListBackupsInput) bool {
	typ := deref(in.BackupType)
	if typ == "" {
		typ = ddb.BackupTypeFilterUser
	}
	name := ""
	if in.TableName != nil {
		name, _ = tableName(c, *in.TableName)
	}
	switch {
	case typ != ddb.BackupTypeFilterAll && b.Type != typ:
		return false
	case name != "" && b.Table.Name != name:
		return false
	case in.TimeRangeLowerBound != nil && b.Created.Before(*in.TimeRangeLowerBound):
		return false
	case in.TimeRangeUpperBound != nil && !b.Created.Before(*in.TimeRangeUpperBound):
		return false
	}
	return true
}

func backupSummary(v kit.View, b *backupRecord) ddb.BackupSummary {
	return ddb.BackupSummary{
		TableName: new(b.Table.Name), TableId: new(b.Table.ID), TableArn: new(b.Table.arn(v)),
		BackupArn: new(backupARN(v, b.Table.Name, b.ID)), BackupName: new(b.Name), BackupCreationDateTime: new(b.Created),
		BackupExpiryDateTime: b.Expires, BackupStatus: new(b.Status), BackupType: new(b.Type), BackupSizeBytes: new(b.SizeBytes),
	}
}

func (s *Service) RestoreTableFromBackup(ctx context.Context, in *ddb.RestoreTableFromBackupInput) (*ddb.RestoreTableFromBackupOutput, error) {
	c := s.Call(ctx)
	o := overrides{billing: in.BillingModeOverride, pt: in.ProvisionedThroughputOverride, gsis: in.GlobalSecondaryIndexOverride,
		lsis: in.LocalSecondaryIndexOverride, sse: in.SSESpecificationOverride}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.RestoreTableFromBackupOutput, error) {
		v := c.In(tx)
		b, err := findBackup(c, v, *in.BackupArn)
		if err != nil {
			return nil, err
		}
		if b.Status == ddb.BackupStatusCreating {
			return nil, msgBackupInUse.New(*in.BackupArn)
		}
		rec, err := s.restoreBackup(tx, v, b, *in.TargetTableName, o, c.Now())
		if err != nil {
			return nil, err
		}
		return &ddb.RestoreTableFromBackupOutput{TableDescription: describe(v, rec)}, nil
	})
}

// restoreBackup creates the table target of v from a backup of v's Region.
func (s *Service) restoreBackup(tx kit.Tx, v kit.View, b *backupRecord, target string, o overrides, now time.Time) (*tableRecord, error) {
	if tables.Has(v, target) {
		return nil, msgTargetExists.New(target)
	}
	rec, err := s.restoredTable(tx, v, b.Table, v.Account(), v.Region(), target, o)
	if err != nil {
		return nil, err
	}
	summary := restoreSummary(backupARN(v, b.Table.Name, b.ID), b.Table.arn(v), now)
	err = s.fillRestored(tx, v, rec, summary, func(load func(pp, sp string, blob []byte) error) error {
		return copyBlobs(v, backupItems, []string{b.ID}, func(id []string, blob []byte) error { return load(id[0], id[1], blob) })
	})
	return rec, err
}
