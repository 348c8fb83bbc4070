package e2e

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestRealDataReadReplica is the proof of real read replicas: rows written in
// us-east-1 are read on a read replica in us-west-2, which refuses writes; after kill -9
// of xregion and a restart the replica answers again on its port, still streaming, and
// no postgres is left from the killed xregion; us-west-2 cut off, the replica falls
// behind (its lag shows), and catches up when the Region returns; us-east-1 down (its
// API refuses calls), the replica is promoted, takes writes, and holds every row it had
// replayed — not the row written on the source after the cut.
func TestRealDataReadReplica(t *testing.T) {
	t.Parallel()
	needPostgres(t)
	ctx := context.Background()
	e := &realEnv{t: t, srv: startDurableServer(t, reachableDir(t), "--real-engines")}
	e.connect()

	if _, err := e.east.CreateDBInstance(ctx, realInstance("orders", 1)); err != nil {
		t.Fatal(err)
	}
	source := e.available(e.east, "orders")
	primary := func() int { return int(aws.ToInt32(e.available(e.east, "orders").Endpoint.Port)) }
	pgtest.Exec(t, pgtest.MustConnect(t, primary(), realMaster, realPassword, realDB),
		"CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 3)")

	if _, err := e.west.CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String("orders-dr"), SourceDBInstanceIdentifier: source.DBInstanceArn,
		SourceRegion: aws.String("us-east-1"),
	}); err != nil {
		t.Fatal(err)
	}
	replica := e.available(e.west, "orders-dr")
	if got := e.rows(replica, realPassword); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("the replica holds %v, want the source's [1 2 3]", got)
	}
	_, err := pgtest.MustConnect(t, int(aws.ToInt32(replica.Endpoint.Port)), realMaster, realPassword, realDB).
		Exec(ctx, "INSERT INTO orders VALUES (100)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Errorf("a write on the replica: %v, want PostgreSQL's read_only_sql_transaction", err)
	}
	e.insert(primary(), 4)
	e.replicaHolds(4)

	e.restartAfterKill(map[string][]int{"orders": {1, 2, 3, 4}, "orders-dr": {1, 2, 3, 4}})
	e.insert(primary(), 5)
	e.replicaHolds(5)

	e.cutAndCatchUp(primary)

	e.srv.admin(t, "POST", "faults", `{"region":"us-east-1","outage":"api"}`, nil)
	if _, err := e.east.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}); err == nil {
		t.Error("us-east-1's API answered during its outage")
	}
	lagged := e.fallBehind(int(aws.ToInt32(source.Endpoint.Port)), 2000)
	if _, err := e.west.PromoteReadReplica(ctx, &rds.PromoteReadReplicaInput{DBInstanceIdentifier: aws.String("orders-dr")}); err != nil {
		t.Fatal(err)
	}
	var promoted []int
	checkSlowly(t, 3*time.Minute, func() error {
		inst := e.available(e.west, "orders-dr")
		if inst.ReadReplicaSourceDBInstanceIdentifier != nil {
			return fmt.Errorf("still a replica of %s", aws.ToString(inst.ReadReplicaSourceDBInstanceIdentifier))
		}
		conn, err := pgtest.Connect(ctx, int(aws.ToInt32(inst.Endpoint.Port)), realMaster, realPassword, realDB)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "INSERT INTO orders VALUES (100)"); err != nil {
			return fmt.Errorf("a write on the promoted replica: %w", err)
		}
		promoted = pgtest.Ints(t, conn, "SELECT id FROM orders ORDER BY id")
		return nil
	})
	want := append(slices.Clone(lagged.had), 100)
	slices.Sort(want)
	if !slices.Equal(promoted, want) || slices.Contains(promoted, lagged.written) {
		t.Errorf("the promoted replica holds %v, want every row it had replayed and its own: %v", promoted, want)
	}
	e.srv.admin(t, "DELETE", "faults", "", nil)
}

