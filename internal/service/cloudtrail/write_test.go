package cloudtrail

import (
	"fmt"
	"testing"

	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// BenchmarkWrite is the writer's cost per event, by batch size: what gathering a batch
// (gatherFor) saves of each transaction's fixed costs.
func BenchmarkWrite(b *testing.B) {
	for _, size := range []int{1, 4, 32} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			h := kittest.Start(b, []string{"cloudtrail"})
			svc := h.Service("cloudtrail").(*Service)
			batch := make([]port.TrailEvent, size)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for i := range batch {
					n++
					batch[i] = port.TrailEvent{ID: fmt.Sprint(n), Name: "GetSecretValue", Source: "secretsmanager.amazonaws.com",
						Time: h.Clock.Now(), Account: h.Account, Region: "us-east-1", EventType: "AwsApiCall", ReadOnly: true,
						RequestParameters: map[string]any{"secretId": "db"}}
				}
				if err := svc.write(batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
		})
	}
}
