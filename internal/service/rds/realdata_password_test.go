package rds_test

import (
	"slices"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// TestRealDataManagedSecretReachesTheServer: a new value of an instance's managed master
// secret is set in its server while the instance stays available; a stopped instance's
// server gets it once started; a value without a password changes nothing; and the
// password never lies in the store in plain text.
func TestRealDataManagedSecretReachesTheServer(t *testing.T) {
	engines := &fakeEngines{ready: true}
	var owner port.ManagedSecretOwner
	h := alone(t, kittest.NewKeyRing(), kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.DatabaseEngines](p, engines)
		service.Need(p, &owner)
	}))
	out := kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, &rdsapi.CreateDBInstanceMessage{
		DBInstanceIdentifier: new("real"), Engine: new("postgres"), EngineVersion: new("15"), DBInstanceClass: new("db.t3.micro"),
		AllocatedStorage: new(int64(20)), MasterUsername: new("app"), ManageMasterUserPassword: new(true)}))
	secretARN := *out.DBInstance.MasterUserSecret.SecretArn
	advance := func() {
		for range 3 {
			h.Advance(time.Second)
		}
	}
	advance()
	tell := func(value string) {
		t.Helper()
		err := h.Store.Update(func(raw store.Tx) error {
			return owner.ManagedValueChanged(kit.Adopt(raw), "rds", kittest.Account, "us-east-1", secretARN, value)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	status := func() string {
		out := kittest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBInstances,
			&rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: new("real")}))
		return *out.DBInstances[0].DBInstanceStatus
	}
	set := func() []string {
		engines.mu.Lock()
		defer engines.mu.Unlock()
		return slices.Clone(engines.passwords)
	}

	tell(`{"username":"app","password":"rotated-password-1"}`)
	noPlainPassword(t, h.Store, "rotated-password-1")
	advance()
	if got := set(); !slices.Equal(got, []string{"rotated-password-1"}) || status() != "available" {
		t.Errorf("passwords set %v, instance %s", got, status())
	}

	tell(`not a document`)
	advance()
	if got := set(); len(got) != 1 {
		t.Errorf("a value without a password was set: %v", got)
	}

	kittest.Must[*rdsapi.StopDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpStopDBInstance,
		&rdsapi.StopDBInstanceMessage{DBInstanceIdentifier: new("real")}))
	advance()
	tell(`{"username":"app","password":"rotated-while-stopped"}`)
	advance()
	if got := set(); len(got) != 1 || status() != "stopped" {
		t.Fatalf("a stopped server was asked to set %v (%s)", got, status())
	}
	kittest.Must[*rdsapi.StartDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpStartDBInstance,
		&rdsapi.StartDBInstanceMessage{DBInstanceIdentifier: new("real")}))
	advance()
	advance()
	if got := set(); len(got) != 2 || got[1] != "rotated-while-stopped" {
		t.Errorf("after the start the passwords set are %v", got)
	}
}
