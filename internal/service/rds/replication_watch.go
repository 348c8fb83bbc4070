package rds

import (
	"slices"
	"time"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/service/kit"
)

// Replication stopped and resumed, as DescribeEvents tells a DR runbook: when a Region
// becomes unreachable (the admin fault API), the cross-Region replications to and from
// it stop, and they resume when it comes back. A watch job of each Region that receives
// cross-Region read replicas or replicated automated backups runs while there are some,
// and compares each replication with what it saw last:
//
//   - a cross-Region read replica records, as its own events, RDS-EVENT-0045
//     "Replication has stopped." and RDS-EVENT-0046 "Replication for the Read Replica
//     resumed." (category read replica);
//   - replicated automated backups record events of their source DB instance, in the
//     source's Region, in the backup category of the replication's other events (AWS
//     documents no event of its own for an outage; the wording is xregion's).
//
// The watch runs every hour of the job clock, and every minute while a replication it
// watches is stopped: a clock moved months ahead costs a run an hour, not one a minute.
// Each run replays, for each replication, the outages of its two Regions since the
// run before (the fault registry keeps the ended ones): a stop is dated when its outage
// began and a resume when it ended, so an outage that began and ended between two hourly
// runs leaves its two events all the same, at the fault's times. A stop is recorded
// within the hour, a resume within the minute.

const (
	watchInterval     = time.Hour
	watchDownInterval = time.Minute
)

var replicationWatches = kit.Table[syncMarker]{Kind: "replwatch"} // replwatch: the armed watch job of the Region

// armWatch makes sure the Region's replication watch is armed.
func armWatch(tx kit.Tx, v kit.View, now time.Time) error {
	m, err := replicationWatches.Get(v)
	if err != nil {
		return err
	}
	if m != nil && m.At.After(now) {
		return nil
	}
	return rearmWatch(tx, v, now, watchInterval)
}

func rearmWatch(tx kit.Tx, v kit.View, now time.Time, every time.Duration) error {
	at := now.Add(every)
	if err := replicationWatches.Put(v, &syncMarker{At: at}); err != nil {
		return err
	}
	return arm(tx, jobReplicaWatch, v, "watch", at)
}

// runReplicationWatch records the replications of the Region that have stopped or
// resumed since its last run, and re-arms itself while the Region has any.
func (s *Service) runReplicationWatch(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	m, err := replicationWatches.Get(v)
	if err != nil || m == nil || !m.At.Equal(p.At) {
		return err
	}
	now := s.Clock.Now()
	replicas, err := s.watchReadReplicas(v, now)
	if err != nil {
		return err
	}
	backups, err := s.watchReplicatedBackups(tx, v, now)
	if err != nil {
		return err
	}
	switch {
	case replicas.down+backups.down > 0:
		return rearmWatch(tx, v, now, watchDownInterval)
	case replicas.all+backups.all > 0:
		return rearmWatch(tx, v, now, watchInterval)
	}
	return replicationWatches.Delete(v)
}

// watched counts the replications a watch saw, and those of them stopped.
type watched struct{ all, down int }

// transition is a replication stopping (down) or resuming, at a time of the clock.
type transition struct {
	down bool
	at   time.Time
}

// transitions are the stops and resumes of a replication between regions since after,
// given whether it was last seen down: every outage of either Region that ended since
// (the fault registry keeps them, so one that began and ended between two runs is not
// lost), then the one under way. Overlapping outages of the two Regions are one stop.
// A stop is dated when its outage began and a resume when it ended.
func (s *Service) transitions(wasDown bool, after, now time.Time, regions ...string) []transition {
	spans := s.outageSpans(after, regions...)
	if wasDown && len(spans) == 0 {
		// Seen down, yet no outage is under way or ended since: the history was wiped (a
		// reset of the store), so the resume is dated when it is seen.
		return []transition{{down: false, at: now}}
	}
	var out []transition
	down := wasDown
	for _, o := range spans {
		if !down {
			out = append(out, transition{down: true, at: o.Start})
			down = true
		}
		if !o.End.IsZero() {
			out = append(out, transition{down: false, at: o.End})
			down = false
		}
	}
	return out
}

