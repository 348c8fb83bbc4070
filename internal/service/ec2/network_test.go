package ec2_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// TestDefaultVpc: every account and Region has the default network AWS makes, with the
// same ids however often and wherever it is made.
func TestDefaultVpc(t *testing.T) {
	e := start(t)
	vpcs := call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{}).Vpcs
	if len(vpcs) != 1 || *vpcs[0].CidrBlock != "172.31.0.0/16" || !*vpcs[0].IsDefault || *vpcs[0].State != "available" {
		t.Fatalf("default VPCs = %+v", vpcs)
	}
	vpcID := *vpcs[0].VpcId
	if other := call(t, start(t), east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{}).Vpcs; *other[0].VpcId != vpcID {
		t.Errorf("the default VPC's id differs between servers: %s, %s", vpcID, *other[0].VpcId)
	}
	subnets := call(t, e, east, ec2api.OpDescribeSubnets, &ec2api.DescribeSubnetsRequest{Filters: []ec2api.Filter{filter("default-for-az", "true")}}).Subnets
	if len(subnets) != 6 {
		t.Fatalf("us-east-1 has %d default subnets", len(subnets))
	}
	for _, s := range subnets {
		if *s.VpcId != vpcID || !strings.HasSuffix(*s.CidrBlock, "/20") || !*s.MapPublicIpOnLaunch || *s.AvailableIpAddressCount != 4091 ||
			!strings.HasPrefix(*s.AvailabilityZoneId, "use1-az") {
			t.Errorf("default subnet = %+v", s)
		}
	}
	if n := len(call(t, e, west, ec2api.OpDescribeSubnets, &ec2api.DescribeSubnetsRequest{}).Subnets); n != 4 {
		t.Errorf("us-west-2 has %d subnets", n)
	}
	groups := call(t, e, east, ec2api.OpDescribeSecurityGroups, &ec2api.DescribeSecurityGroupsRequest{GroupNames: []string{"default"}}).SecurityGroups
	if len(groups) != 1 || len(groups[0].IpPermissions) != 1 || *groups[0].IpPermissions[0].UserIdGroupPairs[0].GroupId != *groups[0].GroupId ||
		*groups[0].IpPermissionsEgress[0].IpRanges[0].CidrIp != "0.0.0.0/0" {
		t.Errorf("default group = %+v", groups)
	}
	tables := call(t, e, east, ec2api.OpDescribeRouteTables, &ec2api.DescribeRouteTablesRequest{Filters: []ec2api.Filter{filter("association.main", "true")}}).RouteTables
	if len(tables) != 1 || len(tables[0].Routes) != 2 || *tables[0].Routes[1].DestinationCidrBlock != "0.0.0.0/0" || *tables[0].Routes[1].State != "active" {
		t.Errorf("main route table = %+v", tables)
	}
	gws := call(t, e, east, ec2api.OpDescribeInternetGateways, &ec2api.DescribeInternetGatewaysRequest{Filters: []ec2api.Filter{filter("attachment.vpc-id", vpcID)}}).InternetGateways
	if len(gws) != 1 || *tables[0].Routes[1].GatewayId != *gws[0].InternetGatewayId {
		t.Errorf("internet gateways = %+v", gws)
	}
	acls := call(t, e, east, ec2api.OpDescribeNetworkAcls, &ec2api.DescribeNetworkAclsRequest{}).NetworkAcls
	if len(acls) != 1 || !*acls[0].IsDefault || len(acls[0].Associations) != 6 || len(acls[0].Entries) != 4 {
		t.Errorf("network ACLs = %+v", acls)
	}
	attrs := call(t, e, east, ec2api.OpDescribeAccountAttributes, &ec2api.DescribeAccountAttributesRequest{AttributeNames: []string{"default-vpc"}}).AccountAttributes
	if len(attrs) != 1 || *attrs[0].AttributeValues[0].AttributeValue != vpcID {
		t.Errorf("account attributes = %+v", attrs)
	}
}

