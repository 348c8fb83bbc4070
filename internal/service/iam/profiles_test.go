package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestInstanceProfiles(t *testing.T) {
	_, c := newIAM(t)
	createRole(t, c, "ec2-role")
	created, err := c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{
		InstanceProfileName: aws.String("web"), Path: aws.String("/apps/"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	mustOK(t, err)
	ip := created.InstanceProfile
	if *ip.Arn != "arn:aws:iam::123456789012:instance-profile/apps/web" || len(ip.Roles) != 0 || len(*ip.InstanceProfileId) != 21 {
		t.Errorf("created profile = %+v", ip)
	}
	_, err = c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB")})
	wantError(t, err, "EntityAlreadyExists", 409, "Instance Profile web already exists.")

	_, err = c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ec2-role")})
	mustOK(t, err)
	createRole(t, c, "second")
	_, err = c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("second")})
	wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	_, err = c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("none"), RoleName: aws.String("second")})
	wantError(t, err, "NoSuchEntity", 404, "Instance Profile none cannot be found.")
	_, err = c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("none")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name none cannot be found.")

	got, err := c.GetInstanceProfile(ctx, &iamsdk.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	mustOK(t, err)
	if len(got.InstanceProfile.Roles) != 1 || *got.InstanceProfile.Roles[0].RoleName != "ec2-role" || len(got.InstanceProfile.Tags) != 1 {
		t.Errorf("profile = %+v", got.InstanceProfile)
	}
	forRole, err := c.ListInstanceProfilesForRole(ctx, &iamsdk.ListInstanceProfilesForRoleInput{RoleName: aws.String("ec2-role")})
	mustOK(t, err)
	if len(forRole.InstanceProfiles) != 1 || *forRole.InstanceProfiles[0].InstanceProfileName != "web" || forRole.IsTruncated {
		t.Errorf("profiles for role = %+v", forRole.InstanceProfiles)
	}
	none, err := c.ListInstanceProfilesForRole(ctx, &iamsdk.ListInstanceProfilesForRoleInput{RoleName: aws.String("second")})
	mustOK(t, err)
	if len(none.InstanceProfiles) != 0 {
		t.Errorf("second role in profiles %+v", none.InstanceProfiles)
	}
	_, err = c.ListInstanceProfilesForRole(ctx, &iamsdk.ListInstanceProfilesForRoleInput{RoleName: aws.String("none")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name none cannot be found.")

	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("ec2-role")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	_, err = c.DeleteInstanceProfile(ctx, &iamsdk.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")

	_, err = c.RemoveRoleFromInstanceProfile(ctx, &iamsdk.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("second")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name second cannot be found.")
	_, err = c.RemoveRoleFromInstanceProfile(ctx, &iamsdk.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ec2-role")})
	mustOK(t, err)

	_, err = c.TagInstanceProfile(ctx, &iamsdk.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []iamtypes.Tag{{Key: aws.String("z"), Value: aws.String("1")}}})
	mustOK(t, err)
	_, err = c.UntagInstanceProfile(ctx, &iamsdk.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"K"}})
	mustOK(t, err)
	tags, err := c.ListInstanceProfileTags(ctx, &iamsdk.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")})
	mustOK(t, err)
	if tagString(tags.Tags) != "z=1" {
		t.Errorf("profile tags = %s", tagString(tags.Tags))
	}

	all, err := c.ListInstanceProfiles(ctx, &iamsdk.ListInstanceProfilesInput{PathPrefix: aws.String("/apps/")})
	mustOK(t, err)
	if len(all.InstanceProfiles) != 1 {
		t.Errorf("ListInstanceProfiles = %+v", all.InstanceProfiles)
	}
	_, err = c.DeleteInstanceProfile(ctx, &iamsdk.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	mustOK(t, err)
	_, err = c.GetInstanceProfile(ctx, &iamsdk.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantError(t, err, "NoSuchEntity", 404, "Instance Profile web cannot be found.")
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("ec2-role")})
	mustOK(t, err)
}
