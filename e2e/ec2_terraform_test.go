package e2e

import (
	"strings"
	"testing"
)

// networkHCL is a small network and EBS stack: a VPC with two subnets in two zones and a
// security group with an ingress and an egress rule; an encrypted volume, its snapshot,
// and the snapshot's copy in us-west-2 under a key of that Region.
const networkHCL = `
resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "main" }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-east-1a"
  tags              = { Name = "a" }
}

resource "aws_subnet" "b" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.20.2.0/24"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = true
  tags                    = { Name = "b" }
}

resource "aws_security_group" "db" {
  name        = "db"
  description = "database access"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "postgres"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 8
  type              = "gp3"
  iops              = 4000
  throughput        = 250
  encrypted         = true
  tags              = { Name = "data" }
}

resource "aws_ebs_snapshot" "data" {
  volume_id   = aws_ebs_volume.data.id
  description = "nightly"
  tags        = { Name = "data" }
}

resource "aws_kms_key" "west" {
  provider    = aws.us_west_2
  description = "EBS copies"
}

resource "aws_ebs_snapshot_copy" "data" {
  provider           = aws.us_west_2
  source_snapshot_id = aws_ebs_snapshot.data.id
  source_region      = "us-east-1"
  encrypted          = true
  kms_key_id         = aws_kms_key.west.arn
  tags               = { Name = "data-copy" }
}

output "copy" {
  value = aws_ebs_snapshot_copy.data.id
}

output "subnets" {
  value = join(",", [aws_subnet.a.id, aws_subnet.b.id])
}
`

// TestEC2NetworkAndEBSWithTerraform applies the network and EBS stack, plans it again
// with nothing to change, checks what the AWS CLI sees, and destroys it.
func TestEC2NetworkAndEBSWithTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+networkHCL)
	tf.apply()
	tf.planNoChanges()

	var subnets struct {
		Subnets []struct{ SubnetId, VpcId, AvailabilityZone string }
	}
	srv.awsJSON(t, "us-east-1", &subnets, "ec2", "describe-subnets", "--filters", "Name=tag:Name,Values=a,b")
	if len(subnets.Subnets) != 2 || subnets.Subnets[0].VpcId != subnets.Subnets[1].VpcId {
		t.Errorf("subnets %+v", subnets.Subnets)
	}
	var copies struct{ Snapshots []cliSnapshot }
	srv.awsJSON(t, "us-west-2", &copies, "ec2", "describe-snapshots", "--snapshot-ids", tf.output("copy"))
	if len(copies.Snapshots) != 1 || copies.Snapshots[0].State != "completed" || !copies.Snapshots[0].Encrypted ||
		!strings.Contains(copies.Snapshots[0].KmsKeyId, ":us-west-2:") {
		t.Errorf("the copy %+v", copies.Snapshots)
	}

	tf.destroy()
	var vpcs struct{ Vpcs []struct{ VpcId string } }
	srv.awsJSON(t, "us-east-1", &vpcs, "ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=main")
	if len(vpcs.Vpcs) != 0 {
		t.Errorf("the VPC outlived destroy: %+v", vpcs.Vpcs)
	}
	var left struct{ Volumes []struct{ VolumeId string } }
	srv.awsJSON(t, "us-east-1", &left, "ec2", "describe-volumes")
	if len(left.Volumes) != 0 {
		t.Errorf("volumes outlived destroy: %+v", left.Volumes)
	}
}
