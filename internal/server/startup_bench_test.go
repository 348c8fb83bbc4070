package server_test

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/xregion/xregion/internal/server"
)

// BenchmarkStartToFirstAnswer is the in-process part of exec to first answer: build the
// server, start it, and answer GET /_xregion/health over a socket.
func BenchmarkStartToFirstAnswer(b *testing.B) {
	for _, mode := range []string{"in-memory", "durable"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cfg := server.Config{InMemory: mode == "in-memory"}
				if !cfg.InMemory {
					cfg.DataDir = filepath.Join(b.TempDir(), "data")
				}
				startAndAsk(b, cfg)
			}
		})
	}
}

func startAndAsk(b *testing.B, cfg server.Config) {
	srv, err := server.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	resp, err := http.Get("http://" + l.Addr().String() + "/_xregion/health")
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("health answered %d", resp.StatusCode)
	}
	b.StopTimer()
	if err := srv.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
}
