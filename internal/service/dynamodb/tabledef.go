package dynamodb

import (
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
)

// Per-table limits DynamoDB enforces.
const (
	maxGSIs = 20
	maxLSIs = 5
	maxTags = 50
)

// tableDefinition turns CreateTable's key schema, attribute definitions, indexes and
// billing into a record, with DynamoDB's validation errors. SSE, streams and tags are
// the caller's.
func tableDefinition(in *ddb.CreateTableInput) (*tableRecord, error) {
	rec := &tableRecord{Name: *in.TableName, Billing: ddb.BillingModeProvisioned}
	if in.BillingMode != nil {
		rec.Billing, rec.BillingSet = *in.BillingMode, true
	}
	if err := definitions(rec, in.AttributeDefinitions); err != nil {
		return nil, err
	}
	hash, rng, err := keySchema(in.KeySchema)
	if err != nil {
		return nil, err
	}
	rec.Hash, rec.Range = keyAttr{Name: hash}, nil
	if rng != "" {
		rec.Range = &keyAttr{Name: rng}
	}
	if err := throughput(rec.Billing, in.ProvisionedThroughput, &rec.Read, &rec.Write, msgNeedThroughput, msgNoThroughput); err != nil {
		return nil, err
	}
	if err := indexDefinitions(rec, in); err != nil {
		return nil, err
	}
	return rec, resolveTypes(rec)
}

func definitions(rec *tableRecord, defs []ddb.AttributeDefinition) error {
	seen := map[string]bool{}
	for _, d := range defs {
		if seen[*d.AttributeName] {
			return msgDuplicateDef.New(*d.AttributeName)
		}
		seen[*d.AttributeName] = true
		rec.Attrs = append(rec.Attrs, keyAttr{Name: *d.AttributeName, Type: *d.AttributeType})
	}
	return nil
}

// keySchema reads a key schema: a HASH element, then an optional RANGE one.
func keySchema(ks []ddb.KeySchemaElement) (hash, rng string, err error) {
	if len(ks) > 2 {
		return "", "", msgKeySchemaSize.New(showKeySchema(ks))
	}
	if *ks[0].KeyType != ddb.KeyTypeHash {
		return "", "", msgHashNotFirst.New()
	}
	hash = *ks[0].AttributeName
	if len(ks) == 2 {
		if *ks[1].KeyType != ddb.KeyTypeRange {
			return "", "", msgRangeNotSecond.New()
		}
		rng = *ks[1].AttributeName
		if rng == hash {
			return "", "", msgSameKeyTwice.New()
		}
	}
	return hash, rng, nil
}

