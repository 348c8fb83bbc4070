package dynamodb

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/arn"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// Point-in-time recovery keeps every write of the recovery period (35 days unless
// RecoveryPeriodInDays says less) in the table's history: hist/<id>/<pp>/<sp>/<stamp>,
// the sealed item or deletion under the stamp of the write on the engine's clock.
// Enabling it writes a baseline entry for every item, so that the history alone knows
// the whole table from then on. A daily job prunes what lies before the window, keeping
// for each item the last entry before it (the item as the window opens). A restore to
// time T takes, for each item, its last entry at or before T.
//
// DynamoDB's latest restorable time lags about five minutes behind the present because
// its backups stream asynchronously; here every write reaches the history when it
// commits, so the latest restorable time is now.

const (
	defaultRecoveryDays = 35
	pruneEvery          = 24 * time.Hour
)

func (s *Service) UpdateContinuousBackups(ctx context.Context, in *ddb.UpdateContinuousBackupsInput) (*ddb.UpdateContinuousBackupsOutput, error) {
	c := s.Call(ctx)
	spec := in.PointInTimeRecoverySpecification
	days := defaultRecoveryDays
	if spec.RecoveryPeriodInDays != nil {
		if *spec.RecoveryPeriodInDays < 1 || *spec.RecoveryPeriodInDays > defaultRecoveryDays {
			return nil, msgRecoveryPeriod.New()
		}
		days = int(*spec.RecoveryPeriodInDays)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.UpdateContinuousBackupsOutput, error) {
		v := c.In(tx)
		name, _ := tableName(c, *in.TableName)
		rec, err := tables.Get(v, name)
		if err != nil {
			return nil, err
		}
		if rec == nil || rec.Status == ddb.TableStatusDeleting {
			return nil, msgTableNotFoundB.New(name)
		}
		if *spec.PointInTimeRecoveryEnabled {
			err = s.enablePITR(tx, v, rec, days)
		} else {
			err = disablePITR(tx, v, rec)
		}
		if err != nil {
			return nil, err
		}
		if err := tables.Put(v, rec, rec.Name); err != nil {
			return nil, err
		}
		return &ddb.UpdateContinuousBackupsOutput{ContinuousBackupsDescription: continuousBackups(rec, s.Clock.Now())}, nil
	})
}

// enablePITR turns point-in-time recovery on, from now, with a baseline of every item;
// on a table where it is on, it only changes the recovery period.
func (s *Service) enablePITR(tx kit.Tx, v kit.View, rec *tableRecord, days int) error {
	if rec.PITR != nil && rec.PITR.Enabled {
		rec.PITR.Days = days
		return nil
	}
	tc, err := s.openRecord(tx, v, rec)
	if err != nil {
		return err
	}
	st := tc.nextStamp()
	rec.PITR = &pitrRecord{Enabled: true, Since: time.Unix(0, st).UTC(), Days: days}
	err = copyBlobs(v, items, []string{rec.ID}, func(id []string, blob []byte) error {
		return history.Put(v, blob, rec.ID, id[0], id[1], stampKey(st))
	})
	if err != nil {
		return err
	}
	if rec.PITR.Job, err = jobPrune.Enqueue(tx, tc.now.Add(pruneEvery), refOf(v, rec)); err != nil {
		return err
	}
	return tc.flush()
}

// disablePITR turns it off; the history goes, as DynamoDB's restore window does.
func disablePITR(tx kit.Tx, v kit.View, rec *tableRecord) error {
	if rec.PITR == nil || !rec.PITR.Enabled {
		return nil
	}
	if err := tx.CancelJobs(rec.PITR.Job); err != nil {
		return err
	}
	rec.PITR = &pitrRecord{Enabled: false}
	return history.DeleteAll(v, rec.ID)
}

