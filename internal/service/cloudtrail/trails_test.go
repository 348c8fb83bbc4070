package cloudtrail_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	ct "github.com/xregion/xregion/internal/gen/cloudtrailapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/cloudtrail"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// files is a port.Reports that keeps what it is given, by bucket and key.
type files struct {
	mu   sync.Mutex
	puts map[string][]byte // account/bucket/key
	fail error
}

func (f *files) Put(account, bucket, key string, body []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.puts[account+"/"+bucket+"/"+key] = body
	return nil
}

// logs are the delivered files' keys, in order, with their records.
func (f *files) logs(t *testing.T) ([]string, map[string][]map[string]any) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	records := map[string][]map[string]any{}
	for k, body := range f.puts {
		keys = append(keys, k)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s is not gzipped: %v", k, err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []map[string]any }
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s is not a CloudTrail log file: %v", k, err)
		}
		records[k] = doc.Records
	}
	sort.Strings(keys)
	return keys, records
}

func startWithFiles(t *testing.T) (*kittest.Harness, *cloudtrail.Service, *files) {
	f := &files{puts: map[string][]byte{}}
	h := kittest.Start(t, []string{"cloudtrail"}, kittest.WithPorts(func(p *service.Ports) { service.Provide[port.Reports](p, f) }))
	svc := h.Service("cloudtrail").(*cloudtrail.Service)
	t.Cleanup(func() {
		if err := svc.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return h, svc, f
}

// settle writes the queued events (a lookup writes what is queued before it reads).
func settle(t *testing.T, h *kittest.Harness) {
	t.Helper()
	if _, err := kittest.Call(h, "us-east-1", ct.OpLookupEvents, &ct.LookupEventsRequest{}); err != nil {
		t.Fatal(err)
	}
}

func TestATrailDeliversLogFilesEveryFiveMinutes(t *testing.T) {
	h, svc, f := startWithFiles(t)
	created, err := kittest.Call(h, "us-east-1", ct.OpCreateTrail, &ct.CreateTrailRequest{Name: new("audit"), S3BucketName: new("audit-logs"),
		S3KeyPrefix: new("org"), IsMultiRegionTrail: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	if *created.TrailARN != "arn:aws:cloudtrail:us-east-1:"+h.Account+":trail/audit" || !*created.IsMultiRegionTrail || !*created.IncludeGlobalServiceEvents {
		t.Errorf("CreateTrail = %+v", created)
	}
	svc.Record(event(h, "us-east-1", "CreateSecret", 0)) // before logging starts: not delivered
	settle(t, h)
	if _, err := kittest.Call(h, "us-east-1", ct.OpStartLogging, &ct.StartLoggingRequest{Name: new("audit")}); err != nil {
		t.Fatal(err)
	}
	svc.Record(event(h, "us-east-1", "PutSecretValue", time.Second))
	svc.Record(event(h, "us-west-2", "ReplicateSecretToRegions", 2*time.Second))
	svc.Record(event(h, "cn-north-1", "CreateSecret", 3*time.Second)) // another partition: not this trail's
	settle(t, h)
	h.Advance(4 * time.Minute)
	if keys, _ := f.logs(t); len(keys) != 0 {
		t.Fatalf("delivered before five minutes: %v", keys)
	}
	h.Advance(time.Minute)
	keys, records := f.logs(t)
	if len(keys) != 2 {
		t.Fatalf("delivered %v, want one file for each Region of the partition", keys)
	}
	layout := regexp.MustCompile(`^` + h.Account + `/audit-logs/org/AWSLogs/` + h.Account + `/CloudTrail/(us-east-1|us-west-2)/\d{4}/\d{2}/\d{2}/` +
		h.Account + `_CloudTrail_(us-east-1|us-west-2)_\d{8}T\d{4}Z_[0-9a-f]{16}\.json\.gz$`)
	for _, k := range keys {
		if !layout.MatchString(k) {
			t.Errorf("log file %s is not where CloudTrail puts it", k)
		}
	}
	east := records[keys[0]]
	if len(east) != 1 || east[0]["eventName"] != "PutSecretValue" || east[0]["awsRegion"] != "us-east-1" || east[0]["eventVersion"] != "1.09" {
		t.Errorf("us-east-1's log file holds %v", east)
	}
	if west := records[keys[1]]; len(west) != 1 || west[0]["eventName"] != "ReplicateSecretToRegions" {
		t.Errorf("us-west-2's log file holds %v", west)
	}

	status, err := kittest.Call(h, "us-west-2", ct.OpGetTrailStatus, &ct.GetTrailStatusRequest{Name: created.TrailARN})
	if err != nil {
		t.Fatal(err)
	}
	if !*status.IsLogging || status.LatestDeliveryTime == nil || !status.LatestDeliveryTime.Equal(h.Clock.Now()) || status.LatestDeliveryError != nil ||
		*status.LatestDeliveryAttemptSucceeded != *status.LatestDeliveryAttemptTime {
		t.Errorf("GetTrailStatus = %+v", status)
	}

	// Nothing new: no file. Stopped: what was logged is delivered, and nothing after.
	h.Advance(5 * time.Minute)
	if keys, _ := f.logs(t); len(keys) != 2 {
		t.Errorf("an empty delivery wrote files: %v", keys)
	}
	svc.Record(event(h, "us-east-1", "DeleteSecret", 0))
	settle(t, h)
	if _, err := kittest.Call(h, "us-east-1", ct.OpStopLogging, &ct.StopLoggingRequest{Name: new("audit")}); err != nil {
		t.Fatal(err)
	}
	svc.Record(event(h, "us-east-1", "GetSecretValue", time.Second))
	settle(t, h)
	h.Advance(10 * time.Minute)
	keys, records = f.logs(t)
	var names []string
	for _, k := range keys {
		for _, r := range records[k] {
			names = append(names, r["eventName"].(string))
		}
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "DeleteSecret") || strings.Contains(got, "GetSecretValue") || strings.Contains(got, "CreateSecret") {
		t.Errorf("delivered events: %s", got)
	}
	status, _ = kittest.Call(h, "us-east-1", ct.OpGetTrailStatus, &ct.GetTrailStatusRequest{Name: new("audit")})
	if *status.IsLogging || status.StopLoggingTime == nil {
		t.Errorf("GetTrailStatus after StopLogging = %+v", status)
	}
}

func TestAFailedDeliveryIsReportedAndRetried(t *testing.T) {
	h, svc, f := startWithFiles(t)
	kittest.Must[*ct.CreateTrailResponse](t)(kittest.Call(h, "us-east-1", ct.OpCreateTrail, &ct.CreateTrailRequest{Name: new("audit"), S3BucketName: new("audit-logs")}))
	kittest.Must[*ct.StartLoggingResponse](t)(kittest.Call(h, "us-east-1", ct.OpStartLogging, &ct.StartLoggingRequest{Name: new("audit")}))
	svc.Record(event(h, "us-east-1", "CreateSecret", 0))
	settle(t, h)
	f.mu.Lock()
	f.fail = io.ErrShortWrite
	f.mu.Unlock()
	h.Advance(5 * time.Minute)
	status := kittest.Must[*ct.GetTrailStatusResponse](t)(kittest.Call(h, "us-east-1", ct.OpGetTrailStatus, &ct.GetTrailStatusRequest{Name: new("audit")}))
	if status.LatestDeliveryError == nil || status.LatestDeliveryTime != nil || *status.LatestDeliveryAttemptSucceeded != "" {
		t.Errorf("after a failed delivery: %+v", status)
	}
	f.mu.Lock()
	f.fail = nil
	f.mu.Unlock()
	h.Advance(5 * time.Minute)
	if keys, records := f.logs(t); len(keys) != 1 || records[keys[0]][0]["eventName"] != "CreateSecret" {
		t.Errorf("the retried delivery: %v %v", keys, records)
	}
}

func TestTrailsAreSeenFromTheirRegions(t *testing.T) {
	h, _, _ := startWithFiles(t)
	for _, in := range []*ct.CreateTrailRequest{
		{Name: new("everywhere"), S3BucketName: new("logs-a"), IsMultiRegionTrail: new(true)},
		{Name: new("east-only"), S3BucketName: new("logs-b")},
	} {
		kittest.Must[*ct.CreateTrailResponse](t)(kittest.Call(h, "us-east-1", ct.OpCreateTrail, in))
	}
	names := func(region string, in *ct.DescribeTrailsRequest) string {
		out := kittest.Must[*ct.DescribeTrailsResponse](t)(kittest.Call(h, region, ct.OpDescribeTrails, in))
		var n []string
		for _, tr := range out.TrailList {
			n = append(n, *tr.Name+"@"+*tr.HomeRegion)
		}
		sort.Strings(n)
		return strings.Join(n, " ")
	}
	if got := names("us-east-1", &ct.DescribeTrailsRequest{}); got != "east-only@us-east-1 everywhere@us-east-1" {
		t.Errorf("us-east-1's trails: %s", got)
	}
	if got := names("us-west-2", &ct.DescribeTrailsRequest{}); got != "everywhere@us-east-1" {
		t.Errorf("us-west-2's trails (the shadow of the multi-Region one): %s", got)
	}
	if got := names("us-west-2", &ct.DescribeTrailsRequest{IncludeShadowTrails: new(false)}); got != "" {
		t.Errorf("us-west-2's own trails: %s", got)
	}
	if got := names("us-east-1", &ct.DescribeTrailsRequest{TrailNameList: []string{"east-only", "nope"}}); got != "east-only@us-east-1" {
		t.Errorf("trails by name: %s", got)
	}
	list := kittest.Must[*ct.ListTrailsResponse](t)(kittest.Call(h, "eu-west-1", ct.OpListTrails, &ct.ListTrailsRequest{}))
	if len(list.Trails) != 2 {
		t.Errorf("ListTrails = %+v", list.Trails)
	}
	got := kittest.Must[*ct.GetTrailResponse](t)(kittest.Call(h, "us-west-2", ct.OpGetTrail, &ct.GetTrailRequest{Name: new("everywhere")}))
	if *got.Trail.TrailARN != "arn:aws:cloudtrail:us-east-1:"+h.Account+":trail/everywhere" {
		t.Errorf("GetTrail from a shadow's Region = %+v", got.Trail)
	}

	_, err := kittest.Call(h, "us-west-2", ct.OpStartLogging, &ct.StartLoggingRequest{Name: new("everywhere")})
	wantCode(t, err, "InvalidHomeRegionException")
	_, err = kittest.Call(h, "us-west-2", ct.OpDeleteTrail, &ct.DeleteTrailRequest{Name: new("east-only")})
	wantCode(t, err, "TrailNotFoundException")
	kittest.Must[*ct.DeleteTrailResponse](t)(kittest.Call(h, "us-east-1", ct.OpDeleteTrail, &ct.DeleteTrailRequest{Name: new("east-only")}))
	_, err = kittest.Call(h, "us-east-1", ct.OpGetTrailStatus, &ct.GetTrailStatusRequest{Name: new("east-only")})
	wantCode(t, err, "TrailNotFoundException")
}

func TestBadTrailsAreRefused(t *testing.T) {
	h, _, _ := startWithFiles(t)
	kittest.Must[*ct.CreateTrailResponse](t)(kittest.Call(h, "us-east-1", ct.OpCreateTrail, &ct.CreateTrailRequest{Name: new("audit"), S3BucketName: new("logs")}))
	for _, c := range []struct {
		in   ct.CreateTrailRequest
		code string
	}{
		{ct.CreateTrailRequest{Name: new("audit"), S3BucketName: new("logs")}, "TrailAlreadyExistsException"},
		{ct.CreateTrailRequest{Name: new("ab"), S3BucketName: new("logs")}, "InvalidTrailNameException"},
		{ct.CreateTrailRequest{Name: new("my--trail"), S3BucketName: new("logs")}, "InvalidTrailNameException"},
		{ct.CreateTrailRequest{Name: new("-trail"), S3BucketName: new("logs")}, "InvalidTrailNameException"},
		{ct.CreateTrailRequest{Name: new("my trail"), S3BucketName: new("logs")}, "InvalidTrailNameException"},
		{ct.CreateTrailRequest{Name: new("10.0.0.1"), S3BucketName: new("logs")}, "InvalidTrailNameException"},
		{ct.CreateTrailRequest{Name: new("other"), S3BucketName: new("Logs_Bucket")}, "InvalidS3BucketNameException"},
		{ct.CreateTrailRequest{Name: new("other"), S3BucketName: new("logs"), SnsTopicName: new("t")}, "UnsupportedOperationException"},
		{ct.CreateTrailRequest{Name: new("other"), S3BucketName: new("logs"), KmsKeyId: new("alias/x")}, "UnsupportedOperationException"},
		{ct.CreateTrailRequest{Name: new("other"), S3BucketName: new("logs"), IsMultiRegionTrail: new(true), IncludeGlobalServiceEvents: new(false)}, "InvalidParameterCombinationException"},
	} {
		_, err := kittest.Call(h, "us-east-1", ct.OpCreateTrail, &c.in)
		wantCode(t, err, c.code)
	}
	out := kittest.Must[*ct.DescribeTrailsResponse](t)(kittest.Call(h, "us-east-1", ct.OpDescribeTrails, &ct.DescribeTrailsRequest{}))
	if len(out.TrailList) != 1 {
		t.Errorf("a refused trail was kept: %+v", out.TrailList)
	}
	_, err := kittest.Call(h, "us-east-1", ct.OpGetTrailStatus, &ct.GetTrailStatusRequest{Name: new("arn:aws:cloudtrail:us-east-1:999999999999:trail/audit")})
	wantCode(t, err, "CloudTrailARNInvalidException")
}
