package rds_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

func (f *fakeEngines) RunsCluster(engine string) bool { return engine == "aurora-postgresql" }

// realCluster runs an RDS alone with engines that are done at once.
func realClusterHarness(t *testing.T) (*kittest.Harness, *fakeEngines) {
	engines := &fakeEngines{}
	h := alone(t, kittest.NewKeyRing(), kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.DatabaseEngines](p, engines)
	}))
	return h, engines
}

func describeCluster(t *testing.T, h *kittest.Harness, region, id string) *rdsapi.DBCluster {
	t.Helper()
	out := kittest.Must[*rdsapi.DBClusterMessage](t)(kittest.Call(h, region, rdsapi.OpDescribeDBClusters,
		&rdsapi.DescribeDBClustersMessage{DBClusterIdentifier: new(id)}))
	return &out.DBClusters[0]
}

func advance(h *kittest.Harness, n int) {
	for range n {
		h.Advance(time.Second)
	}
}

// TestRealClusterStepsWaitForTheEngines: an aurora-postgresql cluster stays creating
// until its server is made and its first base backup taken, then answers on the
// server's endpoint — the cluster, reader and writer instance endpoints alike — with the
// backups' window; its password reaches the server and never the store in plain text;
// a new password, stop, start, the writer's reboot and delete act on the server (named by the cluster's
// resource id); an aurora-mysql cluster never asks the engines.
func TestRealClusterStepsWaitForTheEngines(t *testing.T) {
	h, engines := realClusterHarness(t)
	kittest.Must[*rdsapi.CreateDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBCluster, &rdsapi.CreateDBClusterMessage{
		DBClusterIdentifier: new("real"), Engine: new("aurora-postgresql"), EngineVersion: new("15.4"),
		MasterUsername: new("app"), MasterUserPassword: new("a-cluster-password-never-stored"), DatabaseName: new("orders")}))
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, &rdsapi.CreateDBInstanceMessage{
		DBInstanceIdentifier: new("writer"), DBClusterIdentifier: new("real"), Engine: new("aurora-postgresql"), DBInstanceClass: new("db.r6g.large")}))
	advance(h, 3)
	cl := describeCluster(t, h, "us-east-1", "real")
	if *cl.Status != "creating" {
		t.Fatalf("status %s while the server is being made", *cl.Status)
	}
	if s := engines.server; s.ID != *cl.DbClusterResourceId || s.MasterPassword != "a-cluster-password-never-stored" ||
		s.DBName != "orders" || s.MasterUsername != "app" || s.Backups.Name != *cl.DbClusterResourceId || s.Backups.Kind != port.AutomatedBackups {
		t.Errorf("the engines were asked for %+v", s)
	}
	noPlainPassword(t, h.Store, "a-cluster-password-never-stored")

	engines.setReady(true)
	latest := h.Clock.Now().Add(-time.Second)
	engines.window = port.RestoreWindow{Earliest: latest.Add(-time.Minute), Latest: latest}
	advance(h, 3)
	cl = describeCluster(t, h, "us-east-1", "real")
	if *cl.Status != "available" || *cl.Endpoint != "127.0.0.1" || *cl.ReaderEndpoint != "127.0.0.1" || *cl.Port != 45432 {
		t.Errorf("available cluster: %s %s %s %d", *cl.Status, *cl.Endpoint, *cl.ReaderEndpoint, *cl.Port)
	}
	if cl.LatestRestorableTime == nil || !cl.LatestRestorableTime.Equal(latest) {
		t.Errorf("LatestRestorableTime %v, want the backups' %v", cl.LatestRestorableTime, latest)
	}
	if !strings.Contains(strings.Join(engines.calls, ","), "create,backup") {
		t.Errorf("calls %v: a cluster is available once made and backed up", engines.calls)
	}
	db := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBInstances,
		&rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new("writer")})).DBInstances[0]
	if *db.Endpoint.Address != "127.0.0.1" || *db.Endpoint.Port != 45432 {
		t.Errorf("the writer's endpoint %+v is not its cluster's server", db.Endpoint)
	}

	kittest.Must[*rdsapi.ModifyDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpModifyDBCluster, &rdsapi.ModifyDBClusterMessage{
		DBClusterIdentifier: new("real"), MasterUserPassword: new("the-new-cluster-password"), ApplyImmediately: new(true)}))
	advance(h, 3)
	if !slices.Contains(engines.passwords, "the-new-cluster-password") {
		t.Errorf("passwords set %v", engines.passwords)
	}
	noPlainPassword(t, h.Store, "the-new-cluster-password")
	kittest.Must[*rdsapi.StopDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpStopDBCluster, &rdsapi.StopDBClusterMessage{DBClusterIdentifier: new("real")}))
	advance(h, 3)
	kittest.Must[*rdsapi.StartDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpStartDBCluster, &rdsapi.StartDBClusterMessage{DBClusterIdentifier: new("real")}))
	advance(h, 3)
	kittest.Must[*rdsapi.RebootDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpRebootDBInstance, &rdsapi.RebootDBInstanceMessage{DBInstanceIdentifier: new("writer")}))
	advance(h, 3)
	if engines.count("stop") == 0 || engines.count("start") == 0 || engines.count("reboot") != 1 {
		t.Errorf("calls %v: stop, start and the writer's reboot reach the server", engines.calls)
	}

	before := len(engines.calls)
	kittest.Must[*rdsapi.CreateDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBCluster, &rdsapi.CreateDBClusterMessage{
		DBClusterIdentifier: new("meta"), Engine: new("aurora-mysql"), EngineVersion: new("8.0"),
		MasterUsername: new("app"), MasterUserPassword: new("a-password")}))
	advance(h, 3)
	if s := *describeCluster(t, h, "us-east-1", "meta").Status; s != "available" || len(engines.calls) != before {
		t.Errorf("an aurora-mysql cluster is %s after asking the engines %v", s, engines.calls[before:])
	}

	kittest.Must[*rdsapi.DeleteDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBInstance, &rdsapi.DeleteDBInstanceMessage{DBInstanceIdentifier: new("writer")}))
	advance(h, 3)
	kittest.Must[*rdsapi.DeleteDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBCluster, &rdsapi.DeleteDBClusterMessage{
		DBClusterIdentifier: new("real"), FinalDBSnapshotIdentifier: new("real-final")}))
	advance(h, 5)
	if engines.count("snapshot") == 0 || engines.count("delete") == 0 {
		t.Errorf("calls %v: the final snapshot is taken and the server deleted", engines.calls)
	}
	if got := engines.droppedNames(port.AutomatedBackups); len(got) != 1 {
		t.Errorf("automated stores dropped %v, want the deleted cluster's", got)
	}
}

