package dynamodb

import (
	"context"
	"time"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/kit"
)

func (s *Service) UpdateTable(ctx context.Context, in *ddb.UpdateTableInput) (*ddb.UpdateTableOutput, error) {
	c := s.Call(ctx)
	if nothingToUpdate(in) {
		return nil, msgNothingToUpdate.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.UpdateTableOutput, error) {
		v := c.In(tx)
		rec, err := findTable(c, v, *in.TableName)
		if err != nil {
			return nil, err
		}
		if rec.Status != ddb.TableStatusActive {
			return nil, msgTableBusy.New(busyWord(rec.Status), rec.Name)
		}
		transition, err := s.changeTable(tx, v, rec, in)
		if err != nil {
			return nil, err
		}
		if transition {
			rec.Status = ddb.TableStatusUpdating
			if err := s.settleLater(tx, v, rec); err != nil {
				return nil, err
			}
		}
		if err := tables.Put(v, rec, rec.Name); err != nil {
			return nil, err
		}
		return &ddb.UpdateTableOutput{TableDescription: describe(v, rec)}, nil
	})
}

func nothingToUpdate(in *ddb.UpdateTableInput) bool {
	return in.BillingMode == nil && in.ProvisionedThroughput == nil && in.GlobalSecondaryIndexUpdates == nil &&
		in.StreamSpecification == nil && in.SSESpecification == nil && in.ReplicaUpdates == nil &&
		in.TableClass == nil && in.DeletionProtectionEnabled == nil && in.OnDemandThroughput == nil &&
		in.WarmThroughput == nil
}

func busyWord(status string) string {
	switch status {
	case ddb.TableStatusCreating:
		return "created"
	case ddb.TableStatusDeleting:
		return "deleted"
	}
	return "updated"
}

// changeTable applies UpdateTable's changes to rec and reports whether the table goes
// through UPDATING (deletion protection alone changes at once).
func (s *Service) changeTable(tx kit.Tx, v kit.View, rec *tableRecord, in *ddb.UpdateTableInput) (bool, error) {
	now := s.Clock.Now()
	if in.DeletionProtectionEnabled != nil {
		rec.DeletionProtection = *in.DeletionProtectionEnabled
	}
	transition := false
	steps := []func() (bool, error){
		func() (bool, error) { return changeBilling(rec, in, now) },
		func() (bool, error) { return changeStream(rec, in.StreamSpecification, now) },
		func() (bool, error) { return s.changeSSE(tx, v, rec, in.SSESpecification) },
		func() (bool, error) { return changeClass(rec, in.TableClass, now) },
		func() (bool, error) { return s.changeIndexes(tx, v, rec, in) },
		func() (bool, error) { return s.changeReplicas(tx, v, rec, in.ReplicaUpdates) },
	}
	for _, step := range steps {
		changed, err := step()
		if err != nil {
			return false, err
		}
		transition = transition || changed
	}
	return transition, nil
}

func changeBilling(rec *tableRecord, in *ddb.UpdateTableInput, now time.Time) (bool, error) {
	if in.BillingMode == nil && in.ProvisionedThroughput == nil {
		return false, nil
	}
	billing := rec.Billing
	if in.BillingMode != nil {
		billing = *in.BillingMode
	}
	if billing == ddb.BillingModePayPerRequest && in.ProvisionedThroughput != nil {
		return false, msgNoThroughput.New()
	}
	if billing == ddb.BillingModeProvisioned && rec.Billing != billing && in.ProvisionedThroughput == nil {
		return false, msgNeedThroughput.New()
	}
	if billing == ddb.BillingModePayPerRequest && rec.Billing != billing {
		rec.ToOnDemand = new(now)
		rec.Read, rec.Write = 0, 0
		for i := range rec.GSIs {
			rec.GSIs[i].Read, rec.GSIs[i].Write = 0, 0
		}
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		if *pt.ReadCapacityUnits+*pt.WriteCapacityUnits > rec.Read+rec.Write {
			rec.Increased = new(now)
		} else {
			rec.Decreased = new(now)
		}
		rec.Read, rec.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	}
	rec.BillingSet = rec.BillingSet || rec.Billing != billing
	rec.Billing = billing
	return true, nil
}

func changeStream(rec *tableRecord, spec *ddb.StreamSpecification, now time.Time) (bool, error) {
	if spec == nil {
		return false, nil
	}
	st, err := streamOf(spec)
	if err != nil {
		return false, err
	}
	enabled := rec.Stream != nil && rec.Stream.Enabled
	switch {
	case st != nil && enabled:
		return false, msgStreamAlready.New(rec.Name)
	case st == nil && !enabled:
		return false, msgStreamNone.New()
	case st == nil && rec.global():
		return false, msgStreamReplicas.New()
	case st == nil:
		rec.Stream.Enabled, rec.Stream.ViewType = false, ""
		return true, nil
	}
	st.Label = now.UTC().Format(textStreamLabelFormat)
	rec.Stream = st
	return true, nil
}

func (s *Service) changeSSE(tx kit.Tx, v kit.View, rec *tableRecord, spec *ddb.SSESpecification) (bool, error) {
	if spec == nil {
		return false, nil
	}
	ch, err := sseOf(spec)
	if err != nil {
		return false, err
	}
	sse, err := s.resolveSSE(tx, v, ch)
	if err != nil {
		return false, err
	}
	if sse != nil && rec.SSE != nil && sse.KeyARN == rec.SSE.KeyARN || sse == nil && rec.SSE == nil {
		return false, nil
	}
	if sse != nil {
		sse.Status = ddb.SSEStatusUpdating
	}
	return true, s.rewrap(tx, v, rec, sse)
}