// checkSlowly is xtest.CheckFor looking at most four times a second: each look here
// costs the servers new connections (a process each), and the machine is shared.
func checkSlowly(t *testing.T, timeout time.Duration, fn func() error) {
	t.Helper()
	var last time.Time
	var lastErr error = errors.New("not looked yet")
	xtest.CheckFor(t, timeout, func() error {
		if time.Since(last) < 250*time.Millisecond {
			return lastErr
		}
		last, lastErr = time.Now(), fn()
		return lastErr
	})
}

// insert writes row id on the server on port.
func (e *realEnv) insert(port, id int) {
	e.t.Helper()
	conn := pgtest.MustConnect(e.t, port, realMaster, realPassword, realDB)
	defer conn.Close(context.Background())
	pgtest.Exec(e.t, conn, "INSERT INTO orders VALUES ("+strconv.Itoa(id)+")")
}

// replicaHolds waits until the replica holds rows 1..n.
func (e *realEnv) replicaHolds(n int) {
	e.t.Helper()
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	checkSlowly(e.t, 3*time.Minute, func() error {
		if got := e.rows(e.available(e.west, "orders-dr"), realPassword); !slices.Equal(got, want) {
			return fmt.Errorf("the replica holds %v, want %v", got, want)
		}
		return nil
	})
}

var behindRE = regexp.MustCompile(`(\d+) seconds behind`)

// lagged is what a replica had when it was seen behind its source.
type lagged struct {
	seconds int
	had     []int
	written int // the last row written on the source
}

// fallBehind writes a row on the source (ids from firstRow on) every second until the
// replica is seen behind: its StatusInfos say it is at least a second behind, and it
// lacks the row written a second before (its stream is cut within a few seconds of the
// fault; until then rows keep arriving).
func (e *realEnv) fallBehind(sourcePort, firstRow int) lagged {
	e.t.Helper()
	var l lagged
	next, wrote, previous := firstRow, time.Time{}, 0
	checkSlowly(e.t, 3*time.Minute, func() error {
		if time.Since(wrote) > time.Second {
			e.insert(sourcePort, next)
			previous, l.written, wrote = l.written, next, time.Now()
			next++
		}
		inst := e.available(e.west, "orders-dr")
		info := inst.StatusInfos
		if len(info) != 1 || aws.ToString(info[0].Status) != "error" {
			return fmt.Errorf("replication %+v", info)
		}
		m := behindRE.FindStringSubmatch(aws.ToString(info[0].Message))
		if m == nil {
			return fmt.Errorf("replication message %q", aws.ToString(info[0].Message))
		}
		if l.seconds, _ = strconv.Atoi(m[1]); l.seconds < 1 {
			return fmt.Errorf("the replica is %d seconds behind", l.seconds)
		}
		if l.had = e.rows(inst, realPassword); previous == 0 || slices.Contains(l.had, previous) {
			return fmt.Errorf("the replica, %d seconds behind, still receives rows: %v", l.seconds, l.had)
		}
		return nil
	})
	return l
}

// cutAndCatchUp cuts us-west-2 off: the replica falls behind; once the Region is back
// it catches up with every row and replicates again.
func (e *realEnv) cutAndCatchUp(primary func() int) {
	e.t.Helper()
	e.srv.admin(e.t, "POST", "faults", `{"region":"us-west-2","unreachable":true}`, nil)
	l := e.fallBehind(primary(), 1000)
	e.srv.admin(e.t, "DELETE", "faults?region=us-west-2", "", nil)
	conn := pgtest.MustConnect(e.t, primary(), realMaster, realPassword, realDB)
	defer conn.Close(context.Background())
	all := pgtest.Ints(e.t, conn, "SELECT id FROM orders ORDER BY id")
	checkSlowly(e.t, 3*time.Minute, func() error {
		inst := e.available(e.west, "orders-dr")
		if got := e.rows(inst, realPassword); !slices.Equal(got, all) {
			return fmt.Errorf("the replica holds %v, want the source's %v", got, all)
		}
		if len(inst.StatusInfos) != 1 || aws.ToString(inst.StatusInfos[0].Status) != "replicating" {
			return fmt.Errorf("replication %+v", inst.StatusInfos)
		}
		return nil
	})
	if l.seconds < 1 {
		e.t.Errorf("the cut replica was %d seconds behind", l.seconds)
	}
}
