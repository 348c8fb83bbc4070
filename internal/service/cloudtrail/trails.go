package cloudtrail

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	ct "github.com/xregion/xregion/internal/gen/cloudtrailapi"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// Trails deliver the management events of their Regions as log files, the way CloudTrail
// writes them to S3: gzipped JSON ({"Records": [...]}) under
// AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/. xregion has no S3, so a trail's
// bucket is a directory of port.Reports (under the data directory; in memory for a server
// without one), and any well-formed bucket name is accepted: there is no bucket policy to
// check. What a trail would send elsewhere — SNS notifications, CloudWatch Logs, SSE-KMS —
// is refused rather than silently not done.

// trails are an account's trails, in the account's Global records: trail/<home Region>/<name>.
// A multi-Region trail is seen from every Region (its shadow trails), so they are kept
// where every Region can find them.
var trails = kit.Table[trailRecord]{Kind: "trail"}

type trailRecord struct {
	Name         string    `json:"name"`
	HomeRegion   string    `json:"homeRegion"`
	Partition    string    `json:"partition"`
	Bucket       string    `json:"bucket"`
	Prefix       string    `json:"prefix,omitempty"`
	MultiRegion  bool      `json:"multiRegion,omitempty"`
	GlobalEvents bool      `json:"globalEvents,omitempty"`
	Validation   bool      `json:"validation,omitempty"`
	Logging      bool      `json:"logging,omitempty"`
	Created      time.Time `json:"created"`
	Started      time.Time `json:"started,omitzero"`
	Stopped      time.Time `json:"stopped,omitzero"`
	Delivered    time.Time `json:"delivered,omitzero"` // the last delivery that wrote files
	Attempted    time.Time `json:"attempted,omitzero"` // the last delivery tried
	DeliveryErr  string    `json:"deliveryError,omitempty"`
	Armed        time.Time `json:"armed,omitzero"` // when the next delivery runs; zero when none is armed
}

func (t *trailRecord) arn(account string) string {
	return arn.New(t.Partition, "cloudtrail", t.HomeRegion, account, "trail/"+t.Name)
}

// covers reports whether the trail logs the events of region: a multi-Region trail
// covers the Regions of its partition.
func (t *trailRecord) covers(region string) bool {
	if region == t.HomeRegion {
		return true
	}
	partition, _ := regions.Partition(region)
	return t.MultiRegion && partition == t.Partition
}

