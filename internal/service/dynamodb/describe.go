package dynamodb

import (
	"time"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// describe is a table as DescribeTable shows it.
func describe(v kit.View, rec *tableRecord) *ddb.TableDescription {
	m := decodeMeta(meta.Get(v, rec.ID))
	d := &ddb.TableDescription{
		TableName: new(rec.Name), TableId: new(rec.ID), TableArn: new(rec.arn(v)), TableStatus: new(rec.Status),
		CreationDateTime: new(rec.Created), AttributeDefinitions: attributeDefinitions(rec.Attrs),
		KeySchema: keySchemaOf(rec.Hash, rec.Range), ItemCount: new(m.Count), TableSizeBytes: new(m.Bytes),
		ProvisionedThroughput:     throughputOf(rec.Read, rec.Write, rec.Increased, rec.Decreased),
		DeletionProtectionEnabled: new(rec.DeletionProtection),
	}
	if rec.Billing == ddb.BillingModePayPerRequest || rec.BillingSet {
		d.BillingModeSummary = &ddb.BillingModeSummary{BillingMode: new(rec.Billing), LastUpdateToPayPerRequestDateTime: rec.ToOnDemand}
	}
	describeIndexes(v, rec, d)
	if s := rec.Stream; s != nil {
		d.StreamSpecification = &ddb.StreamSpecification{StreamEnabled: new(s.Enabled)}
		if s.Enabled {
			d.StreamSpecification.StreamViewType = new(s.ViewType)
		}
		if s.Label != "" {
			d.LatestStreamLabel, d.LatestStreamArn = new(s.Label), new(rec.streamARN(v))
		}
	}
	if rec.SSE != nil {
		d.SSEDescription = &ddb.SSEDescription{Status: new(rec.SSE.Status), SSEType: new(ddb.SSETypeKms), KMSMasterKeyArn: new(rec.SSE.KeyARN)}
	}
	if rec.TableClass != "" {
		d.TableClassSummary = &ddb.TableClassSummary{TableClass: new(rec.TableClass), LastUpdateDateTime: rec.ClassChanged}
	}
	if r := rec.Restore; r != nil {
		d.RestoreSummary = &ddb.RestoreSummary{RestoreDateTime: new(r.Time), RestoreInProgress: new(r.InProgress)}
		if r.SourceBackupARN != "" {
			d.RestoreSummary.SourceBackupArn = new(r.SourceBackupARN)
		}
		if r.SourceTableARN != "" {
			d.RestoreSummary.SourceTableArn = new(r.SourceTableARN)
		}
	}
	describeReplicas(v, rec, d)
	return d
}

func attributeDefinitions(attrs []keyAttr) []ddb.AttributeDefinition {
	out := make([]ddb.AttributeDefinition, len(attrs))
	for i, a := range attrs {
		out[i] = ddb.AttributeDefinition{AttributeName: new(a.Name), AttributeType: new(a.Type)}
	}
	return out
}

func keySchemaOf(hash keyAttr, rng *keyAttr) []ddb.KeySchemaElement {
	out := []ddb.KeySchemaElement{{AttributeName: new(hash.Name), KeyType: new(ddb.KeyTypeHash)}}
	if rng != nil {
		out = append(out, ddb.KeySchemaElement{AttributeName: new(rng.Name), KeyType: new(ddb.KeyTypeRange)})
	}
	return out
}

// throughputOf is a ProvisionedThroughputDescription; an on-demand table shows zeros,
// as DynamoDB's does.
func throughputOf(read, write int64, increased, decreased *time.Time) *ddb.ProvisionedThroughputDescription {
	return &ddb.ProvisionedThroughputDescription{
		ReadCapacityUnits: new(read), WriteCapacityUnits: new(write), NumberOfDecreasesToday: new(int64(0)),
		LastIncreaseDateTime: increased, LastDecreaseDateTime: decreased,
	}
}

func projectionOf(idx *indexRecord) *ddb.Projection {
	p := &ddb.Projection{ProjectionType: new(idx.Projection)}
	if len(idx.NonKey) > 0 {
		p.NonKeyAttributes = idx.NonKey
	}
	return p
}

func describeIndexes(v kit.View, rec *tableRecord, d *ddb.TableDescription) {
	for i := range rec.GSIs {
		idx := &rec.GSIs[i]
		count, size := indexStats(v, rec, idx)
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, ddb.GlobalSecondaryIndexDescription{
			IndexName: new(idx.Name), KeySchema: keySchemaOf(idx.Hash, idx.Range), Projection: projectionOf(idx),
			IndexStatus: new(idx.Status), ProvisionedThroughput: throughputOf(idx.Read, idx.Write, nil, nil),
			IndexArn: new(rec.indexARN(v, idx.Name)), ItemCount: new(count), IndexSizeBytes: new(size),
		})
	}
	for i := range rec.LSIs {
		idx := &rec.LSIs[i]
		count, size := indexStats(v, rec, idx)
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, ddb.LocalSecondaryIndexDescription{
			IndexName: new(idx.Name), KeySchema: keySchemaOf(idx.Hash, idx.Range), Projection: projectionOf(idx),
			IndexArn: new(rec.indexARN(v, idx.Name)), ItemCount: new(count), IndexSizeBytes: new(size),
		})
	}
}

// indexStats counts an index's entries. DynamoDB refreshes these about every six
// hours; counting keys is cheap enough to be exact. The size is not kept per index and
// reads as zero.
func indexStats(v kit.View, rec *tableRecord, idx *indexRecord) (int64, int64) {
	var n int64
	_ = indexEntries.Keys(v, "", func(kit.Entry) bool { n++; return true }, rec.ID, idx.Name)
	return n, 0
}

func describeReplicas(v kit.View, rec *tableRecord, d *ddb.TableDescription) {
	if !rec.global() {
		return
	}
	d.GlobalTableVersion = new(globalTableVersion)
	for _, r := range rec.Replicas {
		rd := ddb.ReplicaDescription{RegionName: new(r.Region), ReplicaStatus: new(r.Status),
			ReplicaArn: new(tableARNIn(v.Account(), r.Region, rec.Name))}
		if r.KMSKey != "" {
			rd.KMSMasterKeyId = new(r.KMSKey)
		}
		d.Replicas = append(d.Replicas, rd)
	}
}
