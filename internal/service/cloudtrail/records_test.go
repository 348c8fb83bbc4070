package cloudtrail

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/service/port"
)

// The record format as types: the oracle that the hand-written encoders must agree with.
// (record is the format; document, in records.go, the stored bytes of one.)

// record is an event in CloudTrail's record format (eventVersion 1.09).
type record struct {
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

func documentOf(ev port.TrailEvent) record {
	d := record{
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

// TestHandWrittenEncodersAgree: appendDocument writes what encoding/json writes for the
// record format's types, and AppendRecord what it writes for eventRecord, byte for byte
// but for encoding/json's HTML escaping of <, > and & (the same strings once decoded),
// for events of every kind of caller, failed calls, resources by ARN and by name, and
// strings that need escaping.
func TestHandWrittenEncodersAgree(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("x", -7200))
	base := port.TrailEvent{ID: "e1", Name: "GetSecretValue", Source: "secretsmanager.amazonaws.com", Time: at,
		Account: "123456789012", Region: "us-east-1", SourceIP: "127.0.0.1", UserAgent: "aws-cli/2 \"quoted\" <&>",
		EventType: "AwsApiCall", ReadOnly: true, RequestID: "r1",
		RequestParameters: map[string]any{"secretId": "db", "nested": map[string]any{"n": 1.5, "l": []any{"a", true}}}}
	callers := []port.TrailIdentity{
		{},
		{ARN: "arn:aws:iam::123456789012:root", Account: "123456789012", AccessKeyID: "AKIA1", PrincipalID: "123456789012"},
		{ARN: "arn:aws:sts::123456789012:assumed-role/deploy/ci-run", Account: "123456789012", AccessKeyID: "ASIA1", PrincipalID: "AROA1:ci-run"},
		{ARN: "arn:aws:iam::123456789012:user/path/alice", Account: "123456789012", AccessKeyID: "AKIA2", PrincipalID: "AIDA1"},
		{ARN: "arn:aws:iam::123456789012:group/odd", Account: "123456789012"},
	}
	for i, caller := range callers {
		for _, failed := range []bool{false, true} {
			ev := base
			ev.Caller = caller
			if failed {
				ev.ErrorCode, ev.ErrorMessage = "ResourceNotFoundException", "Secrets Manager can't find the \u2028 secret\n"
				ev.RequestParameters, ev.ReadOnly, ev.RequestID = nil, false, ""
				ev.ResponseElements = map[string]any{"arn": "x"}
			} else {
				ev.Resources = []port.TrailResource{{Type: "AWS::SecretsManager::Secret", Name: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"},
					{Type: "AWS::SecretsManager::Secret", Name: "by-name"}}
			}
			got, err := appendDocument(nil, ev)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(documentOf(ev))
			if got := htmlEscaped(got); got != string(want) {
				t.Errorf("caller %d, failed %v: document\n got %s\nwant %s", i, failed, got, want)
			}
			rec, err := recordOf(ev)
			if err != nil {
				t.Fatal(err)
			}
			got = rec.AppendRecord(nil)
			want, _ = json.Marshal(rec)
			if got := htmlEscaped(got); got != string(want) {
				t.Errorf("caller %d, failed %v: record\n got %s\nwant %s", i, failed, got, want)
			}
			var back eventRecord
			err = json.Unmarshal(got, &back)
			if back.Time.Equal(rec.Time) {
				back.Time = rec.Time // the same instant; only the location's pointer differs
			}
			decoded := *rec
			decoded.encoded = nil // what recordOf keeps of its own encoding is not stored
			if err != nil || !reflect.DeepEqual(back, decoded) {
				t.Errorf("record does not decode back: %v %s", err, back.Document)
			}
		}
	}
}

// htmlEscaped is b as encoding/json writes it by default, with <, > and & escaped.
func htmlEscaped(b []byte) string {
	var buf bytes.Buffer
	json.HTMLEscape(&buf, b)
	return buf.String()
}

// Records written before the document was stored as an object held it as a string: they
// still read back as the same CloudTrailEvent.
func TestOlderRecordsStillDecode(t *testing.T) {
	doc := `{"eventVersion":"1.09","eventName":"GetSecretValue","userAgent":"a \"b\""}`
	quoted, _ := json.Marshal(doc)
	for name, stored := range map[string]string{
		"as a string":  `{"id":"e1","document":` + string(quoted) + `}`,
		"as an object": `{"id":"e1","document":` + doc + `}`,
	} {
		var rec eventRecord
		if err := json.Unmarshal([]byte(stored), &rec); err != nil || string(rec.Document) != doc {
			t.Errorf("%s: %v, document %s", name, err, rec.Document)
		}
	}
}
