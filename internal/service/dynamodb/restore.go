package dynamodb

import (
	"time"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// overrides are what a restore may change of the source table's definition.
type overrides struct {
	billing *string
	pt      *ddb.ProvisionedThroughput
	gsis    []ddb.GlobalSecondaryIndex
	lsis    []ddb.LocalSecondaryIndex
	sse     *ddb.SSESpecification
}

// restoredTable makes the record of a table restored from source (a table, or a
// backup's copy of one): the same keys, attributes, indexes, billing and encryption
// unless overridden, and none of what DynamoDB does not restore (streams, TTL,
// point-in-time recovery, tags, deletion protection, replicas). It shares the source's
// data key, wrapped for the new table, so that its items are the source's sealed items
// as they are.
func (s *Service) restoredTable(tx kit.Tx, v kit.View, source *tableRecord, sourceAccount, sourceRegion, target string, o overrides) (*tableRecord, error) {
	in := &ddb.CreateTableInput{
		TableName: new(target), AttributeDefinitions: attributeDefinitions(source.Attrs),
		KeySchema: keySchemaOf(source.Hash, source.Range), BillingMode: new(source.Billing),
		GlobalSecondaryIndexes: globalIndexesOf(source), LocalSecondaryIndexes: localIndexesOf(source),
	}
	if source.Billing == ddb.BillingModeProvisioned {
		in.ProvisionedThroughput = &ddb.ProvisionedThroughput{ReadCapacityUnits: new(source.Read), WriteCapacityUnits: new(source.Write)}
	}
	applyOverrides(in, o)
	in.AttributeDefinitions = onlyKeys(in)
	rec, err := tableDefinition(in)
	if err != nil {
		return nil, err
	}
	rec.ID, rec.Created, rec.Status, rec.TableClass = ids.UUID(), s.Clock.Now(), ddb.TableStatusCreating, source.TableClass
	sse := source.SSE
	if o.sse != nil {
		ch, err := sseOf(o.sse)
		if err != nil {
			return nil, err
		}
		if sse, err = s.resolveSSE(tx, v, ch); err != nil {
			return nil, err
		}
	}
	dk, err := s.unwrap(tx, sourceAccount, sourceRegion, source)
	if err != nil {
		return nil, err
	}
	return rec, s.wrapKey(tx, v, rec, copySSE(sse), dk)
}

// onlyKeys keeps the attribute definitions the keys of in (with its overrides) use.
func onlyKeys(in *ddb.CreateTableInput) []ddb.AttributeDefinition {
	used := map[string]bool{}
	mark := func(ks []ddb.KeySchemaElement) {
		for _, k := range ks {
			used[*k.AttributeName] = true
		}
	}
	mark(in.KeySchema)
	for _, g := range in.GlobalSecondaryIndexes {
		mark(g.KeySchema)
	}
	for _, l := range in.LocalSecondaryIndexes {
		mark(l.KeySchema)
	}
	var out []ddb.AttributeDefinition
	for _, d := range in.AttributeDefinitions {
		if used[*d.AttributeName] {
			out = append(out, d)
		}
	}
	return out
}

func copySSE(sse *sseRecord) *sseRecord {
	if sse == nil {
		return nil
	}
	out := *sse
	out.Status = ddb.SSEStatusEnabled
	return &out
}

func applyOverrides(in *ddb.CreateTableInput, o overrides) {
	if o.billing != nil {
		in.BillingMode = o.billing
		if *o.billing == ddb.BillingModePayPerRequest {
			in.ProvisionedThroughput = nil
			for i := range in.GlobalSecondaryIndexes {
				in.GlobalSecondaryIndexes[i].ProvisionedThroughput = nil
			}
		}
	}
	if o.pt != nil {
		in.ProvisionedThroughput = o.pt
	}
	if o.gsis != nil {
		in.GlobalSecondaryIndexes = o.gsis
	}
	if o.lsis != nil {
		in.LocalSecondaryIndexes = o.lsis
	}
}

func globalIndexesOf(rec *tableRecord) []ddb.GlobalSecondaryIndex {
	var out []ddb.GlobalSecondaryIndex
	for i := range rec.GSIs {
		idx := &rec.GSIs[i]
		g := ddb.GlobalSecondaryIndex{IndexName: new(idx.Name), KeySchema: keySchemaOf(idx.Hash, idx.Range), Projection: projectionOf(idx)}
		if rec.Billing == ddb.BillingModeProvisioned {
			g.ProvisionedThroughput = &ddb.ProvisionedThroughput{ReadCapacityUnits: new(idx.Read), WriteCapacityUnits: new(idx.Write)}
		}
		out = append(out, g)
	}
	return out
}

func localIndexesOf(rec *tableRecord) []ddb.LocalSecondaryIndex {
	var out []ddb.LocalSecondaryIndex
	for i := range rec.LSIs {
		idx := &rec.LSIs[i]
		out = append(out, ddb.LocalSecondaryIndex{IndexName: new(idx.Name), KeySchema: keySchemaOf(idx.Hash, idx.Range), Projection: projectionOf(idx)})
	}
	return out
}

// fillRestored loads items into a restored table (in CREATING, RestoreInProgress, until
// the settle job) and stores it. blobs calls its argument with each sealed item.
func (s *Service) fillRestored(tx kit.Tx, v kit.View, rec *tableRecord, summary *restoreRecord, blobs func(load func(pp, sp string, blob []byte) error) error) error {
	rec.Restore = summary
	tc, err := s.openRecord(tx, v, rec)
	if err != nil {
		return err
	}
	if err := blobs(tc.load); err != nil {
		return err
	}
	if err := tc.flush(); err != nil {
		return err
	}
	if err := s.settleLater(tx, v, rec); err != nil {
		return err
	}
	return tables.Put(v, rec, rec.Name)
}

// restoreSummary is the RestoreSummary of a table restored now.
func restoreSummary(backupARN, tableARN string, at time.Time) *restoreRecord {
	return &restoreRecord{SourceBackupARN: backupARN, SourceTableARN: tableARN, Time: at, InProgress: true}
}
