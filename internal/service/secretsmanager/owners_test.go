package secretsmanager_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
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
// AWSCURRENT value that Secrets Manager makes — a rotation asked of Secrets Manager (the
// managed rotation users may start) — with the value, and of nothing else: a user's put
// or label move is refused (the owner keeps the secret's value), and a secret it does not
// own is not its business.
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
	_, err = kittest.Call(h, "us-east-1", sm.OpPutSecretValue, &sm.PutSecretValueRequest{SecretId: new(arn),
		ClientRequestToken: new(token("v2")), SecretString: new(`{"username":"app","password":"second"}`)})
	if !awserr.Is(err, "InvalidRequestException") {
		t.Errorf("a user's PutSecretValue on the owned secret: %v", err)
	}
	_, err = kittest.Call(h, "us-east-1", sm.OpUpdateSecretVersionStage, &sm.UpdateSecretVersionStageRequest{SecretId: new(arn),
		VersionStage: new("AWSPENDING"), MoveToVersionId: new(token("v2"))})
	if !awserr.Is(err, "InvalidRequestException") {
		t.Errorf("a user's UpdateSecretVersionStage on the owned secret: %v", err)
	}
	if got := owner.told(); len(got) != 0 {
		t.Fatalf("told of refused writes: %v", got)
	}

	_, err = kittest.Call(h, "us-east-1", sm.OpRotateSecret, &sm.RotateSecretRequest{SecretId: new(arn), RotateImmediately: new(true),
		ClientRequestToken: new(token("r1"))})
	if err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Second)
	var passwords []string
	for _, v := range owner.told() {
		var doc struct{ Password string }
		if err := json.Unmarshal([]byte(v), &doc); err != nil {
			t.Fatalf("told %q", v)
		}
		passwords = append(passwords, doc.Password)
	}
	if len(passwords) != 1 || passwords[0] == "first" || passwords[0] == "" {
		t.Fatalf("after a rotation the owner heard of %v, want one new password", passwords)
	}
	v := kittest.Must[*sm.GetSecretValueResponse](t)(kittest.Call(h, "us-east-1", sm.OpGetSecretValue, &sm.GetSecretValueRequest{SecretId: new(arn)}))
	var held struct{ Password string }
	if err := json.Unmarshal([]byte(*v.SecretString), &held); err != nil || held.Password != passwords[0] {
		t.Errorf("the owner heard of %v, the secret holds %s (%v)", passwords, *v.SecretString, err)
	}

	kittest.Must[*sm.CreateSecretResponse](t)(kittest.Call(h, "us-east-1", sm.OpCreateSecret, &sm.CreateSecretRequest{
		Name: new("mine"), SecretString: new(`{"password":"x"}`), ClientRequestToken: new(token("m1"))}))
	kittest.Must[*sm.PutSecretValueResponse](t)(kittest.Call(h, "us-east-1", sm.OpPutSecretValue, &sm.PutSecretValueRequest{
		SecretId: new("mine"), ClientRequestToken: new(token("m2")), SecretString: new(`{"password":"y"}`)}))
	if n := len(owner.told()); n != 1 {
		t.Errorf("told %d times after a change of a secret nobody owns", n)
	}
}
