package e2e

import (
	"strings"
	"testing"
)

// ipv6HCL is a dual-stack network: a VPC with an Amazon-provided /56 and a secondary IPv4
// block, a subnet with a /64 of the /56 that gives its interfaces IPv6 addresses and
// DNS64, and a second subnet in the secondary block with the next /64.
const ipv6HCL = `
resource "aws_vpc" "v6" {
  cidr_block                       = "10.30.0.0/16"
  assign_generated_ipv6_cidr_block = true
  tags                             = { Name = "v6" }
}

resource "aws_vpc_ipv4_cidr_block_association" "secondary" {
  vpc_id     = aws_vpc.v6.id
  cidr_block = "10.31.0.0/16"
}

resource "aws_subnet" "dual" {
  vpc_id                          = aws_vpc.v6.id
  cidr_block                      = "10.30.1.0/24"
  ipv6_cidr_block                 = cidrsubnet(aws_vpc.v6.ipv6_cidr_block, 8, 1)
  assign_ipv6_address_on_creation = true
  enable_dns64                    = true
  availability_zone               = "us-east-1a"
  tags                            = { Name = "dual" }
}

resource "aws_subnet" "secondary" {
  vpc_id            = aws_vpc_ipv4_cidr_block_association.secondary.vpc_id
  cidr_block        = "10.31.1.0/24"
  ipv6_cidr_block   = cidrsubnet(aws_vpc.v6.ipv6_cidr_block, 8, 2)
  availability_zone = "us-east-1b"
  tags              = { Name = "secondary" }
}

output "vpc_ipv6" {
  value = aws_vpc.v6.ipv6_cidr_block
}

output "border_group" {
  value = aws_vpc.v6.ipv6_cidr_block_network_border_group
}
`

// TestEC2IPv6WithTerraform applies the dual-stack network, plans it again with nothing to
// change, checks with the AWS CLI what the filters find, and destroys it.
func TestEC2IPv6WithTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1")+ipv6HCL)
	tf.apply()
	tf.planNoChanges()

	block := tf.output("vpc_ipv6")
	// us-east-1's EC2 pool in AWS's published ranges is 2600:1f18::/33.
	if !strings.HasPrefix(block, "2600:1f18:") || !strings.HasSuffix(block, "::/56") || tf.output("border_group") != "us-east-1" {
		t.Errorf("the VPC's IPv6 block %s in %s", block, tf.output("border_group"))
	}
	var vpcs struct {
		Vpcs []struct {
			VpcId                       string
			CidrBlockAssociationSet     []struct{ CidrBlock string }
			Ipv6CidrBlockAssociationSet []struct {
				Ipv6CidrBlock      string
				Ipv6CidrBlockState struct{ State string }
			}
		}
	}
	srv.awsJSON(t, "us-east-1", &vpcs, "ec2", "describe-vpcs", "--filters", "Name=ipv6-cidr-block-association.ipv6-cidr-block,Values="+block)
	if len(vpcs.Vpcs) != 1 || len(vpcs.Vpcs[0].CidrBlockAssociationSet) != 2 || vpcs.Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlockState.State != "associated" {
		t.Fatalf("VPCs with the block: %+v", vpcs.Vpcs)
	}
	var subnets struct {
		Subnets []struct {
			SubnetId                    string
			AssignIpv6AddressOnCreation bool
			EnableDns64                 bool
		}
	}
	srv.awsJSON(t, "us-east-1", &subnets, "ec2", "describe-subnets", "--filters",
		"Name=vpc-id,Values="+vpcs.Vpcs[0].VpcId, "Name=assign-ipv6-address-on-creation,Values=true")
	if len(subnets.Subnets) != 1 || !subnets.Subnets[0].EnableDns64 {
		t.Errorf("subnets that assign IPv6 addresses: %+v", subnets.Subnets)
	}
	srv.awsJSON(t, "us-east-1", &vpcs, "ec2", "describe-vpcs", "--filters", "Name=cidr-block-association.cidr-block,Values=10.31.0.0/16")
	if len(vpcs.Vpcs) != 1 {
		t.Errorf("VPCs with the secondary block: %+v", vpcs.Vpcs)
	}

	tf.destroy()
	srv.awsJSON(t, "us-east-1", &vpcs, "ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=v6")
	if len(vpcs.Vpcs) != 0 {
		t.Errorf("the VPC outlived destroy: %+v", vpcs.Vpcs)
	}
}
