package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const iamTrustPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition": {"StringLike": {"aws:SourceArn": "arn:aws:backup:*:*:a+b c"}}}]}`

const iamBackupPolicy = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"

// sameJSON reports whether the CLI's decoded document (botocore un-escapes IAM documents
// and parses them) says what was sent.
func sameJSON(t *testing.T, got any, want string) bool {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(got, w)
}

type cliRole struct {
	Role struct {
		RoleName                 string
		RoleId                   string
		Arn                      string
		Path                     string
		MaxSessionDuration       int
		AssumeRolePolicyDocument any
		Tags                     []struct{ Key, Value string }
	}
}

func TestIAMRoleWithCLI(t *testing.T) {
	srv := startServer(t)
	var created cliRole
	srv.awsJSON(t, "us-east-1", &created, "iam", "create-role", "--role-name", "cli-backup", "--path", "/service-role/",
		"--assume-role-policy-document", iamTrustPolicy, "--tags", "Key=team,Value=storage")
	r := created.Role
	if r.Arn != "arn:aws:iam::123456789012:role/service-role/cli-backup" || !strings.HasPrefix(r.RoleId, "AROA") || len(r.RoleId) != 21 {
		t.Errorf("created role = %+v", r)
	}
	if !sameJSON(t, r.AssumeRolePolicyDocument, iamTrustPolicy) {
		t.Errorf("create-role document = %#v", r.AssumeRolePolicyDocument)
	}

	var got cliRole
	srv.awsJSON(t, "us-east-1", &got, "iam", "get-role", "--role-name", "cli-backup")
	if got.Role.RoleId != r.RoleId || got.Role.MaxSessionDuration != 3600 || len(got.Role.Tags) != 1 || got.Role.Tags[0].Value != "storage" {
		t.Errorf("get-role = %+v", got.Role)
	}
	if !sameJSON(t, got.Role.AssumeRolePolicyDocument, iamTrustPolicy) {
		t.Errorf("get-role document = %#v", got.Role.AssumeRolePolicyDocument)
	}

	// IAM is global: a CLI configured for another Region sees the same role.
	var list struct {
		Roles []struct{ RoleName, Arn string }
	}
	srv.awsJSON(t, "eu-west-3", &list, "iam", "list-roles")
	if len(list.Roles) != 1 || list.Roles[0].Arn != r.Arn {
		t.Errorf("list-roles = %+v", list.Roles)
	}

	srv.aws(t, "iam", "attach-role-policy", "--role-name", "cli-backup", "--policy-arn", iamBackupPolicy)
	var attached struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	srv.awsJSON(t, "us-east-1", &attached, "iam", "list-attached-role-policies", "--role-name", "cli-backup")
	if len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyArn != iamBackupPolicy {
		t.Errorf("attached = %+v", attached.AttachedPolicies)
	}
	if stderr := srv.awsFail(t, "us-east-1", "iam", "delete-role", "--role-name", "cli-backup"); !strings.Contains(stderr, "DeleteConflict") {
		t.Errorf("delete-role with an attached policy: %s", stderr)
	}
	srv.aws(t, "iam", "detach-role-policy", "--role-name", "cli-backup", "--policy-arn", iamBackupPolicy)
	srv.aws(t, "iam", "delete-role", "--role-name", "cli-backup")

	stderr := srv.awsFail(t, "us-east-1", "iam", "get-role", "--role-name", "cli-backup")
	if !strings.Contains(stderr, "NoSuchEntity") || !strings.Contains(stderr, "The role with name cli-backup cannot be found.") {
		t.Errorf("get-role after delete: %s", stderr)
	}
	srv.awsJSON(t, "us-east-1", &list, "iam", "list-roles")
	if len(list.Roles) != 0 {
		t.Errorf("roles left: %+v", list.Roles)
	}
}

func TestIAMRoleWithTerraform(t *testing.T) {
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1")+`
resource "aws_iam_role" "backup" {
  name                 = "xregion-backup"
  path                 = "/service-role/"
  description          = "AWS Backup service role"
  max_session_duration = 7200
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "backup.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringLike = { "aws:SourceArn" = "arn:aws:backup:*:*:a+b c" } }
    }]
  })
  tags = { team = "storage" }
}

resource "aws_iam_role_policy_attachment" "aws_managed" {
  role       = aws_iam_role.backup.name
  policy_arn = "`+iamBackupPolicy+`"
}

resource "aws_iam_policy" "extra" {
  name        = "xregion-extra"
  path        = "/xregion/"
  description = "lets the role read key metadata"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["kms:DescribeKey", "kms:ListAliases"], Resource = "*" }]
  })
  tags = { owner = "e2e" }
}

resource "aws_iam_role_policy_attachment" "extra" {
  role       = aws_iam_role.backup.name
  policy_arn = aws_iam_policy.extra.arn
}

resource "aws_iam_role_policy" "inline" {
  name = "describe-instances"
  role = aws_iam_role.backup.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "rds:DescribeDBInstances", Resource = "*" }]
  })
}

output "role_arn" { value = aws_iam_role.backup.arn }
output "role_id" { value = aws_iam_role.backup.unique_id }
output "policy_arn" { value = aws_iam_policy.extra.arn }
`)
	tf.apply()
	tf.planNoChanges()

	if got := tf.output("role_arn"); got != "arn:aws:iam::123456789012:role/service-role/xregion-backup" {
		t.Errorf("role_arn = %s", got)
	}
	if got := tf.output("policy_arn"); got != "arn:aws:iam::123456789012:policy/xregion/xregion-extra" {
		t.Errorf("policy_arn = %s", got)
	}
	var attached struct{ AttachedPolicies []struct{ PolicyArn string } }
	srv.awsJSON(t, "us-east-1", &attached, "iam", "list-attached-role-policies", "--role-name", "xregion-backup")
	if len(attached.AttachedPolicies) != 2 {
		t.Errorf("attached after apply = %+v", attached.AttachedPolicies)
	}
	var inline struct{ PolicyNames []string }
	srv.awsJSON(t, "us-east-1", &inline, "iam", "list-role-policies", "--role-name", "xregion-backup")
	if len(inline.PolicyNames) != 1 || inline.PolicyNames[0] != "describe-instances" {
		t.Errorf("inline after apply = %+v", inline.PolicyNames)
	}

	tf.destroy()
	var roles struct{ Roles []struct{ RoleName string } }
	srv.awsJSON(t, "us-east-1", &roles, "iam", "list-roles")
	var policies struct{ Policies []struct{ PolicyName string } }
	srv.awsJSON(t, "us-east-1", &policies, "iam", "list-policies", "--scope", "Local")
	if len(roles.Roles) != 0 || len(policies.Policies) != 0 {
		t.Errorf("left after destroy: roles %+v, policies %+v", roles.Roles, policies.Policies)
	}
}
