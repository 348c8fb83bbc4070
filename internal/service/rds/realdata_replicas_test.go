package rds_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

// TestRealDataReadReplica: the cross-Region read replica of a real instance asks the
// engines for a replica of the source's server, naming both Regions, and is creating
// until the engines have made it; while the source's Region is unreachable its
// StatusInfos carry the server's own lag; PromoteReadReplica promotes the server before
// the replica is available again; deleting the replica deletes its server.
func TestRealDataReadReplica(t *testing.T) {
	engines := &fakeEngines{ready: true}
	h := withRealInstance(t, engines)
	for range 3 {
		h.Advance(time.Second)
	}
	describe := func(region, id string) *rdsapi.DBInstance {
		out := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(h, region, rdsapi.OpDescribeDBInstances,
			&rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new(id)}))
		return &out.DBInstances[0]
	}
	source := describe("us-east-1", "real")

	engines.setReady(false)
	kittest.Must[*rdsapi.CreateDBInstanceReadReplicaResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpCreateDBInstanceReadReplica,
		&rdsapi.CreateDBInstanceReadReplicaMessage{DBInstanceIdentifier: new("dr"), SourceDBInstanceIdentifier: source.DBInstanceArn}))
	for range 3 {
		h.Advance(time.Second)
	}
	if s := *describe("us-west-2", "dr").DBInstanceStatus; s != "creating" || engines.count("replica") == 0 {
		t.Fatalf("the replica is %s after asking the engines %v", s, engines.calls)
	}
	asked := engines.replicas[0]
	if asked.Source != *source.DbiResourceId || asked.Region != "us-west-2" || asked.SourceRegion != "us-east-1" ||
		asked.ID == "" || asked.Backups.Region != "us-west-2" || asked.Backups.Name != asked.ID {
		t.Errorf("the engines were asked for %+v", asked)
	}
	engines.setReady(true)
	for range 3 {
		h.Advance(time.Second)
	}
	if s := *describe("us-west-2", "dr").DBInstanceStatus; s != "available" {
		t.Fatalf("the made replica is %s", s)
	}

	engines.mu.Lock()
	engines.lag = 42 * time.Second
	engines.mu.Unlock()
	h.SetUnreachable("us-east-1", true)
	h.Advance(time.Hour)
	info := describe("us-west-2", "dr").StatusInfos
	if len(info) != 1 || *info[0].Status != "error" || !strings.Contains(*info[0].Message, "42 seconds behind") {
		t.Errorf("a cut real replica shows %+v, want the server's lag", info)
	}

	kittest.Must[*rdsapi.PromoteReadReplicaResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpPromoteReadReplica,
		&rdsapi.PromoteReadReplicaMessage{DBInstanceIdentifier: new("dr")}))
	for range 5 {
		h.Advance(time.Second)
	}
	if n := engines.count("promote"); n == 0 || *describe("us-west-2", "dr").DBInstanceStatus != "available" {
		t.Errorf("promotion asked the engines %d times; the replica is %s", n, *describe("us-west-2", "dr").DBInstanceStatus)
	}
	before := engines.count("delete")
	kittest.Must[*rdsapi.DeleteDBInstanceResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpDeleteDBInstance,
		&rdsapi.DeleteDBInstanceMessage{DBInstanceIdentifier: new("dr"), SkipFinalSnapshot: new(true)}))
	for range 3 {
		h.Advance(time.Second)
	}
	if engines.count("delete") == before {
		t.Error("deleting the promoted replica did not delete its server")
	}
}
