package cloudtrail

import (
	"context"
	"strconv"
	"time"

	ct "github.com/xregion/xregion/internal/gen/cloudtrailapi"
	"github.com/xregion/xregion/internal/service/kit"
)

const defaultMaxResults = 50

// query is a LookupEvents request, checked.
type query struct {
	key, value string // the lookup attribute; key is "" for none
	start, end time.Time
	limit      int
	// given is the time range as the caller gave it: a default range moves with the
	// clock between pages, and the token's position already keeps a page's place.
	given string
}

// within binds a NextToken to the query it pages: AWS wants the same parameters with it.
func (q query) within() string { return q.key + "=" + q.value + "|" + q.given }

func (s *Service) LookupEvents(ctx context.Context, in *ct.LookupEventsRequest) (*ct.LookupEventsResponse, error) {
	c := s.Call(ctx)
	q, err := queryOf(in, c.Now())
	if err != nil {
		return nil, err
	}
	if in.EventCategory != nil {
		// Insights events are made by CloudTrail Insights, which xregion does not run:
		// there are none to find.
		if *in.EventCategory != ct.EventCategoryInsight {
			return nil, msgInvalidCategory.New(*in.EventCategory)
		}
		return &ct.LookupEventsResponse{Events: []ct.Event{}}, nil
	}
	if err := s.queue.flush(); err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ct.LookupEventsResponse, error) {
		return s.page(c.In(tx), kit.List{Op: "LookupEvents", Account: c.Account, Region: c.Region, Within: q.within()}, q, in.NextToken)
	})
}

func queryOf(in *ct.LookupEventsRequest, now time.Time) (query, error) {
	q := query{start: now.Add(-Retention), end: now, limit: defaultMaxResults}
	switch len(in.LookupAttributes) {
	case 0:
	case 1:
		q.key, q.value = *in.LookupAttributes[0].AttributeKey, *in.LookupAttributes[0].AttributeValue
		if q.key == ct.LookupAttributeKeyReadOnly && q.value != "true" && q.value != "false" {
			return q, msgReadOnlyValue.New(q.value)
		}
	default:
		return q, msgOneAttribute.New()
	}
	if in.StartTime != nil {
		q.start = *in.StartTime
		q.given += "start=" + q.start.UTC().Format(time.RFC3339Nano)
	}
	if in.EndTime != nil {
		q.end = *in.EndTime
		q.given += "end=" + q.end.UTC().Format(time.RFC3339Nano)
	}
	if q.start.After(q.end) {
		return q, msgInvalidTimeRange.New()
	}
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > defaultMaxResults {
			return q, msgInvalidMaxResults.New()
		}
		q.limit = int(*in.MaxResults)
	}
	return q, nil
}

// page reads one page of the events of v that q finds, newest first.
func (s *Service) page(v kit.View, l kit.List, q query, token *string) (*ct.LookupEventsResponse, error) {
	from, err := s.pages.Open(l, token)
	if err != nil {
		return nil, err
	}
	if first := kit.TimeKeyDesc(q.end); from < first {
		from = first // events after the end of the range sort before it
	}
	out := &ct.LookupEventsResponse{Events: []ct.Event{}}
	var scanErr error
	err = events.Keys(v, from, func(e kit.Entry) bool {
		rec, err := events.Get(v, e.ID()...)
		if err != nil || rec == nil {
			scanErr = err
			return err == nil
		}
		if rec.Time.Before(q.start) {
			return false
		}
		if !q.matches(rec) {
			return true
		}
		if len(out.Events) == q.limit {
			out.NextToken = s.pages.Seal(l, e.Pos)
			return false
		}
		out.Events = append(out.Events, eventOf(rec))
		return true
	})
	if err == nil {
		err = scanErr
	}
	return out, err
}

func (q query) matches(rec *eventRecord) bool {
	switch q.key {
	case "":
		return true
	case ct.LookupAttributeKeyEventId:
		return rec.ID == q.value
	case ct.LookupAttributeKeyEventName:
		return rec.Name == q.value
	case ct.LookupAttributeKeyEventSource:
		return rec.Source == q.value
	case ct.LookupAttributeKeyReadOnly:
		return strconv.FormatBool(rec.ReadOnly) == q.value
	case ct.LookupAttributeKeyUsername:
		return rec.Username == q.value
	case ct.LookupAttributeKeyAccessKeyId:
		return rec.AccessKeyID == q.value
	}
	for _, r := range rec.Resources {
		if (q.key == ct.LookupAttributeKeyResourceName && r.Name == q.value) ||
			(q.key == ct.LookupAttributeKeyResourceType && r.Type == q.value) {
			return true
		}
	}
	return false
}

func eventOf(rec *eventRecord) ct.Event {
	ev := ct.Event{
		EventId: new(rec.ID), EventName: new(rec.Name), ReadOnly: new(strconv.FormatBool(rec.ReadOnly)),
		EventTime: new(rec.Time), EventSource: new(rec.Source), CloudTrailEvent: new(string(rec.Document)), Resources: []ct.Resource{},
	}
	if rec.AccessKeyID != "" {
		ev.AccessKeyId = new(rec.AccessKeyID)
	}
	if rec.Username != "" {
		ev.Username = new(rec.Username)
	}
	for _, r := range rec.Resources {
		ev.Resources = append(ev.Resources, ct.Resource{ResourceType: new(r.Type), ResourceName: new(r.Name)})
	}
	return ev
}