// TestDefaultVpcDeletedStaysDeleted: the default VPC goes only once emptied, and does
// not come back.
func TestDefaultVpcDeletedStaysDeleted(t *testing.T) {
	e := start(t)
	vpcID := *call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{}).Vpcs[0].VpcId
	fails(t, e, east, ec2api.OpDeleteVpc, &ec2api.DeleteVpcRequest{VpcId: &vpcID}, "DependencyViolation")
	for _, s := range call(t, e, east, ec2api.OpDescribeSubnets, &ec2api.DescribeSubnetsRequest{}).Subnets {
		call(t, e, east, ec2api.OpDeleteSubnet, &ec2api.DeleteSubnetRequest{SubnetId: s.SubnetId})
	}
	gw := call(t, e, east, ec2api.OpDescribeInternetGateways, &ec2api.DescribeInternetGatewaysRequest{}).InternetGateways[0].InternetGatewayId
	fails(t, e, east, ec2api.OpDeleteInternetGateway, &ec2api.DeleteInternetGatewayRequest{InternetGatewayId: gw}, "DependencyViolation")
	call(t, e, east, ec2api.OpDetachInternetGateway, &ec2api.DetachInternetGatewayRequest{InternetGatewayId: gw, VpcId: &vpcID})
	call(t, e, east, ec2api.OpDeleteVpc, &ec2api.DeleteVpcRequest{VpcId: &vpcID})
	if vpcs := call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{}).Vpcs; len(vpcs) != 0 {
		t.Errorf("after deleting the default VPC: %+v", vpcs)
	}
	attrs := call(t, e, east, ec2api.OpDescribeAccountAttributes, &ec2api.DescribeAccountAttributesRequest{AttributeNames: []string{"default-vpc"}}).AccountAttributes
	if *attrs[0].AttributeValues[0].AttributeValue != "none" {
		t.Errorf("default-vpc = %s", *attrs[0].AttributeValues[0].AttributeValue)
	}
	if groups := call(t, e, east, ec2api.OpDescribeSecurityGroups, &ec2api.DescribeSecurityGroupsRequest{}).SecurityGroups; len(groups) != 0 {
		t.Errorf("the default VPC's group outlived it: %+v", groups)
	}
	fails(t, e, east, ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{GroupName: new("web"), Description: new("web")}, "InvalidParameterValue")
}

