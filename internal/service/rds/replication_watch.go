package rds

import (
	"time"

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
// So a stop is recorded within the hour, dated when the outage began (the fault's Since),
// and a resume at most a minute after the Region is back. An outage that begins and ends
// between two hourly runs leaves no events.

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

// outage reports whether cross-Region work between regions is stopped, and since when:
// the earlier outage, when several Regions are down.
func (s *Service) outage(regions ...string) (time.Time, bool) {
	var since time.Time
	down := false
	for _, r := range regions {
		if at, ok := s.Faults.Since(r); ok && (!down || at.Before(since)) {
			since, down = at, true
		}
	}
	return since, down
}

// watched counts the replications a watch saw, and those of them stopped.
type watched struct{ all, down int }

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
		since, down := s.outage(l.Region, v.Region())
		if down {
			n.down++
		}
		if down == inst.ReplicationDown {
			continue
		}
		inst.ReplicationDown = down
		def, at := evReplicationResumed, now
		if down {
			def, at = evReplicationStopped, since
		}
		if err := recordEvent(v, at, def, inst.ID); err != nil {
			return n, err
		}
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
		since, down := s.outage(b.SourceRegion, v.Region())
		if down {
			n.down++
		}
		if down == b.ReplicationDown {
			continue
		}
		b.ReplicationDown = down
		inst, src, err := replicaSource(tx, v, b)
		if err != nil {
			return n, err
		}
		if inst != nil {
			def, at := evBackupReplicationResumed, now
			if down {
				def, at = evBackupReplicationStopped, since
			}
			if err := recordEvent(src, at, def, inst.ID, v.Region()); err != nil {
				return n, err
			}
		}
		if err := putBackup(v, b); err != nil {
			return n, err
		}
	}
	return n, nil
}
