package server_test

import (
	"testing"

	"github.com/xregion/xregion/internal/awsmodel"
)

// BenchmarkModelLoad times loading each service's model, which a service pays on its
// first request (start-up loads none): a model that grows, or a loader that slows, shows
// here per service.
func BenchmarkModelLoad(b *testing.B) {
	for _, src := range awsmodel.Sources() {
		api, err := awsmodel.Load(src.Doc, src.Types())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(api.Metadata.Signing(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src.Doc)))
			for b.Loop() {
				if _, err := awsmodel.Load(src.Doc, src.Types()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
