package cloudtrail

import (
	"encoding/json"
	"strings"
	"time"

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
	Document    string               `json:"document"` // the CloudTrailEvent of LookupEvents
}

func eventKey(ev port.TrailEvent) []string { return []string{kit.TimeKeyDesc(ev.Time), ev.ID} }

func recordOf(ev port.TrailEvent) (*eventRecord, error) {
	doc, err := json.Marshal(documentOf(ev))
	if err != nil {
		return nil, err
	}
	return &eventRecord{ID: ev.ID, Name: ev.Name, Source: ev.Source, Time: ev.Time, ReadOnly: ev.ReadOnly,
		Username: username(ev.Caller.ARN), AccessKeyID: ev.Caller.AccessKeyID, Resources: ev.Resources, Document: string(doc)}, nil
}

// document is an event in CloudTrail's record format (eventVersion 1.09).
type document struct {
	EventVersion       string             `json:"eventVersion"`
	UserIdentity       identity           `json:"userIdentity"`
	EventTime          string             `json:"eventTime"`
	EventSource        string             `json:"eventSource"`
	EventName          string             `json:"eventName"`
	AWSRegion          string             `json:"awsRegion"`
	SourceIPAddress    string             `json:"sourceIPAddress"`
	UserAgent          string             `json:"userAgent"`
	ErrorCode          string             `json:"errorCode,omitempty"`
	ErrorMessage       string             `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any     `json:"requestParameters"`
	ResponseElements   map[string]any     `json:"responseElements"`
	RequestID          string             `json:"requestID,omitempty"`
	EventID            string             `json:"eventID"`
	ReadOnly           bool               `json:"readOnly"`
	Resources          []documentResource `json:"resources,omitempty"`
	EventType          string             `json:"eventType"`
	ManagementEvent    bool               `json:"managementEvent"`
	RecipientAccountID string             `json:"recipientAccountId"`
	EventCategory      string             `json:"eventCategory"`
}

type identity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
}

type documentResource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

func documentOf(ev port.TrailEvent) document {
	d := document{
		EventVersion: "1.09", EventTime: ev.Time.UTC().Format(time.RFC3339), EventSource: ev.Source, EventName: ev.Name,
		AWSRegion: ev.Region, SourceIPAddress: ev.SourceIP, UserAgent: ev.UserAgent, ErrorCode: ev.ErrorCode,
		ErrorMessage: ev.ErrorMessage, RequestParameters: ev.RequestParameters, ResponseElements: ev.ResponseElements,
		RequestID: ev.RequestID, EventID: ev.ID, ReadOnly: ev.ReadOnly, EventType: ev.EventType, ManagementEvent: true,
		RecipientAccountID: ev.Account, EventCategory: "Management", UserIdentity: identityOf(ev),
	}
	// The record format names resources by ARN; those a call named otherwise stay in
	// LookupEvents' Resources.
	for _, r := range ev.Resources {
		if strings.HasPrefix(r.Name, "arn:") {
			d.Resources = append(d.Resources, documentResource{ARN: r.Name, AccountID: ev.Account, Type: r.Type})
		}
	}
	return d
}

// identityOf is the event's userIdentity, its type told by the caller's ARN; an event
// without a caller is a service's own (AWSService), invoked by the event's source.
func identityOf(ev port.TrailEvent) identity {
	c := ev.Caller
	if c.ARN == "" {
		return identity{Type: "AWSService", InvokedBy: ev.Source}
	}
	id := identity{PrincipalID: c.PrincipalID, ARN: c.ARN, AccountID: c.Account, AccessKeyID: c.AccessKeyID}
	switch {
	case strings.HasSuffix(c.ARN, ":root"):
		id.Type = "Root"
	case strings.Contains(c.ARN, ":assumed-role/"):
		id.Type = "AssumedRole"
	case strings.Contains(c.ARN, ":user/"):
		id.Type, id.UserName = "IAMUser", username(c.ARN)
	default:
		id.Type = "Unknown"
	}
	return id
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
