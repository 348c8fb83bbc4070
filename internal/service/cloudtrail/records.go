package cloudtrail

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/jsonappend"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// events are the event history of a Region, newest first: event/<time desc>/<event id>.
var events = kit.Table[eventRecord]{Kind: "event"}

// Retention is how long the event history keeps an event, on the engine clock: the 90
// days of CloudTrail's event history.
const Retention = 90 * 24 * time.Hour

// eventRecord is one stored event: the fields LookupEvents filters and answers by, and
// the event in CloudTrail's record format.
type eventRecord struct {
	ID          string               `json:"id"`
	Name        string               `json:"name"`
	Source      string               `json:"source"`
	Time        time.Time            `json:"time"`
	ReadOnly    bool                 `json:"readOnly"`
	Username    string               `json:"username,omitempty"`
	AccessKeyID string               `json:"accessKeyId,omitempty"`
	Resources   []port.TrailResource `json:"resources,omitempty"`
	Document    document             `json:"document"` // the CloudTrailEvent of LookupEvents

	// encoded is the whole record as Put stores it, when recordOf built it: the document
	// is written once, in place, instead of being built on its own and then copied into
	// the record (a copy of about a kilobyte for every API call).
	encoded []byte
}

// document is an event in CloudTrail's record format, stored as the JSON object it is, so
// that neither writing nor reading it escapes every quote of it again. Records written
// before held it as a JSON string; those still decode.
type document []byte

// MarshalJSON implements json.Marshaler (for encoding/json; Put uses AppendRecord).
func (d document) MarshalJSON() ([]byte, error) { return d, nil }

// UnmarshalJSON implements json.Unmarshaler: the object, or an older record's string.
func (d *document) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	*d = bytes.Clone(b)
	return nil
}

func eventKey(ev port.TrailEvent) []string { return []string{kit.TimeKeyDesc(ev.Time), ev.ID} }

// recordSizeHint is the capacity a record starts with (a size class of Go's allocator): a
// GetSecretValue's record is about 1,100 bytes with an SDK's user agent, so most records
// are written without growing their buffer.
const recordSizeHint = 1280

// recordOf builds the stored record of ev, encoded once: its fields, then its document
// appended in place (Document is that part of the encoding).
func recordOf(ev port.TrailEvent) (*eventRecord, error) {
	rec := &eventRecord{ID: ev.ID, Name: ev.Name, Source: ev.Source, Time: ev.Time, ReadOnly: ev.ReadOnly,
		Username: username(ev.Caller.ARN), AccessKeyID: ev.Caller.AccessKeyID, Resources: ev.Resources}
	b := rec.appendHead(make([]byte, 0, recordSizeHint))
	start := len(b)
	b, err := appendDocument(b, ev)
	if err != nil {
		return nil, err
	}
	rec.Document = document(b[start:len(b):len(b)])
	rec.encoded = append(b, '}')
	return rec, nil
}

// AppendRecord implements kit.RecordAppender: one record is written per API call, and
// encoding/json's reflection over it was a fifth of a GetSecretValue's CPU. It writes
// what encoding/json would write for the struct's tags.
func (r *eventRecord) AppendRecord(b []byte) []byte {
	if r.encoded != nil {
		if b == nil {
			return r.encoded // never changed once built: the store may keep it
		}
		return append(b, r.encoded...)
	}
	if b == nil {
		b = make([]byte, 0, len(r.Document)+256)
	}
	b = append(r.appendHead(b), r.Document...)
	return append(b, '}')
}

