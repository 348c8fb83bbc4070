package rds

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Events: what DescribeEvents answers, the record a DR runbook reads to see that a
// backup, a snapshot, a copy or a replication happened. Each Region keeps its events
// for 14 days, in time order (event/<stamp>/<sequence>); the catalogue below holds AWS's event
// messages and categories (RDS User Guide, "Amazon RDS event categories and event
// messages"). DB clusters, global clusters and read replicas add their entries to the
// catalogue and their source types to eventSourceTypes.

const (
	eventRetention       = 14 * 24 * time.Hour
	defaultEventDuration = 60 // minutes: DescribeEvents without a time range shows the last hour

	eventDBInstance = "db-instance"
	eventDBSnapshot = "db-snapshot"
)

// eventSourceTypes are the SourceType values of the API.
var eventSourceTypes = []string{"db-instance", "db-parameter-group", "db-security-group", "db-snapshot", "db-cluster",
	"db-cluster-snapshot", "custom-engine-version", "db-proxy", "blue-green-deployment", "db-shard-group", "zero-etl"}

// eventDef is one kind of event: its source type, categories and message (a fmt format).
type eventDef struct {
	SourceType string
	Categories []string
	Message    string
}

// The events RDS records.
var (
	evInstanceCreated   = eventDef{eventDBInstance, []string{"creation"}, "DB instance created"}
	evInstanceDeleted   = eventDef{eventDBInstance, []string{"deletion"}, "DB instance deleted"}
	evInstanceRestarted = eventDef{eventDBInstance, []string{"availability"}, "DB instance restarted"}
	evInstanceStopped   = eventDef{eventDBInstance, []string{"notification"}, "DB instance stopped"}
	evInstanceStarted   = eventDef{eventDBInstance, []string{"notification"}, "DB instance started"}
	evBackupStarted     = eventDef{eventDBInstance, []string{"backup"}, "Backing up DB instance"}
	evBackupFinished    = eventDef{eventDBInstance, []string{"backup"}, "Finished DB Instance backup"}
	evReplicationStart  = eventDef{eventDBInstance, []string{"backup"}, "Starting replication of automated backups to Region %s"}
	evReplicationStop   = eventDef{eventDBInstance, []string{"backup"}, "Stopped replication of automated backups to Region %s"}
	// Automated backup replications stopped and resumed by an unreachable Region
	// (replication_watch.go; a read replica's are in replicas.go).
	evBackupReplicationStopped = eventDef{eventDBInstance, []string{"backup"}, "Replication of automated backups to Region %s has stopped: the Region is unreachable."} // (xregion)
	evBackupReplicationResumed = eventDef{eventDBInstance, []string{"backup"}, "Replication of automated backups to Region %s resumed."}                                // (xregion)
	evManualSnapshot           = eventDef{eventDBSnapshot, []string{"creation"}, "Creating manual snapshot"}
	evManualCreated            = eventDef{eventDBSnapshot, []string{"creation"}, "Manual snapshot created"}
	evAutomatedSnapshot        = eventDef{eventDBSnapshot, []string{"creation"}, "Creating automated snapshot"}
	evAutomatedCreated         = eventDef{eventDBSnapshot, []string{"creation"}, "Automated snapshot created"}
	evCopyStarted              = eventDef{eventDBSnapshot, []string{"notification"}, "Started copy of snapshot %s from %s"}
	evCopyFinished             = eventDef{eventDBSnapshot, []string{"notification"}, "Finished copy of snapshot %s from %s"}
)

type eventRec struct {
	SourceID   string    `json:"sourceId"`
	SourceType string    `json:"sourceType"`
	SourceARN  string    `json:"sourceArn"`
	Message    string    `json:"message"`
	Categories []string  `json:"categories"`
	Date       time.Time `json:"date"`
}

var events = kit.Table[eventRec]{Kind: "event"} // event/<stamp>/<sequence within the instant>

func eventStamp(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }

