package e2e

import (
	"strings"
	"testing"
)

// TestRDSSubnetGroupTerraform applies an aws_db_subnet_group on two aws_subnet
// resources of a new VPC, in two Availability Zones, and an aws_db_instance in it; plans
// again with no changes; checks the group in the instance's answer; and destroys it all
// (the group last, once no instance uses it).
func TestRDSSubnetGroupTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1")+`
resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_db_subnet_group" "app" {
  name       = "app"
  subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  tags = {
    env = "test"
  }
}

resource "aws_db_instance" "app" {
  allocated_storage    = 20
  db_subnet_group_name = aws_db_subnet_group.app.name
  engine               = "postgres"
  engine_version       = "16.8"
  identifier           = "app"
  instance_class       = "db.t3.micro"
  password             = "mustbeeightcharacters"
  skip_final_snapshot  = true
  storage_type         = "gp3"
  username             = "admin1"
}

output "vpc" {
  value = aws_vpc.main.id
}
`)
	done := timed(t, "apply")
	tf.apply()
	done()
	tf.planNoChanges()
	var out struct {
		DBInstances []struct {
			AvailabilityZone string
			DBSubnetGroup    struct {
				DBSubnetGroupName, VpcId string
				Subnets                  []struct{ SubnetIdentifier string }
			}
		}
	}
	srv.awsJSON(t, "us-east-1", &out, srv.rds("describe-db-instances", "--db-instance-identifier", "app")...)
	g := out.DBInstances[0].DBSubnetGroup
	if g.DBSubnetGroupName != "app" || g.VpcId != tf.output("vpc") || len(g.Subnets) != 2 {
		t.Errorf("the instance's subnet group: %+v", g)
	}
	stderr := srv.awsFail(t, "us-east-1", srv.rds("delete-db-subnet-group", "--db-subnet-group-name", "app")...)
	if !strings.Contains(stderr, "InvalidDBSubnetGroupStateFault") {
		t.Errorf("deleting the group in use: %s", stderr)
	}
	done = timed(t, "destroy")
	tf.destroy()
	done()
	var groups struct {
		DBSubnetGroups []struct{ DBSubnetGroupName string }
	}
	srv.awsJSON(t, "us-east-1", &groups, srv.rds("describe-db-subnet-groups")...)
	if len(groups.DBSubnetGroups) != 1 || groups.DBSubnetGroups[0].DBSubnetGroupName != "default" {
		t.Errorf("subnet groups after destroy: %+v", groups.DBSubnetGroups)
	}
}