func changeClass(rec *tableRecord, class *string, now time.Time) (bool, error) {
	if class == nil || *class == rec.TableClass || rec.TableClass == "" && *class == ddb.TableClassStandard {
		return false, nil
	}
	rec.TableClass, rec.ClassChanged = *class, new(now)
	return true, nil
}

// changeIndexes applies GlobalSecondaryIndexUpdates: a new index is filled from the
// table's items at once and shows CREATING until the table settles; a deleted one goes
// with its entries.
func (s *Service) changeIndexes(tx kit.Tx, v kit.View, rec *tableRecord, in *ddb.UpdateTableInput) (bool, error) {
	if len(in.GlobalSecondaryIndexUpdates) == 0 {
		return false, nil
	}
	seen := map[string]bool{}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		name := indexUpdateName(u)
		if seen[name] {
			return false, msgOneIndexUpdate.New(name)
		}
		seen[name] = true
		if err := s.changeIndex(tx, v, rec, u, in.AttributeDefinitions); err != nil {
			return false, err
		}
	}
	return true, nil
}

func indexUpdateName(u ddb.GlobalSecondaryIndexUpdate) string {
	switch {
	case u.Create != nil:
		return *u.Create.IndexName
	case u.Update != nil:
		return *u.Update.IndexName
	case u.Delete != nil:
		return *u.Delete.IndexName
	}
	return ""
}

func (s *Service) changeIndex(tx kit.Tx, v kit.View, rec *tableRecord, u ddb.GlobalSecondaryIndexUpdate, defs []ddb.AttributeDefinition) error {
	switch {
	case u.Create != nil:
		return s.createIndex(tx, v, rec, u.Create, defs)
	case u.Update != nil:
		idx, global := rec.index(*u.Update.IndexName)
		if idx == nil || !global {
			return msgIndexMissing.New(*u.Update.IndexName)
		}
		return throughput(rec.Billing, u.Update.ProvisionedThroughput, &idx.Read, &idx.Write, msgIndexThroughput, msgIndexNoThroughput, idx.Name)
	case u.Delete != nil:
		idx, global := rec.index(*u.Delete.IndexName)
		if idx == nil || !global {
			return msgIndexMissing.New(*u.Delete.IndexName)
		}
		if err := indexEntries.RemoveAll(v, rec.ID, idx.Name); err != nil {
			return err
		}
		rec.GSIs = deleteIndex(rec.GSIs, idx.Name)
		rec.Attrs = usedDefinitions(rec)
	}
	return nil
}

func deleteIndex(list []indexRecord, name string) []indexRecord {
	out := list[:0]
	for _, idx := range list {
		if idx.Name != name {
			out = append(out, idx)
		}
	}
	return out
}

// usedDefinitions drops the attribute definitions no key uses any more.
func usedDefinitions(rec *tableRecord) []keyAttr {
	used := map[string]bool{rec.Hash.Name: true}
	if rec.Range != nil {
		used[rec.Range.Name] = true
	}
	for _, idx := range rec.indexes() {
		for _, k := range indexKeys(&idx) {
			used[k.Name] = true
		}
	}
	var out []keyAttr
	for _, a := range rec.Attrs {
		if used[a.Name] {
			out = append(out, a)
		}
	}
	return out
}

func (s *Service) createIndex(tx kit.Tx, v kit.View, rec *tableRecord, cr *ddb.CreateGlobalSecondaryIndexAction, defs []ddb.AttributeDefinition) error {
	if idx, _ := rec.index(*cr.IndexName); idx != nil {
		return msgIndexExists.New(*cr.IndexName)
	}
	if len(rec.GSIs) >= maxGSIs {
		return msgTooManyIndexes.New(paramGSIs, maxGSIs)
	}
	idx, err := globalIndex(rec.Billing, ddb.GlobalSecondaryIndex{IndexName: cr.IndexName, KeySchema: cr.KeySchema, Projection: cr.Projection, ProvisionedThroughput: cr.ProvisionedThroughput})
	if err != nil {
		return err
	}
	for _, d := range defs {
		if rec.attrType(*d.AttributeName) == "" {
			rec.Attrs = append(rec.Attrs, keyAttr{Name: *d.AttributeName, Type: *d.AttributeType})
		}
	}
	idx.Status = ddb.IndexStatusCreating
	rec.GSIs = append(rec.GSIs, idx)
	if err := resolveTypes(rec); err != nil {
		return err
	}
	return s.backfill(tx, v, rec, &rec.GSIs[len(rec.GSIs)-1])
}

// backfill indexes the table's items in a new index.
func (s *Service) backfill(tx kit.Tx, v kit.View, rec *tableRecord, idx *indexRecord) error {
	tc, err := s.openRecord(tx, v, rec)
	if err != nil {
		return err
	}
	var entries [][3]string
	err = tc.scanAll(func(pp, sp string, _ envelope, item attr.Item) error {
		if ip, ok := tc.indexPosition(idx, item); ok {
			entries = append(entries, [3]string{ip, pp, sp})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := indexEntries.Add(v, rec.ID, idx.Name, e[0], e[1], e[2]); err != nil {
			return err
		}
	}
	return nil
}