// TestVpcsAndSubnets: a VPC is born with its default group, main table and default ACL;
// subnets must fit in it and not overlap; Describe filters, pages and refuses as EC2.
func TestVpcsAndSubnets(t *testing.T) {
	e := start(t)
	out := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16"),
		TagSpecifications: []ec2api.TagSpecification{{ResourceType: new("vpc"), Tags: []ec2api.Tag{{Key: new("Name"), Value: new("main")}}}}})
	vpc := *out.Vpc.VpcId
	if *out.Vpc.State != "pending" || *out.Vpc.Tags[0].Value != "main" {
		t.Errorf("CreateVpc = %+v", out.Vpc)
	}
	byName := call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{Filters: []ec2api.Filter{filter("tag:Name", "ma*")}}).Vpcs
	if len(byName) != 1 || *byName[0].VpcId != vpc || *byName[0].State != "available" {
		t.Errorf("tag:Name=ma* = %+v", byName)
	}
	if n := len(call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{Filters: []ec2api.Filter{filter("tag-key", "Nope")}}).Vpcs); n != 0 {
		t.Errorf("tag-key=Nope found %d", n)
	}
	for _, name := range []string{"default"} {
		g := call(t, e, east, ec2api.OpDescribeSecurityGroups, &ec2api.DescribeSecurityGroupsRequest{Filters: []ec2api.Filter{filter("vpc-id", vpc), filter("group-name", name)}})
		if len(g.SecurityGroups) != 1 {
			t.Errorf("the new VPC's %s group: %+v", name, g)
		}
	}
	sub := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: &vpc, CidrBlock: new("10.0.1.0/24"), AvailabilityZone: new("us-east-1b")}).Subnet
	if *sub.AvailabilityZone != "us-east-1b" || *sub.AvailabilityZoneId != "use1-az2" || *sub.AvailableIpAddressCount != 251 || *sub.DefaultForAz {
		t.Errorf("CreateSubnet = %+v", sub)
	}
	second := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: &vpc, CidrBlock: new("10.0.2.0/24")}).Subnet
	if *second.AvailabilityZone != "us-east-1a" {
		t.Errorf("the second subnet went to %s, want the emptiest zone", *second.AvailabilityZone)
	}
	fails(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: &vpc, CidrBlock: new("10.0.1.128/25")}, "InvalidSubnet.Conflict")
	fails(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: &vpc, CidrBlock: new("10.1.0.0/24")}, "InvalidSubnet.Range")
	fails(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: &vpc, CidrBlock: new("10.0.3.0/24"), AvailabilityZone: new("us-east-1z")}, "InvalidParameterValue")
	fails(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/8")}, "InvalidVpc.Range")
	fails(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.1/16")}, "InvalidParameterValue")
	fails(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{VpcIds: []string{"vpc-12345678"}}, "InvalidVpcID.NotFound")
	fails(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{VpcIds: []string{"subnet-12345678"}}, "InvalidVpcID.Malformed")
	fails(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{Filters: []ec2api.Filter{filter("colour", "red")}}, "InvalidParameterValue")
	fails(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{VpcIds: []string{vpc}, MaxResults: new(int64(5))}, "InvalidParameterCombination")

	// Pages: seven subnets of the VPC, five a page.
	for i := 3; i <= 7; i++ {
		call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: &vpc, CidrBlock: new(fmt.Sprintf("10.0.%d.0/24", i))})
	}
	var seen []string
	pages := 0
	req := &ec2api.DescribeSubnetsRequest{Filters: []ec2api.Filter{filter("vpc-id", vpc)}, MaxResults: new(int64(5))}
	for ; ; pages++ {
		p := call(t, e, east, ec2api.OpDescribeSubnets, req)
		for _, s := range p.Subnets {
			seen = append(seen, *s.SubnetId)
		}
		if p.NextToken == nil {
			break
		}
		req.NextToken = p.NextToken
	}
	if len(seen) != 7 || pages != 1 || !slices.IsSorted(seen) {
		t.Errorf("pages = %d, %v", pages+1, seen)
	}
	req.NextToken = new("bogus")
	fails(t, e, east, ec2api.OpDescribeSubnets, req, "InvalidPaginationToken")

	fails(t, e, east, ec2api.OpDeleteVpc, &ec2api.DeleteVpcRequest{VpcId: &vpc}, "DependencyViolation")
	for _, id := range seen {
		call(t, e, east, ec2api.OpDeleteSubnet, &ec2api.DeleteSubnetRequest{SubnetId: &id})
	}
	call(t, e, east, ec2api.OpDeleteVpc, &ec2api.DeleteVpcRequest{VpcId: &vpc})
	if tables := call(t, e, east, ec2api.OpDescribeRouteTables, &ec2api.DescribeRouteTablesRequest{Filters: []ec2api.Filter{filter("vpc-id", vpc)}}).RouteTables; len(tables) != 0 {
		t.Errorf("the VPC's main table outlived it: %+v", tables)
	}
}

