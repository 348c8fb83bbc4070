package e2e

import (
	"strings"
	"testing"
)

// auroraHCL is a team's Aurora DR stack: a cluster parameter group, a global database
// with its primary (and its instance) in us-east-1, and a secondary cluster (and its
// instance) in us-west-2 encrypted under a key of its own Region.
const auroraHCL = `
resource "aws_rds_cluster_parameter_group" "app" {
  name        = "app-cluster-pg"
  family      = "aurora-postgresql15"
  description = "app cluster parameters"
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
}

resource "aws_rds_global_cluster" "app" {
  global_cluster_identifier = "app"
  engine                    = "aurora-postgresql"
  engine_version            = "15.4"
  database_name             = "app"
  storage_encrypted         = true
}

resource "aws_rds_cluster" "primary" {
  cluster_identifier              = "app-east"
  engine                          = aws_rds_global_cluster.app.engine
  engine_version                  = aws_rds_global_cluster.app.engine_version
  global_cluster_identifier       = aws_rds_global_cluster.app.id
  database_name                   = "app"
  master_username                 = "postgres"
  manage_master_user_password     = true
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.app.name
  storage_encrypted               = true
  backup_retention_period         = 7
  preferred_backup_window         = "03:00-04:00"
  skip_final_snapshot             = true
  tags = {
    team = "dr"
  }
}

resource "aws_rds_cluster_instance" "primary" {
  identifier         = "app-east-1"
  cluster_identifier = aws_rds_cluster.primary.id
  engine             = aws_rds_cluster.primary.engine
  engine_version     = aws_rds_cluster.primary.engine_version
  instance_class     = "db.r6g.large"
}

resource "aws_kms_key" "west" {
  provider                = aws.us_west_2
  description             = "app secondary"
  deletion_window_in_days = 7
}

resource "aws_rds_cluster" "secondary" {
  provider                  = aws.us_west_2
  cluster_identifier        = "app-west"
  engine                    = aws_rds_global_cluster.app.engine
  engine_version            = aws_rds_global_cluster.app.engine_version
  global_cluster_identifier = aws_rds_global_cluster.app.id
  storage_encrypted         = true
  kms_key_id                = aws_kms_key.west.arn
  skip_final_snapshot       = true
  depends_on                = [aws_rds_cluster_instance.primary]
}

resource "aws_rds_cluster_instance" "secondary" {
  provider           = aws.us_west_2
  identifier         = "app-west-1"
  cluster_identifier = aws_rds_cluster.secondary.id
  engine             = aws_rds_cluster.secondary.engine
  engine_version     = aws_rds_cluster.secondary.engine_version
  instance_class     = "db.r6g.large"
}

output "primary_endpoint" { value = aws_rds_cluster.primary.endpoint }
output "secondary_arn" { value = aws_rds_cluster.secondary.arn }
`

// TestAuroraGlobalDatabaseTerraform applies the Aurora DR stack, plans again with no
// changes, and destroys it.
func TestAuroraGlobalDatabaseTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+auroraHCL)
	tf.apply()
	tf.planNoChanges()
	if ep := tf.output("primary_endpoint"); !strings.HasPrefix(ep, "app-east.cluster-") {
		t.Errorf("primary endpoint %q", ep)
	}
	if w, sync := srv.globalMembers(t, "us-east-1", "app"); w != "us-east-1" || sync["us-west-2"] != "connected" {
		t.Errorf("global cluster: writer %s, secondaries %v", w, sync)
	}
	if cl := srv.dbCluster(t, "us-west-2", "app-west"); cl.GlobalClusterIdentifier != "app" || len(cl.DBClusterMembers) != 1 || cl.DBClusterMembers[0].IsClusterWriter {
		t.Errorf("secondary %+v", cl)
	}
	tf.destroy()
	var list struct{ DBClusters []cliCluster }
	srv.awsJSON(t, "us-east-1", &list, srv.rds("describe-db-clusters")...)
	if len(list.DBClusters) != 0 {
		t.Errorf("clusters left after destroy: %+v", list.DBClusters)
	}
}