func showKeySchema(ks []ddb.KeySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = "KeySchemaElement(attributeName=" + *k.AttributeName + ", keyType=" + *k.KeyType + ")"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// throughput applies a billing mode's rule on provisioned throughput: required (both
// units) when PROVISIONED, refused when PAY_PER_REQUEST.
func throughput(billing string, pt *ddb.ProvisionedThroughput, read, write *int64, need, refuse awserr.Message, args ...any) error {
	if billing == ddb.BillingModePayPerRequest {
		if pt != nil {
			return refuse.New(args...)
		}
		*read, *write = 0, 0
		return nil
	}
	if pt == nil {
		return need.New(args...)
	}
	*read, *write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	return nil
}

func indexDefinitions(rec *tableRecord, in *ddb.CreateTableInput) error {
	if len(in.GlobalSecondaryIndexes) > maxGSIs {
		return msgTooManyIndexes.New(paramGSIs, maxGSIs)
	}
	if len(in.LocalSecondaryIndexes) > maxLSIs {
		return msgTooManyIndexes.New(paramLSIs, maxLSIs)
	}
	names := map[string]bool{}
	for _, g := range in.GlobalSecondaryIndexes {
		idx, err := globalIndex(rec.Billing, g)
		if err != nil {
			return err
		}
		if names[idx.Name] {
			return msgDuplicateIndex.New(idx.Name)
		}
		names[idx.Name] = true
		rec.GSIs = append(rec.GSIs, idx)
	}
	for _, l := range in.LocalSecondaryIndexes {
		idx, err := localIndex(rec, l)
		if err != nil {
			return err
		}
		if names[idx.Name] {
			return msgDuplicateIndex.New(idx.Name)
		}
		names[idx.Name] = true
		rec.LSIs = append(rec.LSIs, idx)
	}
	return nil
}

func globalIndex(billing string, g ddb.GlobalSecondaryIndex) (indexRecord, error) {
	idx := indexRecord{Name: *g.IndexName, Status: ddb.IndexStatusActive}
	hash, rng, err := keySchema(g.KeySchema)
	if err != nil {
		return idx, err
	}
	idx.Hash = keyAttr{Name: hash}
	if rng != "" {
		idx.Range = &keyAttr{Name: rng}
	}
	if err := indexProjection(&idx, g.Projection); err != nil {
		return idx, err
	}
	err = throughput(billing, g.ProvisionedThroughput, &idx.Read, &idx.Write, msgIndexThroughput, msgIndexNoThroughput, idx.Name)
	return idx, err
}

func localIndex(rec *tableRecord, l ddb.LocalSecondaryIndex) (indexRecord, error) {
	idx := indexRecord{Name: *l.IndexName, Status: ddb.IndexStatusActive}
	if rec.Range == nil {
		return idx, msgLSINeedsRange.New()
	}
	hash, rng, err := keySchema(l.KeySchema)
	if err != nil {
		return idx, err
	}
	if hash != rec.Hash.Name {
		return idx, msgLSIHash.New(idx.Name, hash, rec.Hash.Name)
	}
	if rng == "" {
		return idx, msgLSIRange.New(idx.Name)
	}
	idx.Hash, idx.Range = keyAttr{Name: hash}, &keyAttr{Name: rng}
	return idx, indexProjection(&idx, l.Projection)
}

func indexProjection(idx *indexRecord, p *ddb.Projection) error {
	idx.Projection = ddb.ProjectionTypeAll
	if p == nil {
		return nil
	}
	if p.ProjectionType != nil {
		idx.Projection = *p.ProjectionType
	}
	switch {
	case idx.Projection != ddb.ProjectionTypeInclude && len(p.NonKeyAttributes) > 0:
		return msgProjection.New(idx.Projection)
	case idx.Projection == ddb.ProjectionTypeInclude && len(p.NonKeyAttributes) == 0:
		return msgNoNonKey.New()
	}
	idx.NonKey = p.NonKeyAttributes
	return nil
}

// resolveTypes gives every key attribute (of the table and its indexes) its type from
// the attribute definitions, which must define exactly the key attributes.
func resolveTypes(rec *tableRecord) error {
	used := []*keyAttr{&rec.Hash}
	if rec.Range != nil {
		used = append(used, rec.Range)
	}
	for i := range rec.GSIs {
		used = append(used, indexKeys(&rec.GSIs[i])...)
	}
	for i := range rec.LSIs {
		used = append(used, indexKeys(&rec.LSIs[i])...)
	}
	var missing []string
	names := map[string]bool{}
	for _, k := range used {
		k.Type = rec.attrType(k.Name)
		if k.Type == "" && !slices.Contains(missing, k.Name) {
			missing = append(missing, k.Name)
		}
		names[k.Name] = true
	}
	if len(missing) > 0 {
		return msgKeyUndefined.New(strings.Join(missing, ", "), attrNames(rec.Attrs))
	}
	if len(names) != len(rec.Attrs) {
		return msgUnusedDefinitions.New()
	}
	return nil
}

func indexKeys(idx *indexRecord) []*keyAttr {
	if idx.Range == nil {
		return []*keyAttr{&idx.Hash}
	}
	return []*keyAttr{&idx.Hash, idx.Range}
}

func attrNames(attrs []keyAttr) string {
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}
