package rds_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/auth/authport"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/xtest"

	_ "github.com/xregion/xregion/internal/service/ec2"
)

// withEC2 builds RDS and EC2, with fakes for the other ports.
func withEC2(t *testing.T, opts ...kittest.Option) *kittest.Harness {
	return kittest.Start(t, []string{"ec2", "rds"}, append(opts, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, kittest.NewKeyRing())
		service.Provide[port.ManagedSecrets](p, &fakeSecrets{})
		service.Provide[port.PresignedURLs](p, authport.PresignedURLs(nil))
	}))...)
}

// vpcWithSubnets makes a VPC with one subnet in each zone named.
func vpcWithSubnets(t *testing.T, h *kittest.Harness, cidr string, zones ...string) (string, []string) {
	t.Helper()
	vpc := xtest.Must[*ec2api.CreateVpcResult](t)(kittest.Call(h, "us-east-1", ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: aws.String(cidr + ".0.0/16")})).Vpc
	var ids []string
	for i, z := range zones {
		sn := xtest.Must[*ec2api.CreateSubnetResult](t)(kittest.Call(h, "us-east-1", ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{
			VpcId: vpc.VpcId, AvailabilityZone: aws.String(z), CidrBlock: aws.String(cidr + "." + string(rune('1'+i)) + ".0/24"),
		})).Subnet
		ids = append(ids, *sn.SubnetId)
	}
	return *vpc.VpcId, ids
}