func (s *Service) DescribeContinuousBackups(ctx context.Context, in *ddb.DescribeContinuousBackupsInput) (*ddb.DescribeContinuousBackupsOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.DescribeContinuousBackupsOutput, error) {
		name, _ := tableName(c, *in.TableName)
		rec, err := tables.Get(c.In(tx), name)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, msgTableNotFoundB.New(name)
		}
		return &ddb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: continuousBackups(rec, c.Now())}, nil
	})
}

// restoreWindow is the span a table can be restored to now.
func restoreWindow(p *pitrRecord, now time.Time) (time.Time, time.Time) {
	days := p.Days
	if days == 0 {
		days = defaultRecoveryDays
	}
	earliest := now.Add(-time.Duration(days) * 24 * time.Hour)
	if p.Since.After(earliest) {
		earliest = p.Since
	}
	return earliest, now
}

func continuousBackups(rec *tableRecord, now time.Time) *ddb.ContinuousBackupsDescription {
	d := &ddb.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: new(ddb.PointInTimeRecoveryStatusDisabled)}
	if p := rec.PITR; p != nil && p.Enabled {
		earliest, latest := restoreWindow(p, now)
		days := int64(p.Days)
		if days == 0 {
			days = defaultRecoveryDays
		}
		d = &ddb.PointInTimeRecoveryDescription{
			PointInTimeRecoveryStatus: new(ddb.PointInTimeRecoveryStatusEnabled), RecoveryPeriodInDays: new(days),
			EarliestRestorableDateTime: new(earliest), LatestRestorableDateTime: new(latest),
		}
	}
	return &ddb.ContinuousBackupsDescription{ContinuousBackupsStatus: new(ddb.ContinuousBackupsStatusEnabled), PointInTimeRecoveryDescription: d}
}

func (s *Service) RestoreTableToPointInTime(ctx context.Context, in *ddb.RestoreTableToPointInTimeInput) (*ddb.RestoreTableToPointInTimeOutput, error) {
	c := s.Call(ctx)
	source, err := pitrSource(c, in)
	if err != nil {
		return nil, err
	}
	o := overrides{billing: in.BillingModeOverride, pt: in.ProvisionedThroughputOverride, gsis: in.GlobalSecondaryIndexOverride,
		lsis: in.LocalSecondaryIndexOverride, sse: in.SSESpecificationOverride}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.RestoreTableToPointInTimeOutput, error) {
		v := c.In(tx)
		src, err := tables.Get(v, source)
		if err != nil {
			return nil, err
		}
		if src == nil || src.Status == ddb.TableStatusDeleting {
			return nil, msgTableNotFoundB.New(source)
		}
		at, err := restoreTime(src, in, c.Now())
		if err != nil {
			return nil, err
		}
		if tables.Has(v, *in.TargetTableName) {
			return nil, msgTargetExists.New(*in.TargetTableName)
		}
		rec, err := s.restoredTable(tx, v, src, v.Account(), v.Region(), *in.TargetTableName, o)
		if err != nil {
			return nil, err
		}
		err = s.fillRestored(tx, v, rec, restoreSummary("", src.arn(v), at), func(load func(pp, sp string, blob []byte) error) error {
			return asOf(v, src.ID, at, load)
		})
		if err != nil {
			return nil, err
		}
		return &ddb.RestoreTableToPointInTimeOutput{TableDescription: describe(v, rec)}, nil
	})
}

// pitrSource is the source table a restore names, by name or ARN (exactly one).
func pitrSource(c kit.Call, in *ddb.RestoreTableToPointInTimeInput) (string, error) {
	switch {
	case in.SourceTableName != nil && in.SourceTableArn != nil:
		return "", msgRestoreSource.New()
	case in.SourceTableName != nil:
		return *in.SourceTableName, nil
	case in.SourceTableArn != nil:
		name, ok := tableName(c, *in.SourceTableArn)
		if !ok {
			a, _ := arn.Parse(*in.SourceTableArn)
			return "", msgTableNotFoundB.New(a.Resource)
		}
		return name, nil
	}
	return "", msgRestoreNoSource.New()
}

