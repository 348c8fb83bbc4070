package postgres

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/xregion/xregion/internal/engines/backupstore"
	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/seal"
)

// BenchmarkRestore measures a point-in-time restore to the latest time against the
// database's size: unsealing the base backup, unsealing the WAL, recovery, promotion.
// In "base" the rows are in the base backup; in "wal" they were written after it, so
// recovery replays them. Run with
//
//	go test -run XXX -bench Restore -benchtime 3x ./internal/engines/postgres
func BenchmarkRestore(b *testing.B) {
	for _, mb := range []int{16, 64, 256} {
		for _, where := range []string{"base", "wal"} {
			b.Run(fmt.Sprintf("%s/%dMB", where, mb), func(b *testing.B) { benchRestore(b, mb, where == "wal") })
		}
	}
}

// rowBytes is roughly what one benchmark row takes on disk: a 256-character pad (hex,
// so about half of it compresses away) and PostgreSQL's per-row overhead.
const rowBytes = 300

func benchRestore(b *testing.B, mb int, inWAL bool) {
	ctx := context.Background()
	s := newServer(b, "db-bench")
	st, err := backupstore.Open(filepath.Join(b.TempDir(), "store"), seal.Ephemeral())
	if err != nil {
		b.Fatal(err)
	}
	conn := pgtest.MustConnect(b, s.Spec().Port, master, password, "app")
	fill := fmt.Sprintf("INSERT INTO t SELECT n, repeat(md5(n::text), 8) FROM generate_series(1, %d) n", mb<<20/rowBytes)
	pgtest.Exec(b, conn, "CREATE TABLE t (n int, pad text)")
	if !inWAL {
		pgtest.Exec(b, conn, fill)
	}
	base, err := s.BaseBackup(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	if inWAL {
		pgtest.Exec(b, conn, fill)
	}
	latest, err := s.Flush(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	conn.QueryRow(ctx, "SELECT pg_database_size('app')").Scan(&size)
	usage, _ := st.Usage()

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := restore(b, fmt.Sprintf("db-bench-%d", i), st, "", Target{Time: latest})
		b.StopTimer()
		r.Stop()
		r.Remove()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/(1<<20), "dbMB")
	b.ReportMetric(float64(base.Bytes)/(1<<20), "baseMB")
	b.ReportMetric(float64(usage.StoredBytes)/(1<<20), "storedMB")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/restore")
}