// appendHead appends the record up to its document's value: the fields LookupEvents
// filters and answers by, and the document's name.
func (r *eventRecord) appendHead(b []byte) []byte {
	b = append(b, '{')
	b = jsonappend.String(jsonappend.Field(b, "id"), r.ID)
	b = jsonappend.String(jsonappend.Field(b, "name"), r.Name)
	b = jsonappend.String(jsonappend.Field(b, "source"), r.Source)
	b = jsonappend.Time(jsonappend.Field(b, "time"), r.Time)
	b = jsonappend.Bool(jsonappend.Field(b, "readOnly"), r.ReadOnly)
	b = appendOptional(b, "username", r.Username)
	b = appendOptional(b, "accessKeyId", r.AccessKeyID)
	if len(r.Resources) > 0 {
		b = append(jsonappend.Field(b, "resources"), '[')
		for i, res := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			b = jsonappend.String(jsonappend.Field(b, "Type"), res.Type)
			b = jsonappend.String(jsonappend.Field(b, "Name"), res.Name)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return jsonappend.Field(b, "document")
}

// appendOptional appends a string member unless it is empty (omitempty).
func appendOptional(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return jsonappend.String(jsonappend.Field(b, name), value)
}

// appendDocument appends ev in CloudTrail's record format (eventVersion 1.09), the
// CloudTrailEvent that LookupEvents answers: eventVersion, userIdentity, eventTime,
// eventSource, eventName, awsRegion, sourceIPAddress, userAgent, errorCode and
// errorMessage when the call failed, requestParameters, responseElements, requestID,
// eventID, readOnly, resources (by ARN), eventType, managementEvent, recipientAccountId
// and eventCategory, in that order. Written by hand for the reason AppendRecord is; only
// the parameters, whose shape is the operation's, go through encoding/json.
func appendDocument(b []byte, ev port.TrailEvent) ([]byte, error) {
	b = append(b, `{"eventVersion":"1.09"`...)
	b = appendIdentity(jsonappend.Field(b, "userIdentity"), ev)
	b = jsonappend.Field(b, "eventTime")
	b = append(b, '"')
	b = ev.Time.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, '"')
	b = jsonappend.String(jsonappend.Field(b, "eventSource"), ev.Source)
	b = jsonappend.String(jsonappend.Field(b, "eventName"), ev.Name)
	b = jsonappend.String(jsonappend.Field(b, "awsRegion"), ev.Region)
	b = jsonappend.String(jsonappend.Field(b, "sourceIPAddress"), ev.SourceIP)
	b = jsonappend.String(jsonappend.Field(b, "userAgent"), ev.UserAgent)
	b = appendOptional(b, "errorCode", ev.ErrorCode)
	b = appendOptional(b, "errorMessage", ev.ErrorMessage)
	for _, m := range []struct {
		name  string
		value map[string]any
	}{{"requestParameters", ev.RequestParameters}, {"responseElements", ev.ResponseElements}} {
		var err error
		if b, err = appendParams(jsonappend.Field(b, m.name), m.value); err != nil {
			return nil, err
		}
	}
	b = appendOptional(b, "requestID", ev.RequestID)
	b = jsonappend.String(jsonappend.Field(b, "eventID"), ev.ID)
	b = jsonappend.Bool(jsonappend.Field(b, "readOnly"), ev.ReadOnly)
	b = appendResources(b, ev)
	b = jsonappend.String(jsonappend.Field(b, "eventType"), ev.EventType)
	b = append(b, `,"managementEvent":true`...)
	b = jsonappend.String(jsonappend.Field(b, "recipientAccountId"), ev.Account)
	b = append(b, `,"eventCategory":"Management"}`...)
	return b, nil
}

// appendResources appends the record format's resources: it names resources by ARN, and
// those a call named otherwise stay in LookupEvents' Resources only.
func appendResources(b []byte, ev port.TrailEvent) []byte {
	n := 0
	for _, r := range ev.Resources {
		if !strings.HasPrefix(r.Name, "arn:") {
			continue
		}
		if n == 0 {
			b = append(jsonappend.Field(b, "resources"), '[')
		} else {
			b = append(b, ',')
		}
		n++
		b = append(b, '{')
		b = jsonappend.String(jsonappend.Field(b, "ARN"), r.Name)
		b = jsonappend.String(jsonappend.Field(b, "accountId"), ev.Account)
		b = jsonappend.String(jsonappend.Field(b, "type"), r.Type)
		b = append(b, '}')
	}
	if n > 0 {
		b = append(b, ']')
	}
	return b
}

// appendIdentity appends the event's userIdentity, its type told by the caller's ARN; an
// event without a caller is a service's own (AWSService), invoked by the event's source.
func appendIdentity(b []byte, ev port.TrailEvent) []byte {
	c := ev.Caller
	b = append(b, '{')
	if c.ARN == "" {
		b = append(b, `"type":"AWSService"`...)
		b = jsonappend.String(jsonappend.Field(b, "invokedBy"), ev.Source)
		return append(b, '}')
	}
	kind, user := "Unknown", ""
	switch {
	case strings.HasSuffix(c.ARN, ":root"):
		kind = "Root"
	case strings.Contains(c.ARN, ":assumed-role/"):
		kind = "AssumedRole"
	case strings.Contains(c.ARN, ":user/"):
		kind, user = "IAMUser", username(c.ARN)
	}
	b = jsonappend.String(jsonappend.Field(b, "type"), kind)
	b = appendOptional(b, "principalId", c.PrincipalID)
	b = appendOptional(b, "arn", c.ARN)
	b = appendOptional(b, "accountId", c.Account)
	b = appendOptional(b, "accessKeyId", c.AccessKeyID)
	b = appendOptional(b, "userName", user)
	return append(b, '}')
}

// username is LookupEvents' Username of a caller: the user's name, the role session's
// name, or "root".
func username(arn string) string {
	switch {
	case arn == "":
		return ""
	case strings.HasSuffix(arn, ":root"):
		return "root"
	}
	return arn[strings.LastIndex(arn, "/")+1:]
}
