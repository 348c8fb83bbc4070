package rds

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// logGap is a span in which an instance shipped no transaction logs because it was
// stopped: from the instant it stopped until the instant it was available again (zero
// while it still is not). RDS keeps the logs from before a stop, so a point-in-time
// restore can still reach them (RDS User Guide, "Stopping an Amazon RDS DB instance
// temporarily"), but while it is stopped the latest restorable time stays at the last
// upload before the stop. Once it runs again, an instant inside the span restores to the
// state it stopped in, so the span is not refused.
type logGap struct {
	Stopped time.Time `json:"stopped"`
	Resumed time.Time `json:"resumed,omitzero"`
}

// stopLogs opens a gap in inst's logs at now, dropping gaps that no restore window can
// reach any more: a window never reaches further back than the longest retention period.
func stopLogs(inst *instanceRec, now time.Time) {
	if inst.Retention == 0 || inst.BackupStart.IsZero() {
		return
	}
	floor := now.Add(-maxRetention * day)
	kept := inst.LogGaps[:0]
	for _, g := range inst.LogGaps {
		if g.Resumed.IsZero() || g.Resumed.After(floor) {
			kept = append(kept, g)
		}
	}
	inst.LogGaps = append(kept, logGap{Stopped: now})
}

// resumeLogs closes inst's open gap: logs are shipped again from now.
func resumeLogs(inst *instanceRec, now time.Time) {
	if n := len(inst.LogGaps); n > 0 && inst.LogGaps[n-1].Resumed.IsZero() {
		inst.LogGaps[n-1].Resumed = now
	}
}

// logsUntil is the latest restorable instant at t of a window that began at start and
// has the gaps: the last log upload, unless that falls inside a gap, where the window
// stays at the last upload before the gap. Logs shipped after a gap reach restorability
// at the next five-minute upload, so just after a start the window is still where the
// stop left it. Later gaps are looked at first: stepping back out of one can land inside
// an earlier one when the instance ran for less than an upload interval.
func logsUntil(t, start time.Time, gaps []logGap) time.Time {
	l := lastLogUpload(t, start)
	for i := len(gaps) - 1; i >= 0; i-- {
		if g := gaps[i]; inGap(l, start, g) {
			l = lastLogUpload(g.Stopped, start)
		}
	}
	return l
}

// inGap reports whether t lies strictly between the last upload before g and the instant
// logs resumed.
func inGap(t, start time.Time, g logGap) bool {
	return t.After(lastLogUpload(g.Stopped, start)) && (g.Resumed.IsZero() || t.Before(g.Resumed))
}

// shareLogGaps gives inst's gaps to the backups replicated from it (its own automated
// backup gets them from syncOwnBackup). Replicas get them even while a Region is
// unreachable: their window already stops at the outage, so the gaps only show once the
// Regions see each other again, when the replica would have caught up to the stop
// anyway; waiting for the hourly sync instead would let a replica's window run past the
// stop until it ran.
func shareLogGaps(tx kit.Tx, v kit.View, inst *instanceRec) error {
	for _, ref := range inst.Replications {
		dest := tx.In(v.Account(), ref.Region)
		b, err := backups.Get(dest, inst.ResourceID)
		if err != nil {
			return err
		}
		if b == nil || !b.Replica || (b.Status != backupPending && b.Status != backupReplicating) {
			continue
		}
		b.LogGaps = append([]logGap(nil), inst.LogGaps...)
		if err := putBackup(dest, b); err != nil {
			return err
		}
	}
	return nil
}
