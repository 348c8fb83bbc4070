package e2e

import (
	"strings"
	"testing"
)

// efsHCL is a file system in a VPC of two subnets: encrypted with a key of its own,
// elastic throughput with lifecycle policies, a mount target in each subnet behind a
// security group, an access point, automatic backups, a file system policy, and
// replication to us-west-2.
const efsHCL = `
resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
  tags       = { Name = "efs" }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.30.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.30.2.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_security_group" "nfs" {
  name   = "nfs"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 2049
    to_port     = 2049
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}

resource "aws_kms_key" "efs" {
  description = "EFS data"
}

resource "aws_efs_file_system" "data" {
  creation_token   = "shared-data"
  encrypted        = true
  kms_key_id       = aws_kms_key.efs.arn
  throughput_mode  = "elastic"
  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }
  lifecycle_policy {
    transition_to_primary_storage_class = "AFTER_1_ACCESS"
  }
  tags = { Name = "shared-data" }
}

resource "aws_efs_mount_target" "a" {
  file_system_id  = aws_efs_file_system.data.id
  subnet_id       = aws_subnet.a.id
  security_groups = [aws_security_group.nfs.id]
}

resource "aws_efs_mount_target" "b" {
  file_system_id  = aws_efs_file_system.data.id
  subnet_id       = aws_subnet.b.id
  ip_address      = "10.30.2.10"
  security_groups = [aws_security_group.nfs.id]
}

resource "aws_efs_access_point" "app" {
  file_system_id = aws_efs_file_system.data.id
  posix_user {
    uid = 1000
    gid = 1000
  }
  root_directory {
    path = "/app"
    creation_info {
      owner_uid   = 1000
      owner_gid   = 1000
      permissions = "750"
    }
  }
  tags = { Name = "app" }
}

resource "aws_efs_backup_policy" "data" {
  file_system_id = aws_efs_file_system.data.id
  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_efs_file_system_policy" "data" {
  file_system_id = aws_efs_file_system.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["elasticfilesystem:ClientMount"]
      Resource  = aws_efs_file_system.data.arn
    }]
  })
}

resource "aws_efs_replication_configuration" "dr" {
  source_file_system_id = aws_efs_file_system.data.id
  destination {
    region = "us-west-2"
  }
}

output "file_system" {
  value = aws_efs_file_system.data.id
}

output "replica" {
  value = aws_efs_replication_configuration.dr.destination[0].file_system_id
}

output "mount_ip" {
  value = aws_efs_mount_target.b.ip_address
}
`

// TestEFSWithTerraform applies the EFS stack, plans it again with nothing to change,
// checks what the AWS CLI sees in both Regions, and destroys it.
func TestEFSWithTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+efsHCL)
	tf.apply()
	tf.planNoChanges()

	fsID, replica := tf.output("file_system"), tf.output("replica")
	if fs := srv.fileSystem(t, "us-east-1", fsID); fs.NumberOfMountTargets != 2 || fs.Name != "shared-data" {
		t.Errorf("file system %+v", fs)
	}
	if tf.output("mount_ip") != "10.30.2.10" {
		t.Errorf("mount target address %s", tf.output("mount_ip"))
	}
	if d := srv.replication(t, "us-west-2", replica).Destinations[0]; d.Status != "ENABLED" || d.Region != "us-west-2" {
		t.Errorf("replication %+v", d)
	}
	var backup struct{ BackupPolicy struct{ Status string } }
	srv.awsJSON(t, "us-east-1", &backup, "efs", "describe-backup-policy", "--file-system-id", fsID)
	if backup.BackupPolicy.Status != "ENABLED" {
		t.Errorf("backup policy %+v", backup)
	}

	tf.destroy()
	if out := srv.awsFail(t, "us-east-1", "efs", "describe-file-systems", "--file-system-id", fsID); !strings.Contains(out, "FileSystemNotFound") {
		t.Errorf("the file system outlived destroy: %s", out)
	}
	// Terraform leaves the replica, writable once the replication is gone, as AWS does.
	if fs := srv.fileSystem(t, "us-west-2", replica); fs.FileSystemProtection.ReplicationOverwriteProtection != "ENABLED" {
		t.Errorf("replica after destroy %+v", fs)
	}
}
