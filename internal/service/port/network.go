package port

import (
	"errors"

	"github.com/xregion/xregion/internal/service/kit"
)

// Network is the EC2 network other services place their resources in: RDS DB subnet
// groups and the instances in them, EFS mount targets. EC2 provides it. Methods work
// inside the caller's transaction, in one account and Region.
//
// Every account and Region has the default VPC AWS creates (a /16, one default subnet per
// Availability Zone, a default security group). EC2 makes it on first use; a read-only
// transaction that comes before that use sees it as it will be made, with the same ids.
// An account that deleted its default VPC has none.
type Network interface {
	// Zones lists the Availability Zones of a Region, in name order.
	Zones(region string) []Zone
	// Subnets returns the subnets ids name, in the order given. An id that names no
	// subnet of the account and Region is ErrSubnetNotFound, wrapped with the id (see
	// MissingID).
	Subnets(tx kit.Tx, account, region string, ids []string) ([]Subnet, error)
	// DefaultSubnets returns the subnets of the default VPC, one per Availability Zone
	// in zone order; none when the account has deleted its default VPC.
	DefaultSubnets(tx kit.Tx, account, region string) ([]Subnet, error)
	// SecurityGroups returns the security groups ids name, in the order given; an id that
	// names none is ErrSecurityGroupNotFound, wrapped with the id.
	SecurityGroups(tx kit.Tx, account, region string, ids []string) ([]SecurityGroup, error)
	// DefaultSecurityGroup returns the security group named "default" of a VPC; a VPC
	// that does not exist is ErrVPCNotFound.
	DefaultSecurityGroup(tx kit.Tx, account, region, vpcID string) (SecurityGroup, error)
	// CreateInterface makes a network interface in a subnet for another service's
	// resource (an EFS mount target, an RDS instance). It takes the private address
	// asked for, or the next free one of the subnet; it shows in EC2's
	// DescribeNetworkInterfaces; and while it exists EC2 refuses to delete its subnet
	// and security groups (DependencyViolation), as AWS does. It needs a writable
	// transaction. The security groups must be of the subnet's VPC (ErrVPCMismatch).
	CreateInterface(tx kit.Tx, account, region string, spec InterfaceSpec) (Interface, error)
	// DeleteInterface removes an interface CreateInterface made; one already gone is
	// not an error.
	DeleteInterface(tx kit.Tx, account, region, interfaceID string) error
	// SetInterfaceGroups replaces the security groups of an interface CreateInterface
	// made (none means the VPC's default), and returns them; they must be of its VPC
	// (ErrVPCMismatch). An interface that does not exist is ErrInterfaceNotFound.
	SetInterfaceGroups(tx kit.Tx, account, region, interfaceID string, groupIDs []string) ([]string, error)
}

// Zone is an Availability Zone: its name ("us-east-1a") and its id ("use1-az1").
type Zone struct {
	Name, ID string
}

// Subnet is what another service needs to know of a subnet.
type Subnet struct {
	ID, ARN, VpcID string
	Zone           Zone
	CIDRBlock      string // "" for an IPv6-only subnet
	IPv6CIDRBlock  string // its /64, or "" when it has none
	State          string // "available" or "pending"
	DefaultForAz   bool
}

// SecurityGroup is what another service needs to know of a security group.
type SecurityGroup struct {
	ID, ARN, Name, VpcID, OwnerID string
}

// InterfaceSpec asks for a network interface.
type InterfaceSpec struct {
	SubnetID         string
	SecurityGroupIDs []string // none means the VPC's default security group
	PrivateIP        string   // "" means the next free address of the subnet
	Description      string   // as AWS writes it ("EFS mount target for fs-... (fsmt-...)")
	InterfaceType    string   // "interface", or the owning service's type ("efs", ...)
	RequesterID      string   // the service that manages it, as EC2 shows it
	// IPv6 gives the interface an IPv6 address of the subnet's /64 too: IPv6Address, or
	// one EC2 picks. A subnet without a /64 is ErrNoIPv6.
	IPv6        bool
	IPv6Address string
	// IPv6Only leaves the interface without an IPv4 address (and implies IPv6).
	IPv6Only bool
}

// Interface is a network interface made by CreateInterface.
type Interface struct {
	ID, SubnetID, VpcID, PrivateIP string
	IPv6Address                    string // "" unless asked for
	Zone                           Zone
	SecurityGroupIDs               []string
}

// Failures of a Network, possibly wrapped: test them with errors.Is and answer with the
// caller's own AWS errors. Any other error is an internal failure.
var (
	ErrSubnetNotFound        = errors.New("ec2: subnet not found")
	ErrSecurityGroupNotFound = errors.New("ec2: security group not found")
	ErrVPCNotFound           = errors.New("ec2: VPC not found")
	ErrVPCMismatch           = errors.New("ec2: security group and subnet are in different VPCs")
	ErrAddressInUse          = errors.New("ec2: the private address is in use")
	ErrAddressNotInSubnet    = errors.New("ec2: the private address is not in the subnet's range")
	ErrSubnetFull            = errors.New("ec2: the subnet has no free private address")
	ErrInterfaceNotFound     = errors.New("ec2: network interface not found")
	ErrNoIPv6                = errors.New("ec2: the subnet has no IPv6 CIDR block")
)

// MissingID returns the id a not-found failure of a Network names, for the caller's
// message ("The subnet ID 'subnet-1' does not exist").
func MissingID(err error) (string, bool) {
	var m *missing
	if errors.As(err, &m) {
		return m.id, true
	}
	return "", false
}

// Missing wraps a not-found failure (ErrSubnetNotFound, ErrSecurityGroupNotFound,
// ErrVPCNotFound) with the id that was not found. Providers use it.
func Missing(kind error, id string) error { return &missing{kind: kind, id: id} }

type missing struct {
	kind error
	id   string
}

func (m *missing) Error() string { return m.kind.Error() + ": " + m.id }
func (m *missing) Unwrap() error { return m.kind }