func (t *trailRecord) out(account string) ct.Trail {
	return ct.Trail{
		Name: new(t.Name), S3BucketName: new(t.Bucket), S3KeyPrefix: optional(t.Prefix), IncludeGlobalServiceEvents: new(t.GlobalEvents),
		IsMultiRegionTrail: new(t.MultiRegion), HomeRegion: new(t.HomeRegion), TrailARN: new(t.arn(account)),
		LogFileValidationEnabled: new(t.Validation), HasCustomEventSelectors: new(false), HasInsightSelectors: new(false),
		IsOrganizationTrail: new(false),
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// trailName is CloudTrail's rule for names: 3 to 128 letters, digits, periods, hyphens
// and underscores, starting and ending with a letter or digit, with no two of the
// punctuation marks next to each other, and not an IP address.
var (
	trailNameChars    = lazyregexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	trailNameAdjacent = lazyregexp.MustCompile(`[._-]{2}`)
)

func checkTrailName(name string) error {
	switch {
	case len(name) < 3:
		return msgTrailNameShort.New(len(name))
	case len(name) > 128:
		return msgTrailNameLong.New(len(name))
	case !trailNameChars.MatchString(name):
		return msgTrailNameChars.New()
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return msgTrailNameEnds.New()
	case trailNameAdjacent.MatchString(name):
		return msgTrailNameAdjacent.New()
	case net.ParseIP(name) != nil:
		return msgTrailNameIP.New()
	}
	return nil
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// bucketName is S3's rule for bucket names: 3 to 63 lowercase letters, digits, periods
// and hyphens, starting and ending with a letter or digit.
var bucketName = lazyregexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func (s *Service) CreateTrail(ctx context.Context, in *ct.CreateTrailRequest) (*ct.CreateTrailResponse, error) {
	c := s.Call(ctx)
	name, bucket, prefix := deref(in.Name), deref(in.S3BucketName), deref(in.S3KeyPrefix)
	if err := checkTrailName(name); err != nil {
		return nil, err
	}
	if !bucketName.MatchString(bucket) || strings.Contains(bucket, "..") {
		return nil, msgBucketName.New(bucket)
	}
	if len(prefix) > 200 {
		return nil, msgPrefix.New()
	}
	if err := refuseUnserved(in); err != nil {
		return nil, err
	}
	rec := &trailRecord{Name: name, HomeRegion: c.Region, Partition: c.Partition, Bucket: bucket, Prefix: prefix,
		MultiRegion: deref(in.IsMultiRegionTrail), GlobalEvents: in.IncludeGlobalServiceEvents == nil || *in.IncludeGlobalServiceEvents,
		Validation: deref(in.EnableLogFileValidation), Created: c.Now()}
	if rec.MultiRegion && !rec.GlobalEvents {
		return nil, msgMultiRegionGlobal.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ct.CreateTrailResponse, error) {
		v := tx.In(c.Account, kit.Global)
		if trails.Has(v, c.Region, name) {
			return nil, msgTrailExists.New(name, c.Account)
		}
		if err := trails.Put(v, rec, c.Region, name); err != nil {
			return nil, err
		}
		t := rec.out(c.Account)
		return &ct.CreateTrailResponse{Name: t.Name, S3BucketName: t.S3BucketName, S3KeyPrefix: t.S3KeyPrefix,
			IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents, IsMultiRegionTrail: t.IsMultiRegionTrail, TrailARN: t.TrailARN,
			LogFileValidationEnabled: t.LogFileValidationEnabled, IsOrganizationTrail: t.IsOrganizationTrail}, nil
	})
}

// refuseUnserved refuses what a trail would deliver somewhere xregion has not got.
func refuseUnserved(in *ct.CreateTrailRequest) error {
	for param, given := range map[string]bool{
		"SnsTopicName": in.SnsTopicName != nil, "CloudWatchLogsLogGroupArn": in.CloudWatchLogsLogGroupArn != nil,
		"CloudWatchLogsRoleArn": in.CloudWatchLogsRoleArn != nil, "KmsKeyId": in.KmsKeyId != nil,
		"IsOrganizationTrail": deref(in.IsOrganizationTrail),
	} {
		if given {
			return msgUnserved.New(param)
		}
	}
	return nil
}

// findTrail is the trail a Name (a name or an ARN) means in region: one of region's own,
// or a multi-Region trail of another home Region (its shadow), by ARN or name.
func findTrail(v kit.View, region, name string) (*trailRecord, error) {
	if name == "" {
		return nil, msgTrailNotProvided.New()
	}
	home, short := region, name
	if a, err := arn.Parse(name); err == nil {
		if a.Service != "cloudtrail" || !strings.HasPrefix(a.Resource, "trail/") || a.Account != v.Account() {
			return nil, msgTrailARN.New(name)
		}
		home, short = a.Region, strings.TrimPrefix(a.Resource, "trail/")
	}
	rec, err := trails.Get(v, home, short)
	if err != nil {
		return nil, err
	}
	if rec == nil && home == region {
		rec, err = shadowNamed(v, short)
	}
	if err != nil {
		return nil, err
	}
	if rec == nil || !rec.covers(region) {
		return nil, msgTrailNotFound.New(name, v.Account())
	}
	return rec, nil
}

// shadowNamed is the multi-Region trail of another home Region called name, if any.
func shadowNamed(v kit.View, name string) (*trailRecord, error) {
	var found *trailRecord
	err := trails.Scan(v, func(rec *trailRecord) bool {
		if rec.MultiRegion && rec.Name == name {
			found = rec
		}
		return found == nil
	})
	return found, err
}

// homeTrail is findTrail for the operations only the trail's home Region takes.
func homeTrail(v kit.View, region, name string) (*trailRecord, error) {
	rec, err := findTrail(v, region, name)
	if err != nil {
		return nil, err
	}
	if rec.HomeRegion != region {
		return nil, msgHomeRegion.New(rec.HomeRegion)
	}
	return rec, nil
}

func (s *Service) DescribeTrails(ctx context.Context, in *ct.DescribeTrailsRequest) (*ct.DescribeTrailsResponse, error) {
	c := s.Call(ctx)
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	return kit.Read(s.Kit, func(tx kit.Tx) (*ct.DescribeTrailsResponse, error) {
		v := tx.In(c.Account, kit.Global)
		out := &ct.DescribeTrailsResponse{TrailList: []ct.Trail{}}
		if len(in.TrailNameList) > 0 {
			// Names that name no trail are left out, as CloudTrail does.
			for _, name := range in.TrailNameList {
				if rec, err := findTrail(v, c.Region, name); err == nil {
					out.TrailList = append(out.TrailList, rec.out(c.Account))
				}
			}
			return out, nil
		}
		err := trails.Scan(v, func(rec *trailRecord) bool {
			if rec.HomeRegion == c.Region || shadows && rec.covers(c.Region) {
				out.TrailList = append(out.TrailList, rec.out(c.Account))
			}
			return true
		})
		return out, err
	})
}

func (s *Service) GetTrail(ctx context.Context, in *ct.GetTrailRequest) (*ct.GetTrailResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ct.GetTrailResponse, error) {
		rec, err := findTrail(tx.In(c.Account, kit.Global), c.Region, deref(in.Name))
		if err != nil {
			return nil, err
		}
		t := rec.out(c.Account)
		return &ct.GetTrailResponse{Trail: &t}, nil
	})
}

