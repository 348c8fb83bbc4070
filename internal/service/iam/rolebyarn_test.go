package iam

import (
	"context"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store/memory"
)

func newService(t *testing.T) *Service {
	t.Helper()
	st := memory.New()
	clock := jobs.NewFrozenClock(time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC))
	deps := kit.Deps{Store: st, Clock: clock, Jobs: jobs.New(jobs.Config{Store: st, Clock: clock}), Sealer: seal.Ephemeral()}
	svc, err := New(service.Deps{Deps: deps, Ports: service.NewPorts()})
	if err != nil {
		t.Fatal(err)
	}
	return svc.(*Service)
}

func callAs(account, region, partition string) context.Context {
	return request.With(context.Background(), &request.Info{Account: account, Region: region, Partition: partition})
}

func TestRoleByARN(t *testing.T) {
	s := newService(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	out, err := s.CreateRole(callAs("111122223333", "us-east-1", "aws"), &iamapi.CreateRoleRequest{
		RoleName: ptr("Backup"), Path: ptr("/service-role/"), AssumeRolePolicyDocument: ptr(trust), MaxSessionDuration: ptr(int64(7200)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Role.CreateDate.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("CreateDate = %v, want the service clock to the second", out.Role.CreateDate)
	}
	if _, err := s.CreateRole(callAs("111122223333", "cn-north-1", "aws-cn"), &iamapi.CreateRoleRequest{
		RoleName: ptr("InChina"), AssumeRolePolicyDocument: ptr(trust),
	}); err != nil {
		t.Fatal(err)
	}

	lookup := func(a string) (port.RoleInfo, bool) {
		t.Helper()
		var info port.RoleInfo
		var ok bool
		err := s.View(func(tx kit.Tx) error {
			var err error
			info, ok, err = s.RoleByARN(tx, a)
			return err
		})
		if err != nil {
			t.Fatalf("RoleByARN(%s): %v", a, err)
		}
		return info, ok
	}

	info, ok := lookup("arn:aws:iam::111122223333:role/service-role/Backup")
	want := port.RoleInfo{
		ARN: "arn:aws:iam::111122223333:role/service-role/Backup", RoleID: *out.Role.RoleId, Name: "Backup", Path: "/service-role/",
		Account: "111122223333", MaxSessionDuration: 7200, AssumeRolePolicyDocument: trust,
	}
	if !ok || info != want {
		t.Fatalf("RoleByARN = %+v, %v; want %+v", info, ok, want)
	}
	// Role names are not distinguished by case; the answer spells the ARN as IAM does.
	if info, ok := lookup("arn:aws:iam::111122223333:role/service-role/backup"); !ok || info.ARN != want.ARN {
		t.Errorf("lower-case name: %+v %v", info, ok)
	}
	if info, ok := lookup("arn:aws-cn:iam::111122223333:role/InChina"); !ok || info.ARN != "arn:aws-cn:iam::111122223333:role/InChina" {
		t.Errorf("aws-cn role: %+v %v", info, ok)
	}
	for _, a := range []string{
		"arn:aws:iam::111122223333:role/Backup",                 // wrong path
		"arn:aws:iam::999999999999:role/service-role/Backup",    // other account
		"arn:aws-cn:iam::111122223333:role/service-role/Backup", // other partition
		"arn:aws:iam::111122223333:role/InChina",                // the aws-cn role, seen from aws
		"arn:aws:iam::111122223333:user/service-role/Backup",    // not a role
		"arn:aws:sts::111122223333:role/service-role/Backup",    // not IAM
		"arn:aws:iam:us-east-1:111122223333:role/service-role/Backup",
		"arn:aws:iam::111122223333:role/",
		"Backup",
		"",
	} {
		if info, ok := lookup(a); ok {
			t.Errorf("RoleByARN(%q) found %+v", a, info)
		}
	}
}
