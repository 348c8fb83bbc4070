package efs_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"

	_ "github.com/xregion/xregion/internal/service/ec2"
	_ "github.com/xregion/xregion/internal/service/efs"
)

const (
	east = "us-east-1"
	west = "us-west-2"
	// step is the harness's transition delay: creating → available takes one step.
	step = time.Second
)

// refuseAll is a fake port.PresignedURLs, which EC2 needs and these tests never use.
type refuseAll struct{}

func (refuseAll) Verify(kit.Tx, string, port.Presigned) error { return port.ErrPresignRefused }

// plansAsked is a fake port.ManagedBackupPlans: it records the plans EFS asks AWS
// Backup for.
type plansAsked struct {
	mu    sync.Mutex
	asked []string // account/region/plan
	last  port.ManagedPlan
}

func (p *plansAsked) EnsurePlan(_ kit.Tx, account, region string, m port.ManagedPlan) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked, p.last = append(p.asked, account+"/"+region+"/"+m.Plan), m
	return nil
}

// env is EFS with EC2's network, a fake key ring, a fake AWS Backup's plans, and EFS's
// file data.
type env struct {
	*kittest.Harness
	keys  *kittest.KeyRing
	plans *plansAsked
	files port.FileData
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{keys: kittest.NewKeyRing(), plans: &plansAsked{}}
	e.Harness = kittest.Start(t, []string{"ec2", "elasticfilesystem"}, kittest.WithTransitionDelay(step),
		kittest.WithPorts(func(p *service.Ports) {
			service.Provide[port.KeyRing](p, e.keys)
			service.Provide[port.PresignedURLs](p, refuseAll{})
			service.Provide[port.ManagedBackupPlans](p, e.plans)
		}))
	e.files = e.Service("elasticfilesystem").(port.FileData)
	return e
}

// call invokes an operation in region and fails the test on an error.
func call[I, O any](t *testing.T, e *env, region string, op awsmodel.Op[I, O], in *I) *O {
	t.Helper()
	out, err := kittest.Call(e.Harness, region, op, in)
	if err != nil {
		t.Fatalf("%s: %v", op.Name, err)
	}
	return out
}

// fails invokes an operation that must fail with code, and returns the error.
func fails[I, O any](t *testing.T, e *env, region string, op awsmodel.Op[I, O], in *I, code string) *awserr.Error {
	t.Helper()
	_, err := kittest.Call(e.Harness, region, op, in)
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("%s = %v, want %s", op.Name, err, code)
	}
	efsOp := reflect.TypeFor[I]().PkgPath() == reflect.TypeFor[efsapi.Tag]().PkgPath()
	if efsOp && ae.Fields["ErrorCode"] != code && !strings.Contains(ae.Message, "validation error") {
		t.Errorf("%s: ErrorCode member %q, want %q", op.Name, ae.Fields["ErrorCode"], code)
	}
	return ae
}

// newFS creates a file system with token and waits until it is available.
func newFS(t *testing.T, e *env, region, token string, mods ...func(*efsapi.CreateFileSystemRequest)) *efsapi.FileSystemDescription {
	t.Helper()
	in := &efsapi.CreateFileSystemRequest{CreationToken: new(token)}
	for _, m := range mods {
		m(in)
	}
	fs := call(t, e, region, efsapi.OpCreateFileSystem, in)
	e.Advance(step)
	return describeFS(t, e, region, *fs.FileSystemId)
}

func describeFS(t *testing.T, e *env, region, id string) *efsapi.FileSystemDescription {
	t.Helper()
	out := call(t, e, region, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{FileSystemId: new(id)})
	if len(out.FileSystems) != 1 {
		t.Fatalf("DescribeFileSystems(%s) = %d file systems", id, len(out.FileSystems))
	}
	return &out.FileSystems[0]
}

// network makes a VPC with a subnet in each of zones a and b of us-east-1.
func network(t *testing.T, e *env, cidr string) (vpc string, subnets []string) {
	t.Helper()
	v := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new(cidr + ".0.0/16")})
	vpc = *v.Vpc.VpcId
	for i, zone := range []string{"us-east-1a", "us-east-1b"} {
		s := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{
			VpcId: new(vpc), CidrBlock: new(cidr + "." + string(rune('1'+i)) + ".0/24"), AvailabilityZone: new(zone)})
		subnets = append(subnets, *s.Subnet.SubnetId)
	}
	return vpc, subnets
}

func write(t *testing.T, e *env, region, fsID, path, data string) {
	t.Helper()
	if err := e.files.WriteFile(e.Account, region, fsID, path, []byte(data)); err != nil {
		t.Fatalf("WriteFile(%s, %s): %v", fsID, path, err)
	}
}

func read(t *testing.T, e *env, region, fsID, path string) string {
	t.Helper()
	data, err := e.files.ReadFile(e.Account, region, fsID, path)
	if err != nil {
		t.Fatalf("ReadFile(%s, %s): %v", fsID, path, err)
	}
	return string(data)
}

// storeHolds reports whether any stored value contains b.
func storeHolds(t *testing.T, e *env, b []byte) bool {
	t.Helper()
	found := false
	err := e.Store.View(func(tx store.Tx) error {
		return tx.Scan("", "", func(_ string, v []byte) bool {
			found = found || bytes.Contains(v, b)
			return !found
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
