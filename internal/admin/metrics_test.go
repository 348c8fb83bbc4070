package admin_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/xregion/xregion/internal/server"
	"github.com/xregion/xregion/internal/server/servertest"
)

// scrapeMetrics reads /_xregion/metrics with token and parses it with the Prometheus
// library's own parser.
func scrapeMetrics(t *testing.T, url, token string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/_xregion/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing the exposition: %v", err)
	}
	return resp.StatusCode, families
}

func labelled(f *dto.MetricFamily, want map[string]string) float64 {
	var sum float64
	for _, m := range f.GetMetric() {
		matched := 0
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
				matched++
			}
		}
		if matched == len(want) {
			sum += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount()) + m.GetGauge().GetValue()
		}
	}
	return sum
}

// TestMetricsShowRequestsAndReplication scrapes a server that replicated a secret and
// refused calls under a drill: request counts by code, the replication's lag, the fault.
func TestMetricsShowRequestsAndReplication(t *testing.T) {
	inst := servertest.Start(t, func(c *server.Config) { c.AdminToken = "m3trics" })
	ctx := context.Background()
	east := secretsmanager.NewFromConfig(inst.Config("us-east-1"))
	_, err := east.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("pw"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2")}}})
	if err != nil {
		t.Fatal(err)
	}
	inst.WaitIdle()
	if code, _ := scrapeMetrics(t, inst.URL, ""); code != http.StatusUnauthorized {
		t.Errorf("metrics without the admin token: %d, want 401", code)
	}
	_, f := scrapeMetrics(t, inst.URL, "m3trics")
	if n := labelled(f["xregion_requests_total"], map[string]string{"service": "secretsmanager", "operation": "CreateSecret", "region": "us-east-1", "status": "200"}); n != 1 {
		t.Errorf("CreateSecret requests = %v, want 1", n)
	}
	if n := labelled(f["xregion_job_lag_seconds"], map[string]string{"kind": "secretsmanager.sync"}); n < 1 {
		t.Errorf("replication lag samples = %v, want at least one", n)
	}
	if n := labelled(f["xregion_store_commit_seconds"], nil); n < 1 {
		t.Errorf("commit samples = %v", n)
	}
}
