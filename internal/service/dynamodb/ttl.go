package dynamodb

import (
	"context"
	"time"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/kit"
)

// ttlSweepEvery is how often expired items are deleted. DynamoDB deletes them "within a
// few days" of expiry, typically within 48 hours; a sweep every six hours on the clock
// is as prompt as users see it.
const ttlSweepEvery = 6 * time.Hour

func (s *Service) UpdateTimeToLive(ctx context.Context, in *ddb.UpdateTimeToLiveInput) (*ddb.UpdateTimeToLiveOutput, error) {
	c := s.Call(ctx)
	spec := in.TimeToLiveSpecification
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.UpdateTimeToLiveOutput, error) {
		v := c.In(tx)
		rec, err := findTable(c, v, *in.TableName)
		if err != nil {
			return nil, err
		}
		change := ttlChange{Attr: *spec.AttributeName, Enabled: *spec.Enabled}
		if err := changeTTL(rec, change.Enabled, change.Attr); err != nil {
			return nil, err
		}
		if err := s.armTTL(tx, v, rec, s.After(), ttlSettle); err != nil {
			return nil, err
		}
		if err := s.spreadTTL(tx, v, rec, change); err != nil {
			return nil, err
		}
		return &ddb.UpdateTimeToLiveOutput{TimeToLiveSpecification: spec}, tables.Put(v, rec, rec.Name)
	})
}

// armTTL replaces the table's pending TTL job with one that does step at at.
func (s *Service) armTTL(tx kit.Tx, v kit.View, rec *tableRecord, at time.Time, step string) error {
	if err := tx.CancelJobs(rec.TTL.Job); err != nil {
		return err
	}
	id, err := jobTTL.Enqueue(tx, at, ttlPayload{tableRef: refOf(v, rec), Step: step})
	rec.TTL.Job = id
	return err
}

// spreadTTL sends a TTL change to every replica of a global table: DynamoDB keeps the
// replicas' TTL settings aligned, whichever Region the change was made in. Each change
// travels in the replica's replication queue, so it waits, like the items, while the
// Region is unreachable, and lands after the replica exists.
func (s *Service) spreadTTL(tx kit.Tx, v kit.View, rec *tableRecord, change ttlChange) error {
	for _, r := range rec.Replicas {
		if r.Status != ddb.ReplicaStatusActive && r.Status != ddb.ReplicaStatusCreating {
			continue
		}
		p := replicaPayload{Account: v.Account(), Table: rec.Name, Source: v.Region(), Replica: r.Region, Step: replicaTTL, TTL: &change}
		if _, err := jobReplicate.Enqueue(tx, s.After(), p); err != nil {
			return err
		}
	}
	return nil
}

// replicateTTL gives a replica the TTL change made in the source Region; it then settles
// on the replica's own clock, as the change did where it was made. When changes made in
// two Regions cross, the one that arrives last wins, as for items.
func (s *Service) replicateTTL(tx kit.Tx, p replicaPayload) error {
	v := tx.In(p.Account, p.Replica)
	rec, err := tables.Get(v, p.Table)
	if err != nil || rec == nil || rec.replica(p.Source) == nil || p.TTL == nil {
		return err
	}
	if !adoptTTL(rec, *p.TTL) {
		return nil
	}
	if err := s.armTTL(tx, v, rec, s.After(), ttlSettle); err != nil {
		return err
	}
	return tables.Put(v, rec, rec.Name)
}

// adoptTTL moves a replica's TTL towards the change, unless it is already there or on
// its way; it reports whether it changed anything.
func adoptTTL(rec *tableRecord, change ttlChange) bool {
	cur := rec.TTL
	if cur == nil {
		cur = &ttlRecord{Status: ddb.TimeToLiveStatusDisabled}
	}
	on := cur.Status == ddb.TimeToLiveStatusEnabled || cur.Status == ddb.TimeToLiveStatusEnabling
	if on == change.Enabled && (!on || cur.Attr == change.Attr) {
		return false
	}
	next := &ttlRecord{Attr: change.Attr, Status: ddb.TimeToLiveStatusDisabling, Job: cur.Job}
	if change.Enabled {
		next.Status = ddb.TimeToLiveStatusEnabling
	}
	rec.TTL = next
	return true
}

// armReplicaTTL starts the TTL work of a new replica, whose setting it copied from the
// source: the end of a change in progress, or the sweeps of an enabled TTL.
func (s *Service) armReplicaTTL(tx kit.Tx, v kit.View, rec *tableRecord) error {
	switch {
	case rec.TTL == nil || rec.TTL.Status == ddb.TimeToLiveStatusDisabled:
		return nil
	case rec.TTL.Status == ddb.TimeToLiveStatusEnabled:
		return s.armTTL(tx, v, rec, s.Clock.Now().Add(ttlSweepEvery), ttlSweep)
	}
	return s.armTTL(tx, v, rec, s.After(), ttlSettle)
}