// TestRealClusterSnapshotsCopiesAndRestores: a real cluster's snapshot is a base backup
// into a cluster-snapshot store, its copy into another Region copies that store under
// the destination's key, a restore from the copy and a point-in-time restore make their
// clusters' servers from the right stores, a deleted snapshot's store goes with it, and a
// retained backup shows its store's window and takes its store when it goes.
func TestRealClusterSnapshotsCopiesAndRestores(t *testing.T) {
	h, engines := realClusterHarness(t)
	engines.setReady(true)
	kittest.Must[*rdsapi.CreateDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBCluster, &rdsapi.CreateDBClusterMessage{
		DBClusterIdentifier: new("src"), Engine: new("aurora-postgresql"), EngineVersion: new("15.4"),
		MasterUsername: new("app"), MasterUserPassword: new("a-password"), DatabaseName: new("orders")}))
	latest := h.Clock.Now()
	engines.window = port.RestoreWindow{Earliest: latest.Add(-time.Hour), Latest: latest}
	advance(h, 3)
	kittest.Must[*rdsapi.CreateDBClusterSnapshotResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBClusterSnapshot,
		&rdsapi.CreateDBClusterSnapshotMessage{DBClusterIdentifier: new("src"), DBClusterSnapshotIdentifier: new("snap")}))
	advance(h, 3)
	if engines.count("snapshot") != 1 {
		t.Fatalf("calls %v: one base backup for the snapshot", engines.calls)
	}
	source := "arn:aws:rds:us-east-1:" + kittest.Account + ":cluster-snapshot:snap"
	kittest.Must[*rdsapi.CopyDBClusterSnapshotResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpCopyDBClusterSnapshot,
		&rdsapi.CopyDBClusterSnapshotMessage{SourceDBClusterSnapshotIdentifier: new(source), TargetDBClusterSnapshotIdentifier: new("copy")}))
	advance(h, 3)
	if engines.count("copy") != 1 {
		t.Fatalf("calls %v: the copy copies the snapshot's store", engines.calls)
	}
	kittest.Must[*rdsapi.RestoreDBClusterFromSnapshotResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpRestoreDBClusterFromSnapshot,
		&rdsapi.RestoreDBClusterFromSnapshotMessage{DBClusterIdentifier: new("restored"), SnapshotIdentifier: new("copy"), Engine: new("aurora-postgresql")}))
	at := latest.Add(-time.Minute).Truncate(time.Second)
	kittest.Must[*rdsapi.RestoreDBClusterToPointInTimeResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpRestoreDBClusterToPointInTime,
		&rdsapi.RestoreDBClusterToPointInTimeMessage{DBClusterIdentifier: new("pitr"), SourceDBClusterIdentifier: new("src"), RestoreToTime: &at}))
	advance(h, 3)
	if len(engines.restores) != 2 {
		t.Fatalf("restores %+v", engines.restores)
	}
	fromCopy, pitr := engines.restores[0], engines.restores[1]
	if pitr.Snapshot { // the two restores' steps run in either order
		fromCopy, pitr = pitr, fromCopy
	}
	if fromCopy.From.Kind != port.ClusterSnapshotBackups || fromCopy.From.Name != "copy" || fromCopy.From.Region != "us-west-2" ||
		!fromCopy.Snapshot || fromCopy.DBName != "orders" || fromCopy.MasterUsername != "app" {
		t.Errorf("the restore from the copy was asked as %+v", fromCopy)
	}
	src := describeCluster(t, h, "us-east-1", "src")
	if pitr.From.Kind != port.AutomatedBackups || pitr.From.Name != *src.DbClusterResourceId || !pitr.Time.Equal(at) || pitr.Latest {
		t.Errorf("the point-in-time restore was asked as %+v", pitr)
	}
	for region, id := range map[string]string{"us-west-2": "restored", "us-east-1": "pitr"} {
		if cl := describeCluster(t, h, region, id); *cl.Status != "available" || *cl.Endpoint != "127.0.0.1" {
			t.Errorf("restored cluster %s: %s at %s", id, *cl.Status, *cl.Endpoint)
		}
	}
	kittest.Must[*rdsapi.DeleteDBClusterSnapshotResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpDeleteDBClusterSnapshot,
		&rdsapi.DeleteDBClusterSnapshotMessage{DBClusterSnapshotIdentifier: new("copy")}))
	if got := engines.droppedNames(port.ClusterSnapshotBackups); !slices.Equal(got, []string{"copy"}) {
		t.Errorf("cluster snapshot stores dropped %v, want the deleted copy's", got)
	}

	// A deleted cluster's retained backup shows its store's window, and its store goes
	// when the retained backup is deleted.
	kittest.Must[*rdsapi.DeleteDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBCluster, &rdsapi.DeleteDBClusterMessage{
		DBClusterIdentifier: new("src"), SkipFinalSnapshot: new(true), DeleteAutomatedBackups: new(false)}))
	advance(h, 3)
	retained := kittest.Must[*rdsapi.DBClusterAutomatedBackupMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBClusterAutomatedBackups,
		&rdsapi.DescribeDBClusterAutomatedBackupsMessage{DbClusterResourceId: src.DbClusterResourceId})).DBClusterAutomatedBackups
	if len(retained) != 1 || !retained[0].RestoreWindow.LatestTime.Equal(latest) || len(engines.droppedNames(port.AutomatedBackups)) != 0 {
		t.Fatalf("retained %+v, automated stores dropped %v", retained, engines.droppedNames(port.AutomatedBackups))
	}
	kittest.Must[*rdsapi.DeleteDBClusterAutomatedBackupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBClusterAutomatedBackup,
		&rdsapi.DeleteDBClusterAutomatedBackupMessage{DbClusterResourceId: src.DbClusterResourceId}))
	if got := engines.droppedNames(port.AutomatedBackups); !slices.Equal(got, []string{*src.DbClusterResourceId}) {
		t.Errorf("automated stores dropped %v, want the retained backup's", got)
	}
}

