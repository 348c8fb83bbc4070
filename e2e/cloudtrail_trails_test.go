package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCloudTrailTrailWithCLI: the AWS CLI makes a multi-Region trail and starts it
// logging; a secret is created and replicated; five minutes later on the engine clock the
// trail has delivered gzipped CloudTrail log files, one per Region, under the data
// directory where its bucket would be — the calls with their caller, and no secret value.
// The trail is seen from us-west-2 (its shadow), and deleted.
func TestCloudTrailTrailWithCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startDurableServer(t, dir)
	var created struct{ TrailARN string }
	srv.awsJSON(t, "us-east-1", &created, "cloudtrail", "create-trail", "--name", "audit", "--s3-bucket-name", "audit-logs", "--is-multi-region-trail")
	srv.aws(t, "cloudtrail", "start-logging", "--name", "audit")
	srv.aws(t, "secretsmanager", "create-secret", "--name", "app/db", "--secret-string", "EXAMPLE-SECRET-VALUE", "--add-replica-regions", "Region=us-west-2")
	srv.awsIn(t, "us-west-2", "secretsmanager", "describe-secret", "--secret-id", "app/db")
	if files := trailFiles(t, dir); len(files) != 0 {
		t.Fatalf("delivered before five minutes: %v", files)
	}
	// An event reaches the store moments after its call; one that missed a delivery goes
	// with the next, five minutes later.
	byRegion := map[string]string{}
	pollUntil(t, time.Minute, func() string {
		srv.admin(t, "POST", "clock", `{"advance":"5m"}`, nil)
		byRegion = map[string]string{}
		for path, records := range trailFiles(t, dir) {
			if !strings.Contains(path, "/AWSLogs/123456789012/CloudTrail/") || !strings.HasSuffix(path, ".json.gz") {
				t.Errorf("log file %s is not where CloudTrail puts it", path)
			}
			for _, region := range []string{"us-east-1", "us-west-2"} {
				if strings.Contains(path, "/CloudTrail/"+region+"/") {
					byRegion[region] += records + "\n"
				}
			}
		}
		if !strings.Contains(byRegion["us-east-1"], `"eventName":"CreateSecret"`) || !strings.Contains(byRegion["us-east-1"], `"eventName":"StartLogging"`) ||
			!strings.Contains(byRegion["us-west-2"], `"eventName":"DescribeSecret"`) {
			return fmt.Sprintf("the log files by Region: %v", byRegion)
		}
		return ""
	})
	var status struct {
		IsLogging          bool
		LatestDeliveryTime *float64
	}
	srv.awsJSON(t, "us-east-1", &status, "cloudtrail", "get-trail-status", "--name", "audit")
	if !status.IsLogging || status.LatestDeliveryTime == nil {
		t.Errorf("get-trail-status: %+v", status)
	}
	if all := byRegion["us-east-1"] + byRegion["us-west-2"]; strings.Contains(all, "EXAMPLE-SECRET-VALUE") || !strings.Contains(all, `"type":"Root"`) {
		t.Errorf("the log files hold a secret value, or no caller:\n%s", all)
	}

	var shadows struct {
		TrailList []struct{ Name, HomeRegion string }
	}
	srv.awsJSON(t, "us-west-2", &shadows, "cloudtrail", "describe-trails")
	if len(shadows.TrailList) != 1 || shadows.TrailList[0].HomeRegion != "us-east-1" {
		t.Errorf("us-west-2's trails: %+v", shadows.TrailList)
	}
	if stderr := srv.awsFail(t, "us-west-2", "cloudtrail", "delete-trail", "--name", created.TrailARN); !strings.Contains(stderr, "InvalidHomeRegionException") {
		t.Errorf("deleting a trail outside its home Region: %s", stderr)
	}
	srv.aws(t, "cloudtrail", "delete-trail", "--name", "audit")
	if stderr := srv.awsFail(t, "us-east-1", "cloudtrail", "get-trail-status", "--name", "audit"); !strings.Contains(stderr, "TrailNotFoundException") {
		t.Errorf("the deleted trail's status: %s", stderr)
	}
}

// trailFiles reads the log files delivered to the bucket audit-logs under dataDir: each
// file's path and its records, ungzipped.
func trailFiles(t *testing.T, dataDir string) map[string]string {
	t.Helper()
	root := filepath.Join(dataDir, "reports", "123456789012", "audit-logs")
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(body, &doc); err != nil {
			return err
		}
		var compact []string
		for _, r := range doc.Records {
			var buf bytes.Buffer
			if err := json.Compact(&buf, r); err != nil {
				return err
			}
			compact = append(compact, buf.String())
		}
		out[filepath.ToSlash(path)] = strings.Join(compact, "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
