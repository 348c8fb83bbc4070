package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// groupsHCL is the shape of a team's real RDS Terraform: a DB parameter group, a DB
// cluster parameter group, an option group, and a current PostgreSQL instance on its
// parameter group with its master password managed in Secrets Manager.
const groupsHCL = `
resource "aws_db_parameter_group" "pg16" {
  name   = "app-pg16"
  family = "postgres16"

  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }

  parameter {
    name         = "shared_preload_libraries"
    value        = "pg_stat_statements,pg_cron"
    apply_method = "pending-reboot"
  }

  tags = {
    team = "dr"
  }
}

resource "aws_rds_cluster_parameter_group" "aurora" {
  name   = "app-aurora-pg15"
  family = "aurora-postgresql15"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
}

resource "aws_db_option_group" "audit" {
  name                     = "app-mysql-audit"
  engine_name              = "mysql"
  major_engine_version     = "8.0"
  option_group_description = "audit logs"

  option {
    option_name = "MARIADB_AUDIT_PLUGIN"

    option_settings {
      name  = "SERVER_AUDIT_EVENTS"
      value = "CONNECT,QUERY_DDL"
    }
  }
}

resource "aws_db_instance" "app" {
  identifier                  = "app"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t3.micro"
  allocated_storage           = 20
  storage_type                = "gp3"
  username                    = "appadmin"
  manage_master_user_password = true
  parameter_group_name        = aws_db_parameter_group.pg16.name
  skip_final_snapshot         = true
}

output "secret" {
  value = aws_db_instance.app.master_user_secret[0].secret_arn
}
`

// TestRDSGroupsAndManagedPasswordTerraform applies the groups and the instance, plans
// again with no changes, reads the master password through Secrets Manager, and
// destroys everything, the secret with the instance.
func TestRDSGroupsAndManagedPasswordTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1")+groupsHCL)
	done := timed(t, "apply")
	tf.apply()
	done()
	tf.planNoChanges()

	secret := tf.output("secret")
	if !strings.Contains(secret, ":secret:rds!db-") {
		t.Fatalf("master_user_secret = %q", secret)
	}
	var value struct{ SecretString string }
	srv.awsJSON(t, "us-east-1", &value, "secretsmanager", "get-secret-value", "--secret-id", secret)
	var creds struct{ Username, Password string }
	if err := json.Unmarshal([]byte(value.SecretString), &creds); err != nil || creds.Username != "appadmin" || creds.Password == "" {
		t.Errorf("secret value %q: %v", value.SecretString, err)
	}
	var params struct {
		Parameters []struct{ ParameterName, ParameterValue, ApplyMethod string }
	}
	srv.awsJSON(t, "us-east-1", &params, srv.rds("describe-db-parameters", "--db-parameter-group-name", "app-pg16", "--source", "user")...)
	if len(params.Parameters) != 2 {
		t.Errorf("user parameters = %+v", params.Parameters)
	}

	done = timed(t, "destroy")
	tf.destroy()
	done()
	stderr := srv.awsFail(t, "us-east-1", "secretsmanager", "get-secret-value", "--secret-id", secret)
	if !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Errorf("the secret outlived the instance: %s", stderr)
	}
}

// TestRDSParameterGroupsWithCLI: the AWS CLI meets AWS's refusals of parameter changes,
// sees an instance's ParameterApplyStatus go to pending-reboot and back after a reboot,
// and reads a managed master password with get-secret-value.
func TestRDSParameterGroupsWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.aws(t, srv.rds("create-db-parameter-group", "--db-parameter-group-name", "cli-pg", "--db-parameter-group-family", "postgres13",
		"--description", "from the CLI")...)
	refusals := []struct{ param, want string }{
		{"ParameterName=no_such_thing,ParameterValue=1,ApplyMethod=immediate", "Could not find parameter with name: no_such_thing"},
		{"ParameterName=port,ParameterValue=5433,ApplyMethod=pending-reboot", "The parameter port cannot be modified."},
		{"ParameterName=max_connections,ParameterValue=100,ApplyMethod=immediate", "cannot use immediate apply method for static parameter"},
		{"ParameterName=autovacuum,ParameterValue=2,ApplyMethod=immediate", "Invalid parameter value: 2 for: autovacuum allowed values are: 0,1"},
		{"ParameterName=work_mem,ParameterValue=1,ApplyMethod=immediate", "Value: 1 is outside of range: 64-2147483647 for parameter: work_mem"},
	}
	for _, r := range refusals {
		stderr := srv.awsFail(t, "us-east-1", srv.rds("modify-db-parameter-group", "--db-parameter-group-name", "cli-pg", "--parameters", r.param)...)
		if !strings.Contains(stderr, r.want) {
			t.Errorf("%s: %s", r.param, stderr)
		}
	}
	srv.aws(t, srv.rds("create-db-instance", "--db-instance-identifier", "clipg", "--engine", "postgres",
		"--engine-version", "13.4", "--db-instance-class", "db.t3.micro", "--allocated-storage", "20",
		"--master-username", "admin1", "--manage-master-user-password", "--db-parameter-group-name", "cli-pg")...)
	srv.waitInstance(t, "us-east-1", "clipg", "available")
	srv.aws(t, srv.rds("modify-db-parameter-group", "--db-parameter-group-name", "cli-pg",
		"--parameters", "ParameterName=rds.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot")...)
	applyStatus := func() string {
		var out struct {
			DBInstances []struct {
				DBParameterGroups []struct{ ParameterApplyStatus string }
				MasterUserSecret  struct{ SecretArn, SecretStatus string }
			}
		}
		srv.awsJSON(t, "us-east-1", &out, srv.rds("describe-db-instances", "--db-instance-identifier", "clipg")...)
		return out.DBInstances[0].DBParameterGroups[0].ParameterApplyStatus + " " + out.DBInstances[0].MasterUserSecret.SecretArn
	}
	status, secret, _ := strings.Cut(applyStatus(), " ")
	if status != "pending-reboot" {
		t.Errorf("after a static change: %s", status)
	}
	srv.aws(t, srv.rds("reboot-db-instance", "--db-instance-identifier", "clipg")...)
	srv.waitInstance(t, "us-east-1", "clipg", "available")
	if status, _, _ := strings.Cut(applyStatus(), " "); status != "in-sync" {
		t.Errorf("after the reboot: %s", status)
	}
	var value struct{ SecretString string }
	srv.awsJSON(t, "us-east-1", &value, "secretsmanager", "get-secret-value", "--secret-id", secret)
	if !strings.Contains(value.SecretString, `"username":"admin1"`) {
		t.Errorf("managed secret value %q", value.SecretString)
	}
	stderr := srv.awsFail(t, "us-east-1", srv.rds("delete-db-parameter-group", "--db-parameter-group-name", "cli-pg")...)
	if !strings.Contains(stderr, "InvalidDBParameterGroupState") {
		t.Errorf("deleting a group in use: %s", stderr)
	}
}