// TestVpcAttributes: DNS support and hostnames, one attribute a call.
func TestVpcAttributes(t *testing.T) {
	e := start(t)
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16")}).Vpc.VpcId
	get := func(attr string) *ec2api.DescribeVpcAttributeResult {
		return call(t, e, east, ec2api.OpDescribeVpcAttribute, &ec2api.DescribeVpcAttributeRequest{VpcId: vpc, Attribute: new(attr)})
	}
	if !*get("enableDnsSupport").EnableDnsSupport.Value || *get("enableDnsHostnames").EnableDnsHostnames.Value {
		t.Error("a new VPC has DNS support and no DNS hostnames")
	}
	call(t, e, east, ec2api.OpModifyVpcAttribute, &ec2api.ModifyVpcAttributeRequest{VpcId: vpc, EnableDnsHostnames: &ec2api.AttributeBooleanValue{Value: new(true)}})
	if !*get("enableDnsHostnames").EnableDnsHostnames.Value {
		t.Error("EnableDnsHostnames did not stick")
	}
	fails(t, e, east, ec2api.OpModifyVpcAttribute, &ec2api.ModifyVpcAttributeRequest{VpcId: vpc,
		EnableDnsHostnames: &ec2api.AttributeBooleanValue{Value: new(true)}, EnableDnsSupport: &ec2api.AttributeBooleanValue{Value: new(true)}}, "InvalidParameterCombination")
	fails(t, e, east, ec2api.OpModifyVpcAttribute, &ec2api.ModifyVpcAttributeRequest{VpcId: vpc}, "MissingParameter")
	assoc := call(t, e, east, ec2api.OpAssociateVpcCidrBlock, &ec2api.AssociateVpcCidrBlockRequest{VpcId: vpc, CidrBlock: new("10.1.0.0/16")})
	call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc, CidrBlock: new("10.1.5.0/24")})
	fails(t, e, east, ec2api.OpAssociateVpcCidrBlock, &ec2api.AssociateVpcCidrBlockRequest{VpcId: vpc, CidrBlock: new("10.1.128.0/17")}, "InvalidParameterValue")
	fails(t, e, east, ec2api.OpDisassociateVpcCidrBlock, &ec2api.DisassociateVpcCidrBlockRequest{AssociationId: assoc.CidrBlockAssociation.AssociationId}, "InvalidCidrBlock.InUse")
	v6 := call(t, e, east, ec2api.OpAssociateVpcCidrBlock, &ec2api.AssociateVpcCidrBlockRequest{VpcId: vpc, AmazonProvidedIpv6CidrBlock: new(true)})
	if !strings.HasSuffix(*v6.Ipv6CidrBlockAssociation.Ipv6CidrBlock, "::/56") {
		t.Errorf("IPv6 block = %s", *v6.Ipv6CidrBlockAssociation.Ipv6CidrBlock)
	}
	tables := call(t, e, east, ec2api.OpDescribeRouteTables, &ec2api.DescribeRouteTablesRequest{Filters: []ec2api.Filter{filter("vpc-id", *vpc)}}).RouteTables
	if len(tables[0].Routes) != 3 {
		t.Errorf("the main table's local routes = %+v", tables[0].Routes)
	}
}

