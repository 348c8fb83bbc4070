package rds_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/xtest"
)

func securityGroup(t *testing.T, h *kittest.Harness, vpc, name string) string {
	t.Helper()
	return *xtest.Must[*ec2api.CreateSecurityGroupResult](t)(kittest.Call(h, "us-east-1", ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{
		GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpc),
	})).GroupId
}

func groupsOf(list []rdsapi.VpcSecurityGroupMembership) []string {
	var out []string
	for _, m := range list {
		if aws.ToString(m.Status) != "active" {
			return append(out, "status "+aws.ToString(m.Status))
		}
		out = append(out, aws.ToString(m.VpcSecurityGroupId))
	}
	return out
}

// twoVPCs makes a VPC with the DB subnet group "app" over two zones and a security
// group (mine), and another VPC with a security group (theirs).
func twoVPCs(t *testing.T, opts ...kittest.Option) (h *kittest.Harness, vpc, other, mine, theirs string) {
	h = withEC2(t, opts...)
	vpc, subnets := vpcWithSubnets(t, h, "10.1", "us-east-1a", "us-east-1b")
	other, _ = vpcWithSubnets(t, h, "10.2", "us-east-1a")
	mine, theirs = securityGroup(t, h, vpc, "db"), securityGroup(t, h, other, "db")
	xtest.Must[*rdsapi.CreateDBSubnetGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSubnetGroup, &rdsapi.CreateDBSubnetGroupMessage{
		DBSubnetGroupName: aws.String("app"), DBSubnetGroupDescription: aws.String("app"), SubnetIds: subnets,
	}))
	return h, vpc, other, mine, theirs
}

// TestVpcSecurityGroupsCheckedAgainstEC2: an instance's security groups must exist and be
// in the VPC of its DB subnet group, at create and modify; none named is the VPC's
// default group; each shows as active.
func TestVpcSecurityGroupsCheckedAgainstEC2(t *testing.T) {
	h, vpc, other, mine, theirs := twoVPCs(t)
	create := func(id, group string, sgs ...string) (*rdsapi.CreateDBInstanceResult, error) {
		return kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, &rdsapi.CreateDBInstanceMessage{
			DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
			AllocatedStorage: aws.Int64(20), MasterUsername: aws.String("admin1"), MasterUserPassword: aws.String("secretpass1"),
			DBSubnetGroupName: aws.String(group), VpcSecurityGroupIds: sgs,
		})
	}
	_, err := create("db1", "app", theirs)
	wantAWSErr(t, err, "InvalidParameterCombination", 400, "Database is in "+vpc+", but Ec2 Security Group "+theirs+" is in "+other)
	_, err = create("db1", "app", mine, "sg-0123456789abcdef0")
	wantAWSErr(t, err, "InvalidParameterValue", 400, "Invalid security group , groupId= sg-0123456789abcdef0, groupName=.")
	db := xtest.Must[*rdsapi.CreateDBInstanceResult](t)(create("db1", "app", mine)).DBInstance
	if got := groupsOf(db.VpcSecurityGroups); len(got) != 1 || got[0] != mine {
		t.Errorf("VpcSecurityGroups = %v, want [%s]", got, mine)
	}

	// None named: the default VPC's default security group, as EC2 shows it.
	plain := xtest.Must[*rdsapi.CreateDBInstanceResult](t)(create("db2", "default")).DBInstance
	defVPC := aws.ToString(plain.DBSubnetGroup.VpcId)
	sgs := xtest.Must[*ec2api.DescribeSecurityGroupsResult](t)(kittest.Call(h, "us-east-1", ec2api.OpDescribeSecurityGroups, &ec2api.DescribeSecurityGroupsRequest{
		Filters: []ec2api.Filter{{Name: aws.String("vpc-id"), Values: []string{defVPC}}, {Name: aws.String("group-name"), Values: []string{"default"}}},
	})).SecurityGroups
	if got := groupsOf(plain.VpcSecurityGroups); len(sgs) != 1 || len(got) != 1 || got[0] != aws.ToString(sgs[0].GroupId) {
		t.Errorf("VpcSecurityGroups of an instance that named none = %v, EC2's default groups %d", got, len(sgs))
	}

	// Modify needs an available instance: let the creates finish on the engine's clock
	// rather than racing its worker.
	h.Advance(time.Minute)
	modify := func(sgs ...string) error {
		_, err := kittest.Call(h, "us-east-1", rdsapi.OpModifyDBInstance, &rdsapi.ModifyDBInstanceMessage{
			DBInstanceIdentifier: aws.String("db1"), VpcSecurityGroupIds: sgs, ApplyImmediately: aws.Bool(true)})
		return err
	}
	wantAWSErr(t, modify(theirs), "InvalidParameterCombination", 400, "but Ec2 Security Group "+theirs+" is in "+other)
	wantAWSErr(t, modify("sg-0123456789abcdef0"), "InvalidParameterValue", 400, "groupId= sg-0123456789abcdef0")
	second := securityGroup(t, h, vpc, "db2")
	if err := modify(mine, second); err != nil {
		t.Fatal(err)
	}
	got := xtest.Must[*rdsapi.DBInstanceMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBInstances, &rdsapi.DescribeDBInstancesMessage{DBInstanceIdentifier: aws.String("db1")})).DBInstances[0]
	if g := groupsOf(got.VpcSecurityGroups); len(g) != 2 || g[1] != second {
		t.Errorf("VpcSecurityGroups after modify = %v", g)
	}
}

