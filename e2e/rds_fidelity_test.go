package e2e

import (
	"strings"
	"testing"
)

// TestRDSFidelityWithCLI: what the AWS CLI sees of RDS's checks and of the secrets it
// owns — a retired class/version combination refused and left out of the orderable
// options, an unknown security group refused, the managed master secret refusing a
// user's writes through Secrets Manager, and a creating Aurora cluster answering its
// endpoints at once.
func TestRDSFidelityWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	create := func(extra ...string) []string {
		return srv.rds(append([]string{"create-db-instance", "--engine", "postgres", "--engine-version", "16.8",
			"--allocated-storage", "20", "--storage-type", "gp3", "--master-username", "admin1"}, extra...)...)
	}
	stderr := srv.awsFail(t, "us-east-1", create("--db-instance-identifier", "old", "--db-instance-class", "db.t2.micro", "--master-user-password", "secretpass1")...)
	if !strings.Contains(stderr, "InvalidParameterCombination") || !strings.Contains(stderr, "RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.t2.micro, Engine=postgres, EngineVersion=16.8") {
		t.Errorf("db.t2.micro with postgres 16.8: %s", stderr)
	}
	var orderable struct {
		OrderableDBInstanceOptions []struct{ DBInstanceClass string }
	}
	srv.awsJSON(t, "us-east-1", &orderable, srv.rds("describe-orderable-db-instance-options", "--engine", "postgres", "--engine-version", "16.8", "--db-instance-class", "db.t2.micro")...)
	if len(orderable.OrderableDBInstanceOptions) != 0 {
		t.Errorf("postgres 16.8 lists db.t2.micro: %+v", orderable.OrderableDBInstanceOptions)
	}
	stderr = srv.awsFail(t, "us-east-1", create("--db-instance-identifier", "fenced", "--db-instance-class", "db.t3.micro",
		"--master-user-password", "secretpass1", "--vpc-security-group-ids", "sg-0123456789abcdef0")...)
	if !strings.Contains(stderr, "InvalidParameterValue") || !strings.Contains(stderr, "Invalid security group , groupId= sg-0123456789abcdef0") {
		t.Errorf("an unknown security group: %s", stderr)
	}

	srv.aws(t, create("--db-instance-identifier", "owned", "--db-instance-class", "db.t3.micro", "--manage-master-user-password")...)
	var out struct {
		DBInstances []struct{ MasterUserSecret struct{ SecretArn string } }
	}
	srv.waitInstance(t, "us-east-1", "owned", "available")
	srv.awsJSON(t, "us-east-1", &out, srv.rds("describe-db-instances", "--db-instance-identifier", "owned")...)
	arn := out.DBInstances[0].MasterUserSecret.SecretArn
	for name, args := range map[string][]string{
		"put-secret-value": {"secretsmanager", "put-secret-value", "--secret-id", arn, "--secret-string", "mine"},
		"delete-secret":    {"secretsmanager", "delete-secret", "--secret-id", arn, "--force-delete-without-recovery"},
		"tag-resource":     {"secretsmanager", "tag-resource", "--secret-id", arn, "--tags", "Key=k,Value=v"},
	} {
		stderr := srv.awsFail(t, "us-east-1", args...)
		if !strings.Contains(stderr, "InvalidRequestException") || !strings.Contains(stderr, "managed by rds") {
			t.Errorf("%s on the secret RDS owns: %s", name, stderr)
		}
	}
	var secret struct{ OwningService string }
	srv.awsJSON(t, "us-east-1", &secret, "secretsmanager", "describe-secret", "--secret-id", arn)
	if secret.OwningService != "rds" {
		t.Errorf("the secret's OwningService is %q", secret.OwningService)
	}

	var cluster struct {
		DBCluster struct{ Status, Endpoint, ReaderEndpoint string }
	}
	srv.awsJSON(t, "us-east-1", &cluster, srv.rds("create-db-cluster", "--db-cluster-identifier", "orders", "--engine", "aurora-postgresql",
		"--master-username", "postgres", "--master-user-password", "secretpass1")...)
	if c := cluster.DBCluster; c.Status != "creating" || !strings.HasPrefix(c.Endpoint, "orders.cluster-") || !strings.HasPrefix(c.ReaderEndpoint, "orders.cluster-ro-") {
		t.Errorf("create-db-cluster answered %+v", c)
	}
}
