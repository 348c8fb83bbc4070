package secretsmanager_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// fakeOwner records what Secrets Manager tells the owner of managed secrets.
type fakeOwner struct {
	mu     sync.Mutex
	values []string
}

func (f *fakeOwner) ManagedValueChanged(_ kit.Tx, owner, account, region, secretARN, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if owner == "rds" && account == kittest.Account && region == "us-east-1" && strings.Contains(secretARN, ":secret:rds!db-") {
		f.values = append(f.values, value)
	}
	return nil
}

func (f *fakeOwner) told() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.values...)
}

// TestOwnerHearsOfNewCurrentValues: the owner of a managed secret hears of every new
// AWSCURRENT value — put by a user, moved there by UpdateSecretVersionStage, or promoted
// by a rotation — with the value, and of nothing else: not a pending version, not a
// change of description, not a secret it does not own.
func TestOwnerHearsOfNewCurrentValues(t *testing.T) {
	owner := &fakeOwner{}
	var managed port.ManagedSecrets
	h := kittest.Start(t, []string{"secretsmanager"}, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, kittest.NewKeyRing())
		service.Provide[port.ManagedSecretOwner](p, owner)
		service.Need(p, &managed)
	}))
	var arn string
	err := h.Store.Update(func(raw store.Tx) (err error) {
		arn, err = managed.CreateManaged(kit.Adopt(raw), kittest.Account, "us-east-1", port.ManagedSecret{Owner: "rds",
			Name: "rds!db-1", Value: `{"username":"app","password":"first"}`, RotationDays: 7})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := owner.told(); len(got) != 0 {
		t.Fatalf("told of the first value, which the owner made: %v", got)
	}
	call := func(in any) {
		t.Helper()
		var err error
		switch in := in.(type) {
		case *sm.PutSecretValueRequest:
			_, err = kittest.Call(h, "us-east-1", sm.OpPutSecretValue, in)
		case *sm.UpdateSecretRequest:
			_, err = kittest.Call(h, "us-east-1", sm.OpUpdateSecret, in)
		case *sm.UpdateSecretVersionStageRequest:
			_, err = kittest.Call(h, "us-east-1", sm.OpUpdateSecretVersionStage, in)
		case *sm.RotateSecretRequest:
			_, err = kittest.Call(h, "us-east-1", sm.OpRotateSecret, in)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	call(&sm.PutSecretValueRequest{SecretId: new(arn), ClientRequestToken: new(token("v2")), SecretString: new(`{"username":"app","password":"second"}`)})
	call(&sm.PutSecretValueRequest{SecretId: new(arn), ClientRequestToken: new(token("v3")), SecretString: new(`{"username":"app","password":"third"}`),
		VersionStages: []string{"AWSPENDING"}})
	call(&sm.UpdateSecretRequest{SecretId: new(arn), Description: new("still the same password")})
	call(&sm.UpdateSecretVersionStageRequest{SecretId: new(arn), VersionStage: new("AWSCURRENT"), MoveToVersionId: new(token("v3")),
		RemoveFromVersionId: new(token("v2"))})
	passwords := func() []string {
		var out []string
		for _, v := range owner.told() {
			var doc struct{ Password string }
			if err := json.Unmarshal([]byte(v), &doc); err != nil {
				t.Fatalf("told %q", v)
			}
			out = append(out, doc.Password)
		}
		return out
	}
	if got := passwords(); strings.Join(got, ",") != "second,third" {
		t.Errorf("the owner heard of %v, want second,third", got)
	}

	call(&sm.RotateSecretRequest{SecretId: new(arn), RotateImmediately: new(true), ClientRequestToken: new(token("r1"))})
	h.Advance(time.Second)
	got := passwords()
	if len(got) != 3 || got[2] == "third" || got[2] == "" {
		t.Errorf("after a rotation the owner heard of %v, want a new password last", got)
	}
	v := kittest.Must[*sm.GetSecretValueResponse](t)(kittest.Call(h, "us-east-1", sm.OpGetSecretValue, &sm.GetSecretValueRequest{SecretId: new(arn)}))
	var held struct{ Password string }
	if err := json.Unmarshal([]byte(*v.SecretString), &held); err != nil || len(got) == 3 && held.Password != got[2] {
		t.Errorf("the owner heard of %v, the secret holds %s (%v)", got, *v.SecretString, err)
	}

	kittest.Must[*sm.CreateSecretResponse](t)(kittest.Call(h, "us-east-1", sm.OpCreateSecret, &sm.CreateSecretRequest{
		Name: new("mine"), SecretString: new(`{"password":"x"}`), ClientRequestToken: new(token("m1"))}))
	call(&sm.PutSecretValueRequest{SecretId: new("mine"), ClientRequestToken: new(token("m2")), SecretString: new(`{"password":"y"}`)})
	if n := len(owner.told()); n != 3 {
		t.Errorf("told %d times after a change of a secret nobody owns", n)
	}
}