// recordEvent appends an event about a source of v, and drops the events that have
// passed their 14 days.
func recordEvent(v kit.View, now time.Time, def eventDef, sourceID string, args ...any) error {
	kind := map[string]string{eventDBSnapshot: "snapshot", eventDBCluster: "cluster", eventDBClusterSnapshot: "cluster-snapshot"}[def.SourceType]
	if kind == "" {
		kind = "db"
	}
	e := &eventRec{
		SourceID: sourceID, SourceType: def.SourceType, Message: fmt.Sprintf(def.Message, args...), Categories: def.Categories, Date: now,
		SourceARN: *groupARN(v.Account(), v.Region(), kind, sourceID),
	}
	// Events of one instant keep the order they were recorded in.
	seq := 0
	if err := events.Keys(v, "", func(kit.Entry) bool { seq++; return true }, eventStamp(now)); err != nil {
		return err
	}
	if err := events.Put(v, e, eventStamp(now), fmt.Sprintf("%06d", seq)); err != nil {
		return err
	}
	return pruneEvents(v, now)
}

func pruneEvents(v kit.View, now time.Time) error {
	var old [][]string
	cutoff := eventStamp(now.Add(-eventRetention))
	err := events.Keys(v, "", func(e kit.Entry) bool {
		id := e.ID()
		if id[0] >= cutoff {
			return false
		}
		old = append(old, id)
		return true
	})
	for _, id := range old {
		if err == nil {
			err = events.Delete(v, id...)
		}
	}
	return err
}

// eventWindow is the time range a DescribeEvents asks for: StartTime to EndTime, or the
// Duration (minutes) up to EndTime or now.
func eventWindow(in *rdsapi.DescribeEventsMessage, now time.Time) (time.Time, time.Time) {
	end := now
	if in.EndTime != nil {
		end = *in.EndTime
	}
	if in.StartTime != nil {
		return *in.StartTime, end
	}
	minutes := int64(defaultEventDuration)
	if in.Duration != nil {
		minutes = *in.Duration
	}
	return end.Add(-time.Duration(minutes) * time.Minute), end
}

func checkEventsRequest(in *rdsapi.DescribeEventsMessage) error {
	if in.SourceType != nil && !slices.Contains(eventSourceTypes, *in.SourceType) {
		return msgEventSourceType.New(*in.SourceType)
	}
	if in.SourceIdentifier != nil && in.SourceType == nil {
		return msgEventSourceNeedsType.New()
	}
	return nil
}

func (s *Service) DescribeEvents(ctx context.Context, in *rdsapi.DescribeEventsMessage) (*rdsapi.EventsMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	if err := checkEventsRequest(in); err != nil {
		return nil, err
	}
	pg, err := s.describePage(c, c.Operation, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	from, to := eventWindow(in, c.Now())
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.EventsMessage, error) {
		list, next, err := scan(pg, c.In(tx), events, func(e kit.Entry) (*eventRec, error) { return events.Get(c.In(tx), e.ID()...) },
			func(e *eventRec) bool { return eventMatches(e, in, from, to) })
		if err != nil {
			return nil, err
		}
		out := &rdsapi.EventsMessage{Events: []rdsapi.Event{}, Marker: next}
		for _, e := range list {
			out.Events = append(out.Events, rdsapi.Event{
				SourceIdentifier: new(e.SourceID), SourceType: new(e.SourceType), Message: new(e.Message),
				EventCategories: e.Categories, Date: new(e.Date), SourceArn: new(e.SourceARN),
			})
		}
		return out, nil
	})
}

func eventMatches(e *eventRec, in *rdsapi.DescribeEventsMessage, from, to time.Time) bool {
	if e.Date.Before(from) || e.Date.After(to) {
		return false
	}
	if in.SourceType != nil && *in.SourceType != e.SourceType {
		return false
	}
	if in.SourceIdentifier != nil && !strings.EqualFold(*in.SourceIdentifier, e.SourceID) {
		return false
	}
	return len(in.EventCategories) == 0 || slices.ContainsFunc(e.Categories, func(cat string) bool { return slices.Contains(in.EventCategories, cat) })
}
