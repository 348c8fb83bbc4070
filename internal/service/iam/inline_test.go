package iam_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestInlineRolePolicies(t *testing.T) {
	_, c := newIAM(t)
	createRole(t, c, "worker")
	put := func(name, doc string) error {
		_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
		return err
	}
	mustOK(t, put("zeta", permissionsDoc))
	mustOK(t, put("alpha", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x"}}`))

	got, err := c.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("WORKER"), PolicyName: aws.String("zeta")})
	mustOK(t, err)
	if *got.RoleName != "worker" || *got.PolicyName != "zeta" {
		t.Errorf("GetRolePolicy names = %s/%s", *got.RoleName, *got.PolicyName)
	}
	if strings.ContainsAny(*got.PolicyDocument, "{\" \n") {
		t.Errorf("document is not URL-encoded: %s", *got.PolicyDocument)
	}
	if doc, err := url.QueryUnescape(*got.PolicyDocument); err != nil || doc != permissionsDoc {
		t.Errorf("document decodes to %q (%v)", doc, err)
	}

	// Putting a policy again replaces its document.
	replacement := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"backup:StartBackupJob","Resource":"*"}]}`
	mustOK(t, put("zeta", replacement))
	got, err = c.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("zeta")})
	mustOK(t, err)
	if doc, _ := url.QueryUnescape(*got.PolicyDocument); doc != replacement {
		t.Errorf("replaced document = %s", doc)
	}

	list, err := c.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("worker"), MaxItems: aws.Int32(1)})
	mustOK(t, err)
	if len(list.PolicyNames) != 1 || list.PolicyNames[0] != "alpha" || !list.IsTruncated {
		t.Fatalf("first page = %v truncated %v", list.PolicyNames, list.IsTruncated)
	}
	mustOK(t, put("beta", permissionsDoc)) // added after the marker: the next page shows it
	list, err = c.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("worker"), Marker: list.Marker})
	mustOK(t, err)
	if strings.Join(list.PolicyNames, ",") != "beta,zeta" || list.IsTruncated {
		t.Fatalf("second page = %v truncated %v", list.PolicyNames, list.IsTruncated)
	}

	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("worker")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")

	for _, name := range []string{"alpha", "beta", "zeta"} {
		_, err := c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String(name)})
		mustOK(t, err)
	}
	_, err = c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("zeta")})
	wantError(t, err, "NoSuchEntity", 404, "The role policy with name zeta cannot be found.")
	_, err = c.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("zeta")})
	wantError(t, err, "NoSuchEntity", 404, "The role policy with name zeta cannot be found.")
	list, err = c.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("worker")})
	mustOK(t, err)
	if len(list.PolicyNames) != 0 || list.IsTruncated {
		t.Errorf("policies left: %v", list.PolicyNames)
	}
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("worker")})
	mustOK(t, err)
}

func TestInlinePolicyErrors(t *testing.T) {
	_, c := newIAM(t)
	createRole(t, c, "r")
	cases := []struct{ name, role, doc, code, msg string }{
		{"missing role wins over a bad document", "nobody", "{", "NoSuchEntity", "The role with name nobody cannot be found."},
		{"not JSON", "r", "{not json", "MalformedPolicyDocument", "Syntax errors in policy."},
		{"principal", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, "MalformedPolicyDocument", "Policy document should not specify a principal."},
		{"no action", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "MalformedPolicyDocument", "Policy statement must contain actions."},
		{"empty action list", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, "MalformedPolicyDocument", "Policy statement must contain actions."},
		{"no resource", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`, "MalformedPolicyDocument", "Policy statement must contain resources."},
		{"action without vendor", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, "MalformedPolicyDocument", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"two colons", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:a:b","Resource":"*"}]}`, "MalformedPolicyDocument", "Actions/Condition can contain only one colon."},
		{"bad vendor", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s 3:Get","Resource":"*"}]}`, "MalformedPolicyDocument", "Vendor s 3 is not valid"},
		{"resource not an ARN", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get","Resource":"bucket"}]}`, "MalformedPolicyDocument", `Resource bucket must be in ARN format or "*".`},
		{"unknown element", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get","Resource":"*","Extra":1}]}`, "MalformedPolicyDocument", "Syntax errors in policy."},
		{"unknown top level", "r", `{"Version":"2012-10-17","Statements":[]}`, "MalformedPolicyDocument", "Syntax errors in policy."},
		{"action and not action", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get","NotAction":"s3:Put","Resource":"*"}]}`, "MalformedPolicyDocument", "Syntax errors in policy."},
		{"bad condition", "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"StringEquals":"x"}}]}`, "MalformedPolicyDocument", "Syntax errors in policy."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String(tc.role), PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			status := 400
			if tc.code == "NoSuchEntity" {
				status = 404
			}
			wantError(t, err, tc.code, status, tc.msg)
		})
	}

	// The role's inline policies together may hold 10,240 characters, white space aside.
	big := func(n int) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", n) + `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	}
	overhead := len(big(0))
	_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("one"), PolicyDocument: aws.String(big(6000 - overhead))})
	mustOK(t, err)
	_, err = c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("two"), PolicyDocument: aws.String(big(4241 - overhead))})
	wantError(t, err, "LimitExceeded", 409, "Maximum policy size of 10240 bytes exceeded for role r")
	_, err = c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("two"), PolicyDocument: aws.String(big(4240-overhead) + strings.Repeat("\n", 500))})
	mustOK(t, err)
	// Replacing a policy counts its new size only.
	_, err = c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("one"), PolicyDocument: aws.String(big(6000 - overhead))})
	mustOK(t, err)

	_, err = c.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("nobody")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
	_, err = c.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("nobody"), PolicyName: aws.String("p")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
}