// TestAuroraClusterInSubnetGroup: a cluster in a DB subnet group of the user's, with its
// security groups checked against the group's VPC and its storage in the group's zones;
// its instances take the cluster's group and refuse another.
func TestAuroraClusterInSubnetGroup(t *testing.T) {
	h, vpc, _, mine, theirs := twoVPCs(t)
	create := func(group string, sgs ...string) (*rdsapi.CreateDBClusterResult, error) {
		return kittest.Call(h, "us-east-1", rdsapi.OpCreateDBCluster, &rdsapi.CreateDBClusterMessage{
			DBClusterIdentifier: aws.String("orders"), Engine: aws.String("aurora-postgresql"), MasterUsername: aws.String("postgres"),
			MasterUserPassword: aws.String("secretpass1"), DBSubnetGroupName: aws.String(group), VpcSecurityGroupIds: sgs,
		})
	}
	_, err := create("nope")
	wantAWSErr(t, err, "DBSubnetGroupNotFoundFault", 404, "nope")
	_, err = create("App", theirs)
	wantAWSErr(t, err, "InvalidParameterCombination", 400, "Database is in "+vpc+", but Ec2 Security Group "+theirs)
	cl := xtest.Must[*rdsapi.CreateDBClusterResult](t)(create("App", mine)).DBCluster
	if aws.ToString(cl.DBSubnetGroup) != "app" || len(cl.AvailabilityZones) != 2 || cl.AvailabilityZones[1] != "us-east-1b" {
		t.Errorf("cluster in %s over %v", aws.ToString(cl.DBSubnetGroup), cl.AvailabilityZones)
	}
	if g := groupsOf(cl.VpcSecurityGroups); len(g) != 1 || g[0] != mine {
		t.Errorf("cluster VpcSecurityGroups = %v", g)
	}

	member := func(id string, group *string) (*rdsapi.CreateDBInstanceResult, error) {
		return kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, &rdsapi.CreateDBInstanceMessage{
			DBInstanceIdentifier: aws.String(id), DBClusterIdentifier: aws.String("orders"), Engine: aws.String("aurora-postgresql"),
			DBInstanceClass: aws.String("db.r6g.large"), DBSubnetGroupName: group,
		})
	}
	_, err = member("orders-1", aws.String("default"))
	wantAWSErr(t, err, "InvalidParameterCombination", 400, "DB subnet group default of the DB instance must be the DB subnet group app")
	inst := xtest.Must[*rdsapi.CreateDBInstanceResult](t)(member("orders-1", nil)).DBInstance
	if aws.ToString(inst.DBSubnetGroup.DBSubnetGroupName) != "app" || aws.ToString(inst.DBSubnetGroup.VpcId) != vpc {
		t.Errorf("member in %+v", inst.DBSubnetGroup)
	}
	xtest.Must[*rdsapi.CreateDBInstanceResult](t)(member("orders-2", aws.String("app")))

	h.Advance(time.Minute) // ModifyDBCluster needs an available cluster
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpModifyDBCluster, &rdsapi.ModifyDBClusterMessage{DBClusterIdentifier: aws.String("orders"), VpcSecurityGroupIds: []string{theirs}})
	wantAWSErr(t, err, "InvalidParameterCombination", 400, "but Ec2 Security Group "+theirs)
}
