package rds_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/auth/authport"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// alone builds RDS by itself, with a fake key ring in place of KMS.
func alone(t *testing.T, keys *kittest.KeyRing, opts ...kittest.Option) *kittest.Harness {
	return kittest.Start(t, []string{"rds"}, append(opts, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, keys)
		service.Provide[port.ManagedSecrets](p, &fakeSecrets{})
		service.Provide[port.PresignedURLs](p, authport.PresignedURLs(nil)) // the URLs' form only
	}))...)
}

// fakeSecrets stands in for Secrets Manager in the tests of RDS alone: it records the
// secrets RDS asks for, and nothing it holds follows the store's transactions.
type fakeSecrets struct {
	mu      sync.Mutex
	secrets map[string]port.ManagedSecret
	rotated map[string]int
}

func (f *fakeSecrets) CreateManaged(_ kit.Tx, account, region string, m port.ManagedSecret) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.secrets == nil {
		f.secrets, f.rotated = map[string]port.ManagedSecret{}, map[string]int{}
	}
	a := "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + m.Name + "-abcdef"
	f.secrets[a] = m
	return a, nil
}

func (f *fakeSecrets) RotateManaged(_ kit.Tx, _, _, a string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rotated[a]++
	return nil
}

func (f *fakeSecrets) SetManagedKey(_ kit.Tx, _, _, a, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.secrets[a]
	m.KmsKeyID = key
	f.secrets[a] = m
	return nil
}

func (f *fakeSecrets) DeleteManaged(_ kit.Tx, _, _, a string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.secrets, a)
	return nil
}

func seedInstance(id string) *rdsapi.CreateDBInstanceMessage {
	return &rdsapi.CreateDBInstanceMessage{
		DBInstanceIdentifier: new(id), Engine: new("postgres"), EngineVersion: new("13.4"), DBInstanceClass: new("db.t3.micro"),
		AllocatedStorage: new(int64(10)), MasterUsername: new("masterusername"), MasterUserPassword: new("mustbeeightcharacters"),
		BackupRetentionPeriod: new(int64(7)),
	}
}

func describeAlone(t *testing.T, h *kittest.Harness, id string) rdsapi.DBInstance {
	t.Helper()
	out := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBInstances, &rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new(id)}))
	return out.DBInstances[0]
}

// TestInstancesUseTheKeyRing: an encrypted instance resolves its key through the key ring,
// reports the key's ARN, and cannot start while the ring says the key is disabled; a key
// the ring does not know refuses the create, which writes nothing.
func TestInstancesUseTheKeyRing(t *testing.T) {
	keys := kittest.NewKeyRing()
	h := alone(t, keys)
	keyARN := keys.AddKey(kittest.Account, "us-east-1")

	in := seedInstance("enc")
	in.StorageEncrypted, in.KmsKeyId = new(true), new("arn:aws:kms:us-east-1:"+kittest.Account+":key/missing")
	if _, err := kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in); !awserr.Is(err, "KMSKeyNotAccessibleFault") {
		t.Fatalf("an unknown key: %v", err)
	}
	if _, err := kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBInstances, &rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new("enc")}); !awserr.Is(err, "DBInstanceNotFound") {
		t.Fatalf("a refused create left an instance: %v", err)
	}

	in.KmsKeyId = new(keyARN)
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in))
	h.Advance(time.Minute)
	db := describeAlone(t, h, "enc")
	if *db.DBInstanceStatus != "available" || *db.KmsKeyId != keyARN {
		t.Fatalf("instance = %s under %s", *db.DBInstanceStatus, *db.KmsKeyId)
	}
	kittest.Must[*rdsapi.StopDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpStopDBInstance, &rdsapi.StopDBInstanceMessage{DBInstanceIdentifier: new("enc")}))
	h.Advance(time.Minute)
	keys.SetState(keyARN, "Disabled")
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpStartDBInstance, &rdsapi.StartDBInstanceMessage{DBInstanceIdentifier: new("enc")})
	if !awserr.Is(err, "KMSKeyNotAccessibleFault") {
		t.Errorf("start under a disabled key: %v", err)
	}
	if got := *describeAlone(t, h, "enc").DBInstanceStatus; got != "stopped" {
		t.Errorf("after a refused start: %s", got)
	}
}

// TestCopiesInProgressAcrossTheMoveOntoTheKit: a snapshot copy recorded before RDS moved
// onto the kit named its source by raw store key, and its job carried the old payload;
// after an upgrade, the job still runs, and ends the copy as it would have: available
// when the source is there, terminated when it is gone.
func TestCopiesInProgressAcrossTheMoveOntoTheKit(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, seedInstance("src")))
	h.Advance(time.Minute)
	kittest.Must[*rdsapi.CreateDBSnapshotResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSnapshot,
		&rdsapi.CreateDBSnapshotMessage{DBInstanceIdentifier: new("src"), DBSnapshotIdentifier: new("base")}))
	h.Advance(time.Minute)

	sc := store.Scope{Account: kittest.Account, Region: "us-west-2", Service: "rds"}
	source := store.Scope{Account: kittest.Account, Region: "us-east-1", Service: "rds"}
	legacyCopy := func(id, sourceID string) {
		t.Helper()
		rec := map[string]any{
			"id": id, "instanceId": "src", "resourceId": "db-X", "type": "manual", "status": "creating",
			"created": kittest.Epoch, "original": kittest.Epoch, "engine": "postgres", "engineVersion": "13.4",
			"sourceRegion": "us-east-1", "sourceKey": source.Key("snap", sourceID),
		}
		b, _ := json.Marshal(rec)
		payload, _ := json.Marshal(map[string]string{"a": kittest.Account, "r": "us-west-2", "id": id})
		err := h.Store.Update(func(tx store.Tx) error {
			if err := tx.Put(sc.Key("snap", id), b); err != nil {
				return err
			}
			_, err := h.Engine.Enqueue(tx, jobs.Job{Kind: "rds.snapshot-step", Key: "rds.snapshot-step/" + kittest.Account + "/us-west-2/" + id,
				Account: kittest.Account, Region: "us-west-2", Payload: payload})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Each copy counted against the manual snapshot quota when it was made.
	if err := h.Store.Update(func(tx store.Tx) error { return tx.Put(sc.Key("count", "manual-snapshots"), []byte("2")) }); err != nil {
		t.Fatal(err)
	}
	legacyCopy("kept", "base")
	legacyCopy("orphan", "gone")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Engine.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	out := kittest.Must[*rdsapi.DBSnapshotMessage](t)(kittest.Call(h, "us-west-2", rdsapi.OpDescribeDBSnapshots, &rdsapi.DescribeDBSnapshotsMessage{}))
	if len(out.DBSnapshots) != 1 || *out.DBSnapshots[0].DBSnapshotIdentifier != "kept" || *out.DBSnapshots[0].Status != "available" {
		t.Errorf("copies after the upgrade = %+v", out.DBSnapshots)
	}
}