func TestDBSubnetGroupsOnEC2Subnets(t *testing.T) {
	h := withEC2(t)
	vpc, subnets := vpcWithSubnets(t, h, "10.1", "us-east-1a", "us-east-1b", "us-east-1c")
	_, other := vpcWithSubnets(t, h, "10.2", "us-east-1a")
	create := func(name string, ids ...string) (*rdsapi.CreateDBSubnetGroupResult, error) {
		return kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSubnetGroup, &rdsapi.CreateDBSubnetGroupMessage{
			DBSubnetGroupName: aws.String(name), DBSubnetGroupDescription: aws.String("app"), SubnetIds: ids,
		})
	}
	_, err := create("app", subnets[0])
	wantAWSErr(t, err, "DBSubnetGroupDoesNotCoverEnoughAZs", 400, "Current coverage: 1")
	_, err = create("app", subnets[0], "subnet-0123456789abcdef0")
	wantAWSErr(t, err, "InvalidSubnet", 400, "subnet-0123456789abcdef0")
	_, err = create("app", subnets[0], other[0])
	wantAWSErr(t, err, "InvalidSubnet", 400, "same VPC")
	_, err = create("default", subnets...)
	wantAWSErr(t, err, "InvalidParameterValue", 400, "DBSubnetGroupName")
	g := xtest.Must[*rdsapi.CreateDBSubnetGroupResult](t)(create("App", subnets[:2]...)).DBSubnetGroup
	if *g.DBSubnetGroupName != "app" || *g.VpcId != vpc || len(g.Subnets) != 2 || *g.Subnets[1].SubnetAvailabilityZone.Name != "us-east-1b" ||
		*g.SubnetGroupStatus != "Complete" || *g.DBSubnetGroupArn != "arn:aws:rds:us-east-1:"+account+":subgrp:app" {
		t.Fatalf("create answered %+v", g)
	}
	_, err = create("app", subnets...)
	wantAWSErr(t, err, "DBSubnetGroupAlreadyExists", 400, "")

	// The default group is the default VPC's subnets, from EC2.
	list := xtest.Must[*rdsapi.DBSubnetGroupMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBSubnetGroups, &rdsapi.DescribeDBSubnetGroupsMessage{})).DBSubnetGroups
	if len(list) != 2 || *list[0].DBSubnetGroupName != "app" || *list[1].DBSubnetGroupName != "default" || *list[1].VpcId == vpc || len(list[1].Subnets) < 2 {
		t.Fatalf("describe lists %+v", list)
	}

	// An instance in the group: the group is in its answer, and the group can't be
	// deleted, nor lose the instance's zone.
	in := &rdsapi.CreateDBInstanceMessage{
		DBInstanceIdentifier: aws.String("db1"), Engine: aws.String("postgres"), EngineVersion: aws.String("16.8"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int64(20), StorageType: aws.String("gp3"), MasterUsername: aws.String("admin1"), MasterUserPassword: aws.String("secretpass1"),
		DBSubnetGroupName: aws.String("app"), AvailabilityZone: aws.String("us-east-1c"),
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in)
	wantAWSErr(t, err, "InvalidParameterCombination", 400, "us-east-1c is not in DB subnet group app")
	in.AvailabilityZone = aws.String("us-east-1b")
	db := xtest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in)).DBInstance
	if *db.DBSubnetGroup.DBSubnetGroupName != "app" || *db.DBSubnetGroup.VpcId != vpc || *db.AvailabilityZone != "us-east-1b" {
		t.Fatalf("the instance's subnet group: %+v in %s", db.DBSubnetGroup, *db.AvailabilityZone)
	}
	in.DBInstanceIdentifier, in.DBSubnetGroupName, in.AvailabilityZone = aws.String("db2"), aws.String("missing"), nil
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in)
	wantAWSErr(t, err, "DBSubnetGroupNotFoundFault", 404, "missing")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpModifyDBSubnetGroup, &rdsapi.ModifyDBSubnetGroupMessage{DBSubnetGroupName: aws.String("app"), SubnetIds: []string{subnets[0], subnets[2]}})
	wantAWSErr(t, err, "SubnetAlreadyInUse", 400, "db1")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBSubnetGroup, &rdsapi.DeleteDBSubnetGroupMessage{DBSubnetGroupName: aws.String("app")})
	wantAWSErr(t, err, "InvalidDBSubnetGroupStateFault", 400, "Cannot delete the subnet group 'app' because at least one database instance: db1 is still using it.")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBSubnetGroup, &rdsapi.DeleteDBSubnetGroupMessage{DBSubnetGroupName: aws.String("default")})
	wantAWSErr(t, err, "InvalidDBSubnetGroupStateFault", 400, "default")

	m := xtest.Must[*rdsapi.ModifyDBSubnetGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpModifyDBSubnetGroup, &rdsapi.ModifyDBSubnetGroupMessage{
		DBSubnetGroupName: aws.String("app"), SubnetIds: subnets, DBSubnetGroupDescription: aws.String("three zones"),
	})).DBSubnetGroup
	if len(m.Subnets) != 3 || *m.DBSubnetGroupDescription != "three zones" {
		t.Fatalf("modify answered %+v", m)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpModifyDBSubnetGroup, &rdsapi.ModifyDBSubnetGroupMessage{DBSubnetGroupName: aws.String("nope"), SubnetIds: subnets})
	wantAWSErr(t, err, "DBSubnetGroupNotFoundFault", 404, "nope")

	xtest.Must[*rdsapi.DeleteDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBInstance, &rdsapi.DeleteDBInstanceMessage{DBInstanceIdentifier: aws.String("db1"), SkipFinalSnapshot: aws.Bool(true)}))
	h.Advance(time.Hour)
	xtest.Must[*awsmodel.Empty](t)(kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBSubnetGroup, &rdsapi.DeleteDBSubnetGroupMessage{DBSubnetGroupName: aws.String("app")}))
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBSubnetGroups, &rdsapi.DescribeDBSubnetGroupsMessage{DBSubnetGroupName: aws.String("app")})
	wantAWSErr(t, err, "DBSubnetGroupNotFoundFault", 404, "app")
}

// Through the SDK on a whole server: the default group an instance is placed in is the
// one DescribeDBSubnetGroups shows.
func TestDefaultDBSubnetGroupOfAnInstance(t *testing.T) {
	e := start(t)
	db := e.create(t, e.East, postgres("plain"))
	out := xtest.Must[*rds.DescribeDBSubnetGroupsOutput](t)(e.East.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("default")}))
	def := out.DBSubnetGroups[0]
	if aws.ToString(db.DBSubnetGroup.VpcId) != aws.ToString(def.VpcId) || len(db.DBSubnetGroup.Subnets) != len(def.Subnets) ||
		!subnetIn(def.Subnets, aws.ToString(db.AvailabilityZone)) {
		t.Fatalf("the instance shows %+v in %s, DescribeDBSubnetGroups %+v", db.DBSubnetGroup, aws.ToString(db.AvailabilityZone), def)
	}
}

// wantAWSErr checks an error of a service called without a client.
func wantAWSErr(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) || e.Code != code || e.Status != status || !strings.Contains(e.Message, msg) {
		t.Fatalf("got %v, want %s (%d) containing %q", err, code, status, msg)
	}
}

func subnetIn(subnets []types.Subnet, zone string) bool {
	for _, s := range subnets {
		if aws.ToString(s.SubnetAvailabilityZone.Name) == zone {
			return true
		}
	}
	return false
}
