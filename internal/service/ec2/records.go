package ec2

import (
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

const serviceName = "ec2"

// The records of an account in a Region. Every resource is filed under its id; a
// security group's rules under the group.
var (
	defaultsMade = kit.Table[defaultsRecord]{Kind: "defaults"} // defaults: the default network was made
	vpcs         = kit.Table[vpcRecord]{Kind: "vpc"}           // vpc/<id>
	subnets      = kit.Table[subnetRecord]{Kind: "subnet"}     // subnet/<id>
	groups       = kit.Table[groupRecord]{Kind: "sg"}          // sg/<id>
	rules        = kit.Table[ruleRecord]{Kind: "sgr"}          // sgr/<group id>/<rule id>
	routeTables  = kit.Table[routeTableRecord]{Kind: "rtb"}    // rtb/<id>
	gateways     = kit.Table[gatewayRecord]{Kind: "igw"}       // igw/<id>
	acls         = kit.Table[aclRecord]{Kind: "acl"}           // acl/<id>
	interfaces   = kit.Table[interfaceRecord]{Kind: "eni"}     // eni/<id>
	tagSets      = kit.Table[tagSet]{Kind: "tags"}             // tags/<resource id>
)

// defaultsRecord marks the default network of an account and Region as made: it is made
// once, and a default VPC the account deleted stays deleted.
type defaultsRecord struct {
	VpcID string    `json:"vpcId"`
	Made  time.Time `json:"made"`
}

type vpcRecord struct {
	ID            string     `json:"id"`
	Owner         string     `json:"owner"`
	CidrBlock     string     `json:"cidr"`
	Cidrs         []cidrLink `json:"cidrs"`
	IPv6          []cidrLink `json:"ipv6,omitempty"`
	DhcpOptionsID string     `json:"dhcp"`
	Tenancy       string     `json:"tenancy"`
	Default       bool       `json:"default,omitempty"`
	DNSSupport    bool       `json:"dnsSupport"`
	DNSHostnames  bool       `json:"dnsHostnames"`
	UsageMetrics  bool       `json:"usageMetrics,omitempty"`
	Created       time.Time  `json:"created"`
	ClientToken   string     `json:"clientToken,omitempty"`
}

// cidrLink is a CIDR block associated with a VPC or a subnet.
type cidrLink struct {
	AssociationID string `json:"id"`
	Block         string `json:"block"`
	BorderGroup   string `json:"nbg,omitempty"` // an IPv6 block's network border group
}

type subnetRecord struct {
	ID           string     `json:"id"`
	Owner        string     `json:"owner"`
	VpcID        string     `json:"vpcId"`
	CidrBlock    string     `json:"cidr"`
	IPv6         []cidrLink `json:"ipv6,omitempty"`
	Zone         string     `json:"zone"`
	ZoneID       string     `json:"zoneId"`
	DefaultForAz bool       `json:"defaultForAz,omitempty"`
	MapPublicIP  bool       `json:"mapPublicIp,omitempty"`
	AssignIPv6   bool       `json:"assignIpv6,omitempty"`
	IPv6Native   bool       `json:"ipv6Native,omitempty"` // no IPv4 block: CidrBlock is ""
	DNS64        bool       `json:"dns64,omitempty"`
	HostnameType string     `json:"hostnameType,omitempty"` // "" is AWS's default, ip-name
	ResourceA    bool       `json:"resourceA,omitempty"`
	ResourceAAAA bool       `json:"resourceAAAA,omitempty"`
	Created      time.Time  `json:"created"`
}

type groupRecord struct {
	ID          string `json:"id"`
	Owner       string `json:"owner"`
	Name        string `json:"name"`
	Description string `json:"description"`
	VpcID       string `json:"vpcId"`
}

// ruleRecord is one rule of a security group: one protocol and port range with one
// source or destination, as AWS keeps them (DescribeSecurityGroups groups them back into
// IpPermissions).
type ruleRecord struct {
	ID          string `json:"id"`
	GroupID     string `json:"groupId"`
	Egress      bool   `json:"egress,omitempty"`
	Protocol    string `json:"protocol"` // "tcp", "udp", "icmp", "icmpv6", "-1" or a number
	FromPort    int64  `json:"from"`     // -1 when the protocol has no ports
	ToPort      int64  `json:"to"`
	CidrIPv4    string `json:"cidr,omitempty"`
	CidrIPv6    string `json:"cidr6,omitempty"`
	PrefixList  string `json:"prefixList,omitempty"`
	RefGroupID  string `json:"refGroup,omitempty"`
	RefUserID   string `json:"refUser,omitempty"`
	Description string `json:"description,omitempty"`
}

type routeTableRecord struct {
	ID     string      `json:"id"`
	Owner  string      `json:"owner"`
	VpcID  string      `json:"vpcId"`
	Routes []routeRec  `json:"routes"`
	Links  []tableLink `json:"links,omitempty"`
	// ClientToken is the idempotency token of the CreateRouteTable that made it.
	ClientToken string `json:"clientToken,omitempty"`
}

// routeRec is one route: a destination and a target.
type routeRec struct {
	Destination     string `json:"dest,omitempty"`
	DestinationIPv6 string `json:"dest6,omitempty"`
	PrefixList      string `json:"prefixList,omitempty"`
	TargetKind      string `json:"kind"` // a field of ec2api.Route: "GatewayId", "NatGatewayId", ...
	Target          string `json:"target"`
	Origin          string `json:"origin"` // CreateRouteTable or CreateRoute
}

// tableLink associates a route table with a subnet or a gateway, or marks it main.
type tableLink struct {
	ID        string `json:"id"`
	Main      bool   `json:"main,omitempty"`
	SubnetID  string `json:"subnetId,omitempty"`
	GatewayID string `json:"gatewayId,omitempty"`
}

type gatewayRecord struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	VpcID string `json:"vpcId,omitempty"` // the VPC it is attached to
}

type aclRecord struct {
	ID      string    `json:"id"`
	Owner   string    `json:"owner"`
	VpcID   string    `json:"vpcId"`
	Default bool      `json:"default"`
	Links   []aclLink `json:"links,omitempty"`
}

type aclLink struct {
	ID       string `json:"id"`
	SubnetID string `json:"subnetId"`
}

// interfaceRecord is a network interface another service made through port.Network.
type interfaceRecord struct {
	ID          string    `json:"id"`
	Owner       string    `json:"owner"`
	SubnetID    string    `json:"subnetId"`
	VpcID       string    `json:"vpcId"`
	Zone        string    `json:"zone"`
	ZoneID      string    `json:"zoneId"`
	PrivateIP   string    `json:"ip"`
	IPv6        string    `json:"ip6,omitempty"`
	MAC         string    `json:"mac"`
	Groups      []string  `json:"groups"`
	Description string    `json:"description,omitempty"`
	Type        string    `json:"type"`
	RequesterID string    `json:"requester,omitempty"`
	Created     time.Time `json:"created"`
}

// tagSet is the tags of one resource, in the order they were first set.
type tagSet struct {
	Tags []tag `json:"tags"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

func partitionOf(region string) string {
	if p, ok := regions.Partition(region); ok {
		return p
	}
	return "aws"
}

// resourceARN is the ARN of an EC2 resource of the view's account: "subnet/subnet-1".
func resourceARN(v kit.View, kind, id string) string {
	return arn.New(partitionOf(v.Region()), serviceName, v.Region(), v.Account(), kind+"/"+id)
}