// restoreTime is the time a restore asks for, checked against the table's window.
func restoreTime(src *tableRecord, in *ddb.RestoreTableToPointInTimeInput, now time.Time) (time.Time, error) {
	if src.PITR == nil || !src.PITR.Enabled {
		return time.Time{}, msgPITRDisabled.New(src.Name)
	}
	latest := in.UseLatestRestorableTime != nil && *in.UseLatestRestorableTime
	switch {
	case latest && in.RestoreDateTime != nil:
		return time.Time{}, msgRestoreBoth.New()
	case !latest && in.RestoreDateTime == nil:
		return time.Time{}, msgRestoreNone.New()
	}
	earliest, last := restoreWindow(src.PITR, now)
	if latest {
		return last, nil
	}
	at := *in.RestoreDateTime
	// The wire carries times to the millisecond: a time in the millisecond that opens
	// the window, as DescribeContinuousBackups showed it, means the window's start.
	if at.Before(earliest) && !at.Before(earliest.Truncate(time.Millisecond)) {
		at = earliest
	}
	if at.Before(earliest) || at.After(last) {
		return time.Time{}, msgRestoreTime.New(at.UTC().Format(time.RFC3339Nano), earliest.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano))
	}
	return at, nil
}

// asOf calls load with each item of the table id as it was at time at: for each item,
// its last history entry at or before at (deletions are skipped by load).
func asOf(v kit.View, id string, at time.Time, load func(pp, sp string, blob []byte) error) error {
	limit := stampKey(at.UnixNano())
	var cur []string // the item being read: pp, sp
	var best []byte
	flush := func() error {
		if best == nil {
			return nil
		}
		b := best
		best = nil
		return load(cur[0], cur[1], b)
	}
	err := copyBlobs(v, history, []string{id}, func(key []string, blob []byte) error {
		if cur == nil || key[0] != cur[0] || key[1] != cur[1] {
			if err := flush(); err != nil {
				return err
			}
			cur = key[:2]
		}
		if key[2] <= limit {
			best = blob
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// runPrune drops the history before the recovery window, keeping for each item its
// last entry before the window (unless it is a deletion), and arms the next pruning.
func (s *Service) runPrune(_ context.Context, tx kit.Tx, job *jobs.Job, p tableRef) error {
	v := tx.In(p.Account, p.Region)
	rec, err := tables.Get(v, p.Table)
	if err != nil || rec == nil || rec.ID != p.ID || rec.PITR == nil || !rec.PITR.Enabled {
		return err
	}
	start, _ := restoreWindow(rec.PITR, job.RunAt)
	if err := prune(v, rec.ID, stampKey(start.UnixNano())); err != nil {
		return err
	}
	if rec.PITR.Job, err = jobPrune.Enqueue(tx, job.RunAt.Add(pruneEvery), p); err != nil {
		return err
	}
	return tables.Put(v, rec, rec.Name)
}

func prune(v kit.View, id, before string) error {
	var drop [][]string
	var last []string // the last entry before the window of the item being read
	var lastDeleted bool
	err := copyBlobs(v, history, []string{id}, func(key []string, blob []byte) error {
		if last != nil && (key[0] != last[0] || key[1] != last[1]) {
			if lastDeleted {
				drop = append(drop, last)
			}
			last = nil
		}
		if key[2] >= before {
			return nil
		}
		if last != nil {
			drop = append(drop, last)
		}
		e, _, err := readEnvelope(blob)
		if err != nil {
			return err
		}
		last, lastDeleted = key, e.Deleted
		return nil
	})
	if err != nil {
		return err
	}
	if last != nil && lastDeleted {
		drop = append(drop, last)
	}
	for _, k := range drop {
		if err := history.Delete(v, id, k[0], k[1], k[2]); err != nil {
			return err
		}
	}
	return nil
}