// TestSecurityGroups: groups and their rules, as IpPermissions and as rules.
func TestSecurityGroups(t *testing.T) {
	e := start(t)
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16")}).Vpc.VpcId
	web := call(t, e, east, ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{GroupName: new("web"), Description: new("web tier"), VpcId: vpc}).GroupId
	db := call(t, e, east, ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{GroupName: new("db"), Description: new("db tier"), VpcId: vpc}).GroupId
	fails(t, e, east, ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{GroupName: new("web"), Description: new("again"), VpcId: vpc}, "InvalidGroup.Duplicate")
	fails(t, e, east, ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{GroupName: new("sg-web"), Description: new("x"), VpcId: vpc}, "InvalidParameter")

	ssh := ec2api.IpPermission{IpProtocol: new("tcp"), FromPort: new(int64(22)), ToPort: new(int64(22)), IpRanges: []ec2api.IpRange{{CidrIp: new("0.0.0.0/0"), Description: new("ssh")}}}
	added := call(t, e, east, ec2api.OpAuthorizeSecurityGroupIngress, &ec2api.AuthorizeSecurityGroupIngressRequest{GroupId: web, IpPermissions: []ec2api.IpPermission{ssh}})
	if len(added.SecurityGroupRules) != 1 || !strings.HasPrefix(*added.SecurityGroupRules[0].SecurityGroupRuleId, "sgr-") {
		t.Errorf("Authorize = %+v", added)
	}
	msg := fails(t, e, east, ec2api.OpAuthorizeSecurityGroupIngress, &ec2api.AuthorizeSecurityGroupIngressRequest{GroupId: web, IpPermissions: []ec2api.IpPermission{ssh}}, "InvalidPermission.Duplicate")
	if !strings.Contains(msg, "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW") {
		t.Errorf("duplicate message = %q", msg)
	}
	fromWeb := ec2api.IpPermission{IpProtocol: new("6"), FromPort: new(int64(5432)), ToPort: new(int64(5432)), UserIdGroupPairs: []ec2api.UserIdGroupPair{{GroupId: web}}}
	call(t, e, east, ec2api.OpAuthorizeSecurityGroupIngress, &ec2api.AuthorizeSecurityGroupIngressRequest{GroupId: db, IpPermissions: []ec2api.IpPermission{fromWeb}})
	fails(t, e, east, ec2api.OpAuthorizeSecurityGroupIngress, &ec2api.AuthorizeSecurityGroupIngressRequest{GroupId: web,
		IpPermissions: []ec2api.IpPermission{{IpProtocol: new("tcp"), IpRanges: []ec2api.IpRange{{CidrIp: new("10.0.0.0/8")}}}}}, "InvalidParameterValue")

	got := call(t, e, east, ec2api.OpDescribeSecurityGroups, &ec2api.DescribeSecurityGroupsRequest{Filters: []ec2api.Filter{filter("ip-permission.group-id", *web)}}).SecurityGroups
	if len(got) != 1 || *got[0].GroupId != *db || *got[0].IpPermissions[0].IpProtocol != "tcp" || *got[0].IpPermissions[0].FromPort != 5432 {
		t.Errorf("groups that let web in = %+v", got)
	}
	rules := call(t, e, east, ec2api.OpDescribeSecurityGroupRules, &ec2api.DescribeSecurityGroupRulesRequest{Filters: []ec2api.Filter{filter("group-id", *web)}}).SecurityGroupRules
	if len(rules) != 2 {
		t.Fatalf("web's rules = %+v", rules)
	}
	fails(t, e, east, ec2api.OpDeleteSecurityGroup, &ec2api.DeleteSecurityGroupRequest{GroupId: web}, "DependencyViolation")
	fails(t, e, east, ec2api.OpRevokeSecurityGroupIngress, &ec2api.RevokeSecurityGroupIngressRequest{GroupId: web,
		IpPermissions: []ec2api.IpPermission{{IpProtocol: new("udp"), FromPort: new(int64(53)), ToPort: new(int64(53)), IpRanges: []ec2api.IpRange{{CidrIp: new("0.0.0.0/0")}}}}}, "InvalidPermission.NotFound")
	call(t, e, east, ec2api.OpRevokeSecurityGroupIngress, &ec2api.RevokeSecurityGroupIngressRequest{GroupId: db, IpPermissions: []ec2api.IpPermission{fromWeb}})
	// The default egress rule goes as Terraform removes it.
	egress := call(t, e, east, ec2api.OpRevokeSecurityGroupEgress, &ec2api.RevokeSecurityGroupEgressRequest{GroupId: web,
		IpPermissions: []ec2api.IpPermission{{IpProtocol: new("-1"), IpRanges: []ec2api.IpRange{{CidrIp: new("0.0.0.0/0")}}}}})
	if len(egress.RevokedSecurityGroupRules) != 1 {
		t.Errorf("revoked egress = %+v", egress)
	}
	var sshRule string
	for _, r := range rules {
		if !*r.IsEgress {
			sshRule = *r.SecurityGroupRuleId
		}
	}
	call(t, e, east, ec2api.OpModifySecurityGroupRules, &ec2api.ModifySecurityGroupRulesRequest{GroupId: web, SecurityGroupRules: []ec2api.SecurityGroupRuleUpdate{{
		SecurityGroupRuleId: &sshRule, SecurityGroupRule: &ec2api.SecurityGroupRuleRequest{IpProtocol: new("tcp"), FromPort: new(int64(2222)), ToPort: new(int64(2222)), CidrIpv4: new("10.0.0.0/8")}}}})
	rule := call(t, e, east, ec2api.OpDescribeSecurityGroupRules, &ec2api.DescribeSecurityGroupRulesRequest{SecurityGroupRuleIds: []string{sshRule}}).SecurityGroupRules
	if len(rule) != 1 || *rule[0].FromPort != 2222 || *rule[0].CidrIpv4 != "10.0.0.0/8" {
		t.Errorf("modified rule = %+v", rule)
	}
	call(t, e, east, ec2api.OpDeleteSecurityGroup, &ec2api.DeleteSecurityGroupRequest{GroupId: web})
	def := call(t, e, east, ec2api.OpDescribeSecurityGroups, &ec2api.DescribeSecurityGroupsRequest{Filters: []ec2api.Filter{filter("vpc-id", *vpc), filter("group-name", "default")}}).SecurityGroups
	fails(t, e, east, ec2api.OpDeleteSecurityGroup, &ec2api.DeleteSecurityGroupRequest{GroupId: def[0].GroupId}, "CannotDelete")
}