// TestRealClusterManagedSecret: a cluster with a managed master password is made with
// the secret's generated password, never stored, and a new value of the secret (a rotation) is set in the
// cluster's server while it stays available.
func TestRealClusterManagedSecret(t *testing.T) {
	engines := &fakeEngines{ready: true}
	var owner port.ManagedSecretOwner
	h := alone(t, kittest.NewKeyRing(), kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.DatabaseEngines](p, engines)
		service.Need(p, &owner)
	}))
	out := kittest.Must[*rdsapi.CreateDBClusterResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBCluster, &rdsapi.CreateDBClusterMessage{
		DBClusterIdentifier: new("managed"), Engine: new("aurora-postgresql"), EngineVersion: new("15.4"),
		MasterUsername: new("app"), ManageMasterUserPassword: new(true)}))
	advance(h, 3)
	secretARN := *out.DBCluster.MasterUserSecret.SecretArn
	// The secret's value is Secrets Manager's (the fake keeps it in memory): the server
	// was made with a generated password the store never held.
	made := engines.server.MasterPassword
	if len(made) < 16 || *describeCluster(t, h, "us-east-1", "managed").Status != "available" {
		t.Fatalf("the server was made with %q", made)
	}
	noPlainPassword(t, h.Store, made)
	err := h.Store.Update(func(raw store.Tx) error {
		return owner.ManagedValueChanged(kit.Adopt(raw), "rds", kittest.Account, "us-east-1", secretARN, `{"username":"app","password":"rotated-cluster-password"}`)
	})
	if err != nil {
		t.Fatal(err)
	}
	noPlainPassword(t, h.Store, "rotated-cluster-password")
	advance(h, 3)
	if !slices.Contains(engines.passwords, "rotated-cluster-password") || *describeCluster(t, h, "us-east-1", "managed").Status != "available" {
		t.Errorf("passwords set %v", engines.passwords)
	}
}
