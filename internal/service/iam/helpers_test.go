package iam_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// trustDoc has white space, a '+' and characters that need escaping, so that the
// URL-encoding of documents is exercised.
const trustDoc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition": {"StringLike": {"aws:SourceArn": "arn:aws:backup:*:*:a+b c"}}}]}`

const permissionsDoc = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["rds:Describe*", "kms:DescribeKey"], "Resource": "*"}]
}`

var ctx = context.Background()

// newIAM starts a server and returns an IAM client for the default account.
func newIAM(t *testing.T) (*servertest.Instance, *iamsdk.Client) {
	t.Helper()
	inst := servertest.Start(t)
	return inst, iamsdk.NewFromConfig(inst.Config("us-east-1"))
}

// clientFor is an IAM client acting in account (a 12-digit access key id names its account).
func clientFor(inst *servertest.Instance, region, account string) *iamsdk.Client {
	return iamsdk.NewFromConfig(inst.ConfigAs(region, account, "secret"))
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func createRole(t *testing.T, c *iamsdk.Client, name string) *iamtypes.Role {
	t.Helper()
	out, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustDoc)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return out.Role
}

func createPolicy(t *testing.T, c *iamsdk.Client, name string) *iamtypes.Policy {
	t.Helper()
	out, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(permissionsDoc)})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return out.Policy
}

// wantError fails the test unless err is the AWS error code with HTTP status and a message
// containing msg.
func wantError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	xtest.WantErrorContaining(t, err, code, status, msg)
}