// TestRoutesAndGateways: routes to an attached gateway, associations, and what each
// refusal is.
func TestRoutesAndGateways(t *testing.T) {
	e := start(t)
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16")}).Vpc.VpcId
	sub := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc, CidrBlock: new("10.0.1.0/24")}).Subnet.SubnetId
	gw := call(t, e, east, ec2api.OpCreateInternetGateway, &ec2api.CreateInternetGatewayRequest{}).InternetGateway.InternetGatewayId
	table := call(t, e, east, ec2api.OpCreateRouteTable, &ec2api.CreateRouteTableRequest{VpcId: vpc}).RouteTable.RouteTableId
	route := &ec2api.CreateRouteRequest{RouteTableId: table, DestinationCidrBlock: new("0.0.0.0/0"), GatewayId: gw}
	fails(t, e, east, ec2api.OpCreateRoute, route, "InvalidParameter")
	call(t, e, east, ec2api.OpAttachInternetGateway, &ec2api.AttachInternetGatewayRequest{InternetGatewayId: gw, VpcId: vpc})
	fails(t, e, east, ec2api.OpAttachInternetGateway, &ec2api.AttachInternetGatewayRequest{InternetGatewayId: gw, VpcId: vpc}, "Resource.AlreadyAssociated")
	call(t, e, east, ec2api.OpCreateRoute, route)
	fails(t, e, east, ec2api.OpCreateRoute, route, "RouteAlreadyExists")
	assoc := call(t, e, east, ec2api.OpAssociateRouteTable, &ec2api.AssociateRouteTableRequest{RouteTableId: table, SubnetId: sub}).AssociationId
	fails(t, e, east, ec2api.OpAssociateRouteTable, &ec2api.AssociateRouteTableRequest{RouteTableId: table, SubnetId: sub}, "Resource.AlreadyAssociated")
	fails(t, e, east, ec2api.OpDeleteRouteTable, &ec2api.DeleteRouteTableRequest{RouteTableId: table}, "DependencyViolation")
	fails(t, e, east, ec2api.OpDeleteRoute, &ec2api.DeleteRouteRequest{RouteTableId: table, DestinationCidrBlock: new("10.0.0.0/16")}, "InvalidParameter")
	fails(t, e, east, ec2api.OpDeleteRoute, &ec2api.DeleteRouteRequest{RouteTableId: table, DestinationCidrBlock: new("192.168.0.0/16")}, "InvalidRoute.NotFound")

	call(t, e, east, ec2api.OpDetachInternetGateway, &ec2api.DetachInternetGatewayRequest{InternetGatewayId: gw, VpcId: vpc})
	got := call(t, e, east, ec2api.OpDescribeRouteTables, &ec2api.DescribeRouteTablesRequest{Filters: []ec2api.Filter{filter("association.subnet-id", *sub)}}).RouteTables
	if len(got) != 1 || *got[0].Routes[1].State != "blackhole" {
		t.Errorf("the table of the subnet = %+v", got)
	}
	call(t, e, east, ec2api.OpDisassociateRouteTable, &ec2api.DisassociateRouteTableRequest{AssociationId: assoc})
	call(t, e, east, ec2api.OpDeleteRoute, &ec2api.DeleteRouteRequest{RouteTableId: table, DestinationCidrBlock: new("0.0.0.0/0")})
	// The new table becomes main, and the old main one can then go.
	main := call(t, e, east, ec2api.OpDescribeRouteTables, &ec2api.DescribeRouteTablesRequest{Filters: []ec2api.Filter{filter("vpc-id", *vpc), filter("association.main", "true")}}).RouteTables[0]
	fails(t, e, east, ec2api.OpDeleteRouteTable, &ec2api.DeleteRouteTableRequest{RouteTableId: main.RouteTableId}, "DependencyViolation")
	call(t, e, east, ec2api.OpReplaceRouteTableAssociation, &ec2api.ReplaceRouteTableAssociationRequest{AssociationId: main.Associations[0].RouteTableAssociationId, RouteTableId: table})
	call(t, e, east, ec2api.OpDeleteRouteTable, &ec2api.DeleteRouteTableRequest{RouteTableId: main.RouteTableId})
	call(t, e, east, ec2api.OpDeleteInternetGateway, &ec2api.DeleteInternetGatewayRequest{InternetGatewayId: gw})
}

