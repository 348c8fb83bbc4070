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

func (s *Service) updateTimeToLive(ctx context.Context, in *ddb.UpdateTimeToLiveInput) (*ddb.UpdateTimeToLiveOutput, error) {
	c := s.Call(ctx)
	spec := in.TimeToLiveSpecification
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.UpdateTimeToLiveOutput, error) {
		v := c.In(tx)
		rec, err := findTable(c, v, *in.TableName)
		if err != nil {
			return nil, err
		}
		if err := changeTTL(rec, *spec.Enabled, *spec.AttributeName); err != nil {
			return nil, err
		}
		if err := tx.CancelJobs(rec.TTL.Job); err != nil {
			return nil, err
		}
		rec.TTL.Job, err = jobTTL.Enqueue(tx, s.After(), ttlPayload{tableRef: refOf(v, rec), Step: ttlSettle})
		if err != nil {
			return nil, err
		}
		return &ddb.UpdateTimeToLiveOutput{TimeToLiveSpecification: spec}, tables.Put(v, rec, rec.Name)
	})
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

func (s *Service) describeTimeToLive(ctx context.Context, in *ddb.DescribeTimeToLiveInput) (*ddb.DescribeTimeToLiveOutput, error) {
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
// now. Items without it, or with another type, never expire. A global table's replicas
// learn of the deletions like any others.
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
	err = tc.scanAll(func(_, _ string, _ envelope, item attr.Item) error {
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