// changeTTL applies an UpdateTimeToLive to the record, refusing what DynamoDB refuses:
// enabling what is enabled, disabling what is disabled, a change while the last one is
// still in progress.
func changeTTL(rec *tableRecord, enable bool, name string) error {
	cur := rec.TTL
	if cur == nil {
		cur = &ttlRecord{Status: ddb.TimeToLiveStatusDisabled}
	}
	switch {
	case cur.Status == ddb.TimeToLiveStatusEnabling || cur.Status == ddb.TimeToLiveStatusDisabling:
		return msgTTLChanging.New()
	case enable && cur.Status == ddb.TimeToLiveStatusEnabled:
		if cur.Attr != name {
			return msgTTLAttribute.New(cur.Attr)
		}
		return msgTTLAlready.New(wordEnabled)
	case !enable && cur.Status == ddb.TimeToLiveStatusDisabled:
		return msgTTLAlready.New(wordDisabled)
	}
	next := &ttlRecord{Attr: name, Status: ddb.TimeToLiveStatusDisabling, Job: cur.Job}
	if enable {
		next.Status = ddb.TimeToLiveStatusEnabling
	}
	rec.TTL = next
	return nil
}

func (s *Service) DescribeTimeToLive(ctx context.Context, in *ddb.DescribeTimeToLiveInput) (*ddb.DescribeTimeToLiveOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.DescribeTimeToLiveOutput, error) {
		rec, err := findTable(c, c.In(tx), *in.TableName)
		if err != nil {
			return nil, err
		}
		d := &ddb.TimeToLiveDescription{TimeToLiveStatus: new(ddb.TimeToLiveStatusDisabled)}
		if rec.TTL != nil {
			d.TimeToLiveStatus = new(rec.TTL.Status)
			if rec.TTL.Status != ddb.TimeToLiveStatusDisabled {
				d.AttributeName = new(rec.TTL.Attr)
			}
		}
		return &ddb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
	})
}

// runTTL ends an ENABLING or DISABLING, or sweeps expired items and arms the next sweep.
func (s *Service) runTTL(_ context.Context, tx kit.Tx, job *jobs.Job, p ttlPayload) error {
	v := tx.In(p.Account, p.Region)
	rec, err := tables.Get(v, p.Table)
	if err != nil || rec == nil || rec.ID != p.ID || rec.TTL == nil || rec.Status == ddb.TableStatusDeleting {
		return err
	}
	switch rec.TTL.Status {
	case ddb.TimeToLiveStatusDisabling:
		rec.TTL.Status, rec.TTL.Job = ddb.TimeToLiveStatusDisabled, ""
		return tables.Put(v, rec, rec.Name)
	case ddb.TimeToLiveStatusEnabling:
		rec.TTL.Status = ddb.TimeToLiveStatusEnabled
	case ddb.TimeToLiveStatusEnabled:
		if err := s.expire(tx, v, rec, job.RunAt); err != nil {
			return err
		}
	default:
		return nil
	}
	rec.TTL.Job, err = jobTTL.Enqueue(tx, job.RunAt.Add(ttlSweepEvery), ttlPayload{tableRef: p.tableRef, Step: ttlSweep})
	if err != nil {
		return err
	}
	return tables.Put(v, rec, rec.Name)
}

// expire deletes the items whose TTL attribute, a number of epoch seconds, lies before
// now. Items without it, or with another type, never expire.
//
// In a global table, TTL deletes are replicated: an expired item is deleted by one
// Region, and the others receive that deletion as a replicated delete, like any other.
// The Region that deletes is the one that wrote the item's current version (or any,
// when that Region has left the group), so that one expiry makes one deletion. The
// choice has a consequence users can see: while the writing Region is unreachable, an
// expired item it wrote lingers in the others until it returns — which DynamoDB allows,
// since TTL deletes only "within a few days".
func (s *Service) expire(tx kit.Tx, v kit.View, rec *tableRecord, now time.Time) error {
	if !usable(rec.Status) {
		return nil
	}
	tc, err := s.openRecord(tx, v, rec)
	if err != nil {
		return err
	}
	cutoff := attr.MustNumber(itoa64(now.Unix()))
	var gone []attr.Item
	err = tc.scanAll(func(_, _ string, e envelope, item attr.Item) error {
		if !expiresHere(v, rec, e) {
			return nil
		}
		if t, ok := item[rec.TTL.Attr]; ok && t.N != nil && attr.CompareNumbers(attr.MustNumber(*t.N), cutoff) < 0 {
			gone = append(gone, item)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, item := range gone {
		if err := tc.apply(rec.keyOf(item), item, nil); err != nil {
			return err
		}
	}
	return tc.flush()
}

// expiresHere tells whether this Region is the one to delete an expired item: the
// Region that wrote it, or this one when the writer is no longer in the group.
func expiresHere(v kit.View, rec *tableRecord, e envelope) bool {
	return e.Origin == v.Region() || e.Origin == "" || rec.replica(e.Origin) == nil
}