// TestTags: tags on create and after, DescribeTags and its filters, EC2's limits.
func TestTags(t *testing.T) {
	e := start(t)
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16")}).Vpc.VpcId
	sub := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc, CidrBlock: new("10.0.1.0/24")}).Subnet.SubnetId
	call(t, e, east, ec2api.OpCreateTags, &ec2api.CreateTagsRequest{Resources: []string{*vpc, *sub}, Tags: []ec2api.Tag{{Key: new("env"), Value: new("prod")}, {Key: new("Name"), Value: new("a")}}})
	call(t, e, east, ec2api.OpCreateTags, &ec2api.CreateTagsRequest{Resources: []string{*sub}, Tags: []ec2api.Tag{{Key: new("Name"), Value: new("b")}}})
	tags := call(t, e, east, ec2api.OpDescribeTags, &ec2api.DescribeTagsRequest{Filters: []ec2api.Filter{filter("resource-type", "subnet")}}).Tags
	if len(tags) != 2 || *tags[0].Key != "env" || *tags[1].Value != "b" {
		t.Errorf("subnet tags = %+v", tags)
	}
	call(t, e, east, ec2api.OpDeleteTags, &ec2api.DeleteTagsRequest{Resources: []string{*vpc}, Tags: []ec2api.Tag{{Key: new("env"), Value: new("dev")}, {Key: new("Name")}}})
	left := call(t, e, east, ec2api.OpDescribeTags, &ec2api.DescribeTagsRequest{Filters: []ec2api.Filter{filter("resource-id", *vpc)}}).Tags
	if len(left) != 1 || *left[0].Key != "env" {
		t.Errorf("after DeleteTags: %+v (a value that does not match keeps its tag)", left)
	}
	fails(t, e, east, ec2api.OpCreateTags, &ec2api.CreateTagsRequest{Resources: []string{"vpc-12345678"}, Tags: []ec2api.Tag{{Key: new("a")}}}, "InvalidVpcID.NotFound")
	fails(t, e, east, ec2api.OpCreateTags, &ec2api.CreateTagsRequest{Resources: []string{"i-12345678"}, Tags: []ec2api.Tag{{Key: new("a")}}}, "InvalidID")
	fails(t, e, east, ec2api.OpCreateTags, &ec2api.CreateTagsRequest{Resources: []string{*vpc}, Tags: []ec2api.Tag{{Key: new("aws:x")}}}, "InvalidParameterValue")
	fails(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.1.0.0/16"),
		TagSpecifications: []ec2api.TagSpecification{{ResourceType: new("subnet"), Tags: []ec2api.Tag{{Key: new("a")}}}}}, "InvalidParameterValue")
	var many []ec2api.Tag
	for i := range 51 {
		many = append(many, ec2api.Tag{Key: new(strings.Repeat("k", i+1))})
	}
	fails(t, e, east, ec2api.OpCreateTags, &ec2api.CreateTagsRequest{Resources: []string{*vpc}, Tags: many}, "TagLimitExceeded")
}

// TestDryRun: a dry run answers DryRunOperation when the call would succeed, the call's
// own error when it would not, and writes nothing.
func TestDryRun(t *testing.T) {
	e := start(t)
	fails(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16"), DryRun: new(true)}, "DryRunOperation")
	if n := len(call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{}).Vpcs); n != 1 {
		t.Errorf("a dry run made a VPC: %d VPCs", n)
	}
	fails(t, e, east, ec2api.OpDeleteVpc, &ec2api.DeleteVpcRequest{VpcId: new("vpc-12345678"), DryRun: new(true)}, "InvalidVpcID.NotFound")
	fails(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{DryRun: new(true)}, "DryRunOperation")
}

