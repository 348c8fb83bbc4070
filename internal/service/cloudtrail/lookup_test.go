package cloudtrail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	ct "github.com/xregion/xregion/internal/gen/cloudtrailapi"
	"github.com/xregion/xregion/internal/service/cloudtrail"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

func start(t *testing.T) (*kittest.Harness, *cloudtrail.Service) {
	h := kittest.Start(t, []string{"cloudtrail"})
	svc := h.Service("cloudtrail").(*cloudtrail.Service)
	t.Cleanup(func() {
		if err := svc.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return h, svc
}

// event is a recorded call of name at the harness's clock plus offset.
func event(h *kittest.Harness, region, name string, offset time.Duration) port.TrailEvent {
	return port.TrailEvent{
		ID: fmt.Sprintf("%s-%s-%d", region, name, offset), Time: h.Clock.Now().Add(offset), Account: h.Account, Region: region,
		Source: "secretsmanager.amazonaws.com", Name: name, EventType: "AwsApiCall", ReadOnly: name == "GetSecretValue",
		Caller:            port.TrailIdentity{ARN: "arn:aws:iam::" + h.Account + ":user/alice", PrincipalID: "AIDA1", Account: h.Account, AccessKeyID: "AKIAALICE"},
		RequestParameters: map[string]any{"secretId": "db"},
		Resources:         []port.TrailResource{{Type: "AWS::SecretsManager::Secret", Name: "db"}},
	}
}

func lookup(t *testing.T, h *kittest.Harness, region string, in *ct.LookupEventsRequest) *ct.LookupEventsResponse {
	t.Helper()
	out, err := kittest.Call(h, region, ct.OpLookupEvents, in)
	if err != nil {
		t.Fatalf("LookupEvents: %v", err)
	}
	return out
}

func names(out *ct.LookupEventsResponse) []string {
	var n []string
	for _, e := range out.Events {
		n = append(n, *e.EventName)
	}
	return n
}

func attr(key, value string) []ct.LookupAttribute {
	return []ct.LookupAttribute{{AttributeKey: new(key), AttributeValue: new(value)}}
}

func TestLookupByEachAttribute(t *testing.T) {
	h, svc := start(t)
	svc.Record(event(h, "us-east-1", "CreateSecret", -3*time.Minute))
	svc.Record(event(h, "us-east-1", "GetSecretValue", -2*time.Minute))
	other := event(h, "us-east-1", "DeleteSecret", -time.Minute)
	other.Caller = port.TrailIdentity{ARN: "arn:aws:sts::" + h.Account + ":assumed-role/Ops/drill", AccessKeyID: "ASIAOPS"}
	other.Resources = []port.TrailResource{{Type: "AWS::KMS::Key", Name: "k1"}}
	svc.Record(other)
	svc.Record(event(h, "us-west-2", "CreateSecret", 0))

	all := lookup(t, h, "us-east-1", &ct.LookupEventsRequest{})
	if got := fmt.Sprint(names(all)); got != "[DeleteSecret GetSecretValue CreateSecret]" {
		t.Fatalf("us-east-1's events, newest first = %s", got)
	}
	for _, c := range []struct{ key, value, want string }{
		{ct.LookupAttributeKeyEventName, "GetSecretValue", "[GetSecretValue]"},
		{ct.LookupAttributeKeyReadOnly, "false", "[DeleteSecret CreateSecret]"},
		{ct.LookupAttributeKeyUsername, "drill", "[DeleteSecret]"},
		{ct.LookupAttributeKeyUsername, "alice", "[GetSecretValue CreateSecret]"},
		{ct.LookupAttributeKeyAccessKeyId, "ASIAOPS", "[DeleteSecret]"},
		{ct.LookupAttributeKeyResourceType, "AWS::KMS::Key", "[DeleteSecret]"},
		{ct.LookupAttributeKeyResourceName, "db", "[GetSecretValue CreateSecret]"},
		{ct.LookupAttributeKeyEventSource, "secretsmanager.amazonaws.com", "[DeleteSecret GetSecretValue CreateSecret]"},
		{ct.LookupAttributeKeyEventId, *all.Events[1].EventId, "[GetSecretValue]"},
	} {
		if got := fmt.Sprint(names(lookup(t, h, "us-east-1", &ct.LookupEventsRequest{LookupAttributes: attr(c.key, c.value)}))); got != c.want {
			t.Errorf("%s=%s: %s, want %s", c.key, c.value, got, c.want)
		}
	}
	var doc struct {
		UserIdentity struct{ Type, ARN, UserName string }
		AWSRegion    string `json:"awsRegion"`
		EventName    string
	}
	if err := json.Unmarshal([]byte(*all.Events[2].CloudTrailEvent), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.UserIdentity.Type != "IAMUser" || doc.UserIdentity.UserName != "alice" || doc.AWSRegion != "us-east-1" || doc.EventName != "CreateSecret" {
		t.Errorf("CloudTrailEvent = %s", *all.Events[2].CloudTrailEvent)
	}
	if got := names(lookup(t, h, "us-west-2", &ct.LookupEventsRequest{})); len(got) != 1 {
		t.Errorf("us-west-2's events = %v, want its one", got)
	}
}

func TestLookupPagesAndTimeRange(t *testing.T) {
	h, svc := start(t)
	for i := range 7 {
		svc.Record(event(h, "eu-west-3", fmt.Sprintf("Call%d", i), time.Duration(i-10)*time.Minute))
	}
	var got []string
	in := &ct.LookupEventsRequest{MaxResults: new(int64(3))}
	for pages := 0; ; pages++ {
		out := lookup(t, h, "eu-west-3", in)
		got = append(got, names(out)...)
		if out.NextToken == nil {
			if pages != 2 {
				t.Errorf("7 events in pages of 3 took %d pages", pages+1)
			}
			break
		}
		in.NextToken = out.NextToken
		h.Advance(time.Second) // the default range moves with the clock; the token still holds
	}
	if fmt.Sprint(got) != "[Call6 Call5 Call4 Call3 Call2 Call1 Call0]" {
		t.Errorf("paged events = %v", got)
	}
	now := h.Clock.Now().Add(-2 * time.Second)
	ranged := lookup(t, h, "eu-west-3", &ct.LookupEventsRequest{StartTime: new(now.Add(-8 * time.Minute)), EndTime: new(now.Add(-6 * time.Minute))})
	if fmt.Sprint(names(ranged)) != "[Call4 Call3 Call2]" {
		t.Errorf("events from -8m to -6m = %v", names(ranged))
	}
	// A token belongs to its query.
	first := lookup(t, h, "eu-west-3", &ct.LookupEventsRequest{MaxResults: new(int64(1))})
	_, err := kittest.Call(h, "eu-west-3", ct.OpLookupEvents, &ct.LookupEventsRequest{NextToken: first.NextToken,
		LookupAttributes: attr(ct.LookupAttributeKeyEventName, "Call1")})
	wantCode(t, err, "InvalidNextTokenException")
}

func TestLookupRefusesBadQueries(t *testing.T) {
	h, _ := start(t)
	now := h.Clock.Now()
	for code, in := range map[string]*ct.LookupEventsRequest{
		"InvalidLookupAttributesException": {LookupAttributes: append(attr("EventName", "a"), attr("Username", "b")...)},
		"InvalidTimeRangeException":        {StartTime: new(now), EndTime: new(now.Add(-time.Hour))},
		"InvalidNextTokenException":        {NextToken: new("forged")},
	} {
		_, err := kittest.Call(h, "us-east-1", ct.OpLookupEvents, in)
		wantCode(t, err, code)
	}
	_, err := kittest.Call(h, "us-east-1", ct.OpLookupEvents, &ct.LookupEventsRequest{LookupAttributes: attr("ReadOnly", "maybe")})
	wantCode(t, err, "InvalidLookupAttributesException")
	out := lookup(t, h, "us-east-1", &ct.LookupEventsRequest{EventCategory: new("insight")})
	if len(out.Events) != 0 {
		t.Errorf("insight events = %v", out.Events)
	}
}

func TestEventsExpireAfterNinetyDays(t *testing.T) {
	h, svc := start(t)
	svc.Record(event(h, "us-east-1", "CreateSecret", 0))
	if got := lookup(t, h, "us-east-1", &ct.LookupEventsRequest{}); len(got.Events) != 1 {
		t.Fatalf("events = %v", names(got))
	}
	h.Advance(cloudtrail.Retention + time.Hour)
	svc.Record(event(h, "us-east-1", "PutSecretValue", 0))
	got := lookup(t, h, "us-east-1", &ct.LookupEventsRequest{StartTime: new(time.Unix(0, 0))})
	if fmt.Sprint(names(got)) != "[PutSecretValue]" {
		t.Errorf("events 90 days on = %v, want the old one gone", names(got))
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if !awserr.Is(err, code) {
		t.Errorf("err = %v, want %s", err, code)
	}
}
