package cloudtrail

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/bolt"
	"github.com/xregion/xregion/internal/xtest"
)

// BenchmarkWrite is the writer's cost per event, by batch size and store: what gathering
// a batch (gatherFor) saves of each transaction's fixed costs. On disk the CPU time per
// event (cpu-ns/event, every goroutine's) is the figure: the wall time also counts
// waiting for the fsyncs.
func BenchmarkWrite(b *testing.B) {
	stores := map[string]func(b *testing.B) store.Store{
		"memory": func(*testing.B) store.Store { return nil }, // kittest's own
		"durable": func(b *testing.B) store.Store {
			st, err := bolt.Open(filepath.Join(b.TempDir(), "xregion.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			return st
		},
	}
	for _, name := range []string{"memory", "durable"} {
		for _, size := range []int{1, 32, 512} {
			b.Run(fmt.Sprintf("store=%s/batch=%d", name, size), func(b *testing.B) {
				var opts []kittest.Option
				if st := stores[name](b); st != nil {
					opts = append(opts, kittest.WithStore(st))
				}
				benchWrite(b, kittest.Start(b, []string{"cloudtrail"}, opts...), size)
			})
		}
	}
}

func benchWrite(b *testing.B, h *kittest.Harness, size int) {
	svc := h.Service("cloudtrail").(*Service)
	batch := make([]port.TrailEvent, size)
	b.ReportAllocs()
	n := 0
	cpu := xtest.CPUTime()
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = port.TrailEvent{ID: fmt.Sprint(n), Name: "GetSecretValue", Source: "secretsmanager.amazonaws.com",
				Time: h.Clock.Now(), Account: h.Account, Region: "us-east-1", EventType: "AwsApiCall", ReadOnly: true,
				UserAgent:         "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.35.0",
				RequestParameters: map[string]any{"secretId": "db"}}
		}
		if err := svc.write(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
	b.ReportMetric(float64(xtest.CPUTime()-cpu)/float64(n), "cpu-ns/event")
}