// TestNetworkPort: the port other services place interfaces through; interfaces show
// in DescribeNetworkInterfaces and hold their subnet and groups.
func TestNetworkPort(t *testing.T) {
	e := start(t)
	net := network(e)
	// Before any call, a read-only look sees the default network as it will be made.
	var before []port.Subnet
	view(t, e, func(tx kit.Tx) {
		var err error
		if before, err = net.DefaultSubnets(tx, kittest.Account, east); err != nil {
			t.Fatal(err)
		}
	})
	if len(before) != 6 || before[0].Zone.Name != "us-east-1a" || !before[0].DefaultForAz {
		t.Fatalf("default subnets before use = %+v", before)
	}
	subs := call(t, e, east, ec2api.OpDescribeSubnets, &ec2api.DescribeSubnetsRequest{SubnetIds: []string{before[0].ID}}).Subnets
	if len(subs) != 1 || *subs[0].SubnetArn != before[0].ARN {
		t.Errorf("the subnet the port named = %+v", subs)
	}
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16")}).Vpc.VpcId
	sub := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc, CidrBlock: new("10.0.1.0/28")}).Subnet.SubnetId
	sg := call(t, e, east, ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{GroupName: new("efs"), Description: new("efs"), VpcId: vpc}).GroupId
	var made []port.Interface
	err := e.Service("ec2").(interface {
		Update(func(kit.Tx) error) error
	}).Update(func(tx kit.Tx) error {
		for range 11 {
			i, err := net.CreateInterface(tx, kittest.Account, east, port.InterfaceSpec{SubnetID: *sub, SecurityGroupIDs: []string{*sg}, InterfaceType: "efs", Description: "mount target"})
			if err != nil {
				return err
			}
			made = append(made, i)
		}
		_, err := net.CreateInterface(tx, kittest.Account, east, port.InterfaceSpec{SubnetID: *sub})
		if !errors.Is(err, port.ErrSubnetFull) {
			t.Errorf("a twelfth interface in a /28: %v", err)
		}
		_, err = net.CreateInterface(tx, kittest.Account, east, port.InterfaceSpec{SubnetID: before[0].ID, SecurityGroupIDs: []string{*sg}})
		if !errors.Is(err, port.ErrVPCMismatch) {
			t.Errorf("a group of another VPC: %v", err)
		}
		_, err = net.Subnets(tx, kittest.Account, east, []string{"subnet-12345678"})
		if id, ok := port.MissingID(err); !ok || id != "subnet-12345678" || !errors.Is(err, port.ErrSubnetNotFound) {
			t.Errorf("a missing subnet: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if made[0].PrivateIP != "10.0.1.4" || made[10].PrivateIP != "10.0.1.14" {
		t.Errorf("addresses = %s .. %s", made[0].PrivateIP, made[10].PrivateIP)
	}
	enis := call(t, e, east, ec2api.OpDescribeNetworkInterfaces, &ec2api.DescribeNetworkInterfacesRequest{Filters: []ec2api.Filter{filter("subnet-id", *sub)}}).NetworkInterfaces
	if len(enis) != 11 || *enis[0].InterfaceType != "efs" || *enis[0].Groups[0].GroupName != "efs" {
		t.Errorf("interfaces = %d, %+v", len(enis), enis[0])
	}
	if free := *call(t, e, east, ec2api.OpDescribeSubnets, &ec2api.DescribeSubnetsRequest{SubnetIds: []string{*sub}}).Subnets[0].AvailableIpAddressCount; free != 0 {
		t.Errorf("free addresses = %d", free)
	}
	fails(t, e, east, ec2api.OpDeleteSubnet, &ec2api.DeleteSubnetRequest{SubnetId: sub}, "DependencyViolation")
	fails(t, e, east, ec2api.OpDeleteSecurityGroup, &ec2api.DeleteSecurityGroupRequest{GroupId: sg}, "DependencyViolation")
}

// TestRegionsAndZones: the Regions of the partition, the zones of the Region with
// their ids.
func TestRegionsAndZones(t *testing.T) {
	e := start(t)
	regions := call(t, e, east, ec2api.OpDescribeRegions, &ec2api.DescribeRegionsRequest{Filters: []ec2api.Filter{filter("region-name", "us-*")}}).Regions
	if len(regions) != 4 || *regions[0].Endpoint != "ec2.us-east-1.amazonaws.com" {
		t.Errorf("us-* Regions = %+v", regions)
	}
	zones := call(t, e, "ap-southeast-2", ec2api.OpDescribeAvailabilityZones, &ec2api.DescribeAvailabilityZonesRequest{}).AvailabilityZones
	if len(zones) != 3 || *zones[1].ZoneName != "ap-southeast-2b" || *zones[1].ZoneId != "apse2-az2" {
		t.Errorf("zones = %+v", zones)
	}
	fails(t, e, east, ec2api.OpDescribeAvailabilityZones, &ec2api.DescribeAvailabilityZonesRequest{ZoneNames: []string{"us-east-1z"}}, "InvalidParameterValue")
	fails(t, e, east, ec2api.OpDescribeRegions, &ec2api.DescribeRegionsRequest{RegionNames: []string{"cn-north-1"}}, "InvalidParameterValue")
}
