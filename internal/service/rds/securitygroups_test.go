package rds_test

import (
	"testing"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

// TestDBSecurityGroupsInAVPCOnlyAccount: a DB security group is made in the default VPC,
// described, refused ingress changes as AWS refuses them in VPC-only accounts, and
// deleted.
func TestDBSecurityGroupsInAVPCOnlyAccount(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSecurityGroup, &rdsapi.CreateDBSecurityGroupMessage{DBSecurityGroupName: new("Default"), DBSecurityGroupDescription: new("d")})
	wantFault(t, err, "InvalidParameterValue", "")
	out := kittest.Must[*rdsapi.CreateDBSecurityGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSecurityGroup, &rdsapi.CreateDBSecurityGroupMessage{
		DBSecurityGroupName: new("Legacy"), DBSecurityGroupDescription: new("from before"),
	}))
	if g := out.DBSecurityGroup; *g.DBSecurityGroupName != "legacy" || *g.OwnerId != kittest.Account || g.VpcId == nil ||
		*g.DBSecurityGroupArn != "arn:aws:rds:us-east-1:"+kittest.Account+":secgrp:legacy" {
		t.Errorf("created %+v", g)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSecurityGroup, &rdsapi.CreateDBSecurityGroupMessage{DBSecurityGroupName: new("legacy"), DBSecurityGroupDescription: new("d")})
	wantFault(t, err, "DBSecurityGroupAlreadyExists", "")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpAuthorizeDBSecurityGroupIngress, &rdsapi.AuthorizeDBSecurityGroupIngressMessage{DBSecurityGroupName: new("legacy"), CIDRIP: new("10.0.0.0/16")})
	wantFault(t, err, "InvalidParameterValue", "VPC DB Security Groups cannot be modified with this API version.  Please use an API version between 2012-01-15 and 2012-10-31 to modify this group.")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpRevokeDBSecurityGroupIngress, &rdsapi.RevokeDBSecurityGroupIngressMessage{DBSecurityGroupName: new("other"), CIDRIP: new("10.0.0.0/16")})
	wantFault(t, err, "DBSecurityGroupNotFound", "DBSecurityGroup other not found.")
	list := kittest.Must[*rdsapi.DBSecurityGroupMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBSecurityGroups, &rdsapi.DescribeDBSecurityGroupsMessage{}))
	if len(list.DBSecurityGroups) != 1 {
		t.Errorf("described %+v", list.DBSecurityGroups)
	}
	if _, err := kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBSecurityGroup, &rdsapi.DeleteDBSecurityGroupMessage{DBSecurityGroupName: new("legacy")}); err != nil {
		t.Fatal(err)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBSecurityGroups, &rdsapi.DescribeDBSecurityGroupsMessage{DBSecurityGroupName: new("legacy")})
	wantFault(t, err, "DBSecurityGroupNotFound", "")
}