// outageSpans are the outages of regions that ended after after, and the one under way,
// merged where they overlap, in the order they began.
func (s *Service) outageSpans(after time.Time, regions ...string) []faults.Outage {
	var all []faults.Outage
	for _, r := range regions {
		all = append(all, s.Faults.Outages(r, after)...)
	}
	slices.SortFunc(all, func(a, b faults.Outage) int { return a.Start.Compare(b.Start) })
	var merged []faults.Outage
	for _, o := range all {
		n := len(merged)
		if n > 0 && (merged[n-1].End.IsZero() || !o.Start.After(merged[n-1].End)) {
			if merged[n-1].End.IsZero() || o.End.IsZero() || o.End.After(merged[n-1].End) {
				merged[n-1].End = o.End
			}
			continue
		}
		merged = append(merged, o)
	}
	return merged
}

// isDown reports whether the last of transitions leaves the replication down, or, with
// none, whether it was.
func isDown(wasDown bool, ts []transition) bool {
	if len(ts) == 0 {
		return wasDown
	}
	return ts[len(ts)-1].down
}

// watchReadReplicas records the stops and resumes of the cross-Region read replicas of
// v, and counts them.
func (s *Service) watchReadReplicas(v kit.View, now time.Time) (watched, error) {
	var n watched
	list, err := instances.List(v)
	if err != nil {
		return n, err
	}
	for _, inst := range list {
		l := inst.ReplicaOf
		if l == nil || l.Region == v.Region() || !l.Terminated.IsZero() {
			continue
		}
		n.all++ // a replica still being created is watched from when it exists
		if inst.Created.IsZero() {
			continue
		}
		after := inst.ReplicationWatched
		if after.Before(inst.Created) {
			after = inst.Created
		}
		ts := s.transitions(inst.ReplicationDown, after, now, l.Region, v.Region())
		for _, t := range ts {
			def := evReplicationResumed
			if t.down {
				def = evReplicationStopped
			}
			if err := recordEvent(v, t.at, def, inst.ID); err != nil {
				return n, err
			}
		}
		inst.ReplicationDown = isDown(inst.ReplicationDown, ts)
		if inst.ReplicationDown {
			n.down++
		}
		inst.ReplicationWatched = now
		if err := putInstance(v, inst); err != nil {
			return n, err
		}
	}
	return n, nil
}

// watchReplicatedBackups records the stops and resumes of the automated backups
// replicated into v, on their source instances, and counts them.
func (s *Service) watchReplicatedBackups(tx kit.Tx, v kit.View, now time.Time) (watched, error) {
	var n watched
	ids, err := replicatingInto(v)
	if err != nil {
		return n, err
	}
	for _, dbi := range ids {
		b, err := backups.Get(v, dbi)
		if err != nil {
			return n, err
		}
		if b == nil || b.Status != backupReplicating {
			continue
		}
		n.all++
		after := b.ReplicationWatched
		if after.IsZero() {
			after = now // recorded before the watch kept a cursor: only what is under way
		}
		ts := s.transitions(b.ReplicationDown, after, now, b.SourceRegion, v.Region())
		if err := s.recordBackupTransitions(tx, v, b, ts); err != nil {
			return n, err
		}
		b.ReplicationDown = isDown(b.ReplicationDown, ts)
		if b.ReplicationDown {
			n.down++
		}
		b.ReplicationWatched = now
		if err := putBackup(v, b); err != nil {
			return n, err
		}
	}
	return n, nil
}

// recordBackupTransitions records the stops and resumes of the replication of b into v
// as events of its source instance, in the source's Region.
func (s *Service) recordBackupTransitions(tx kit.Tx, v kit.View, b *backupRec, ts []transition) error {
	if len(ts) == 0 {
		return nil
	}
	inst, src, err := replicaSource(tx, v, b)
	if err != nil || inst == nil {
		return err
	}
	for _, t := range ts {
		def := evBackupReplicationResumed
		if t.down {
			def = evBackupReplicationStopped
		}
		if err := recordEvent(src, t.at, def, inst.ID, v.Region()); err != nil {
			return err
		}
	}
	return nil
}
