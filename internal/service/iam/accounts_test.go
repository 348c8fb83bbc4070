package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/xregion/xregion/internal/server/servertest"
)

// Each account sees only its own IAM, and IAM is global: the Region a client signs for
// changes nothing.
func TestAccountsAreIsolated(t *testing.T) {
	inst := servertest.Start(t)
	a := clientFor(inst, "us-east-1", "111111111111")
	b := clientFor(inst, "us-east-1", "222222222222")

	ra := createRole(t, a, "shared-name")
	if *ra.Arn != "arn:aws:iam::111111111111:role/shared-name" {
		t.Errorf("account A role ARN = %s", *ra.Arn)
	}
	_, err := b.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("shared-name")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name shared-name cannot be found.")
	rb := createRole(t, b, "shared-name")
	if *rb.Arn != "arn:aws:iam::222222222222:role/shared-name" || *rb.RoleId == *ra.RoleId {
		t.Errorf("account B role = %s %s", *rb.Arn, *rb.RoleId)
	}

	pa := createPolicy(t, a, "only-in-a")
	_, err = b.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: pa.Arn})
	wantError(t, err, "NoSuchEntity", 404, "was not found")
	_, err = b.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("shared-name"), PolicyArn: pa.Arn})
	wantError(t, err, "NoSuchEntity", 404, "does not exist or is not attachable")
	localB, err := b.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: "Local"})
	mustOK(t, err)
	if len(localB.Policies) != 0 {
		t.Errorf("account B sees policies %s", policyNames(localB.Policies))
	}

	// Attachments of an AWS managed policy are counted per account.
	_, err = a.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("shared-name"), PolicyArn: aws.String(backupPolicy)})
	mustOK(t, err)
	got, err := b.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(backupPolicy)})
	mustOK(t, err)
	if *got.Policy.AttachmentCount != 0 {
		t.Errorf("account B sees account A's attachment")
	}
	_, err = b.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("shared-name")})
	mustOK(t, err)
	if _, err := a.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("shared-name")}); err != nil {
		t.Errorf("deleting B's role touched A's: %v", err)
	}

	// The same account signing for another Region sees the same roles.
	aParis := clientFor(inst, "eu-west-3", "111111111111")
	got2, err := aParis.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("shared-name")})
	mustOK(t, err)
	if *got2.Role.Arn != *ra.Arn {
		t.Errorf("role seen from eu-west-3 = %s", *got2.Role.Arn)
	}
	createRole(t, aParis, "made-in-paris")
	list, err := a.ListRoles(ctx, &iamsdk.ListRolesInput{})
	mustOK(t, err)
	if roleNames(list.Roles) != "made-in-paris,shared-name" {
		t.Errorf("roles seen from us-east-1 = %s", roleNames(list.Roles))
	}
}