func (s *Service) ListTrails(ctx context.Context, in *ct.ListTrailsRequest) (*ct.ListTrailsResponse, error) {
	c := s.Call(ctx)
	if in.NextToken != nil {
		return nil, msgInvalidNextToken.New() // every trail fits in the first page
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ct.ListTrailsResponse, error) {
		out := &ct.ListTrailsResponse{Trails: []ct.TrailInfo{}}
		err := trails.Scan(tx.In(c.Account, kit.Global), func(rec *trailRecord) bool {
			if rec.Partition == c.Partition {
				out.Trails = append(out.Trails, ct.TrailInfo{TrailARN: new(rec.arn(c.Account)), Name: new(rec.Name), HomeRegion: new(rec.HomeRegion)})
			}
			return true
		})
		return out, err
	})
}

func (s *Service) GetTrailStatus(ctx context.Context, in *ct.GetTrailStatusRequest) (*ct.GetTrailStatusResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ct.GetTrailStatusResponse, error) {
		rec, err := findTrail(tx.In(c.Account, kit.Global), c.Region, deref(in.Name))
		if err != nil {
			return nil, err
		}
		out := &ct.GetTrailStatusResponse{IsLogging: new(rec.Logging), StartLoggingTime: stamp(rec.Started), StopLoggingTime: stamp(rec.Stopped),
			LatestDeliveryTime: stamp(rec.Delivered), TimeLoggingStarted: text(rec.Started), TimeLoggingStopped: text(rec.Stopped),
			LatestDeliveryAttemptTime: text(rec.Attempted), LatestNotificationAttemptTime: new(""), LatestNotificationAttemptSucceeded: new("")}
		out.LatestDeliveryAttemptSucceeded = new("")
		if !rec.Attempted.IsZero() {
			out.LatestDeliveryAttemptSucceeded = text(rec.Delivered)
		}
		if rec.DeliveryErr != "" {
			out.LatestDeliveryError = new(rec.DeliveryErr)
		}
		return out, nil
	})
}

func stamp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// text is a time as GetTrailStatus's string members carry it ("" for never).
func text(t time.Time) *string {
	if t.IsZero() {
		return new("")
	}
	return new(t.UTC().Format("2006-01-02T15:04:05Z"))
}

func (s *Service) StartLogging(ctx context.Context, in *ct.StartLoggingRequest) (*ct.StartLoggingResponse, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ct.StartLoggingResponse, error) {
		v := tx.In(c.Account, kit.Global)
		rec, err := homeTrail(v, c.Region, deref(in.Name))
		if err != nil || rec.Logging {
			return &ct.StartLoggingResponse{}, err
		}
		rec.Logging, rec.Started = true, c.Now()
		if err := trails.Put(v, rec, rec.HomeRegion, rec.Name); err != nil {
			return nil, err
		}
		return &ct.StartLoggingResponse{}, s.armDelivery(tx, c.Account, rec, c.Now())
	})
}

func (s *Service) StopLogging(ctx context.Context, in *ct.StopLoggingRequest) (*ct.StopLoggingResponse, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ct.StopLoggingResponse, error) {
		v := tx.In(c.Account, kit.Global)
		rec, err := homeTrail(v, c.Region, deref(in.Name))
		if err != nil || !rec.Logging {
			return &ct.StopLoggingResponse{}, err
		}
		// The events logged so far are still delivered: the armed delivery runs once more.
		rec.Logging, rec.Stopped = false, c.Now()
		return &ct.StopLoggingResponse{}, trails.Put(v, rec, rec.HomeRegion, rec.Name)
	})
}

func (s *Service) DeleteTrail(ctx context.Context, in *ct.DeleteTrailRequest) (*ct.DeleteTrailResponse, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ct.DeleteTrailResponse, error) {
		v := tx.In(c.Account, kit.Global)
		rec, err := homeTrail(v, c.Region, deref(in.Name))
		if err != nil {
			return nil, err
		}
		// Events not yet delivered go with the trail, as a deleted trail's do.
		if err := pending.DeleteAll(v, rec.HomeRegion, rec.Name); err != nil {
			return nil, err
		}
		return &ct.DeleteTrailResponse{}, trails.Delete(v, rec.HomeRegion, rec.Name)
	})
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
