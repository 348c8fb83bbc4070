package iam_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const (
	backupPolicy   = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
	restorePolicy  = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"
	adminPolicy    = "arn:aws:iam::aws:policy/AdministratorAccess"
	missingPolicyA = "arn:aws:iam::123456789012:policy/missing"
)

func TestManagedPolicyLifecycle(t *testing.T) {
	_, c := newIAM(t)
	created, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{
		PolicyName: aws.String("Readers"), Path: aws.String("/team/"), PolicyDocument: aws.String(permissionsDoc),
		Description: aws.String("read things"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	mustOK(t, err)
	p := created.Policy
	if *p.Arn != "arn:aws:iam::123456789012:policy/team/Readers" || *p.DefaultVersionId != "v1" || *p.AttachmentCount != 0 || !p.IsAttachable {
		t.Errorf("created policy = %+v", p)
	}
	if !regexp.MustCompile(`^ANPA[A-Z0-9]{17}$`).MatchString(*p.PolicyId) {
		t.Errorf("PolicyId = %s", *p.PolicyId)
	}
	got, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: p.Arn})
	mustOK(t, err)
	if *got.Policy.PolicyId != *p.PolicyId || *got.Policy.Description != "read things" || len(got.Policy.Tags) != 1 || *got.Policy.Path != "/team/" {
		t.Errorf("GetPolicy = %+v", got.Policy)
	}
	_, err = c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("readers"), PolicyDocument: aws.String(permissionsDoc)})
	wantError(t, err, "EntityAlreadyExists", 409, "A policy called Readers already exists. Duplicate names are not allowed.")

	v1, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v1")})
	mustOK(t, err)
	if doc, _ := url.QueryUnescape(*v1.PolicyVersion.Document); doc != permissionsDoc || !v1.PolicyVersion.IsDefaultVersion {
		t.Errorf("v1 = %+v (document %s)", v1.PolicyVersion, doc)
	}

	// Versions v2..v5; a sixth is refused until one goes, and numbers are never reused.
	for i := 2; i <= 5; i++ {
		out, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(permissionsDoc), SetAsDefault: i == 3})
		mustOK(t, err)
		if want := "v" + string(rune('0'+i)); *out.PolicyVersion.VersionId != want || out.PolicyVersion.IsDefaultVersion != (i == 3) || out.PolicyVersion.Document != nil {
			t.Errorf("version %d = %+v", i, out.PolicyVersion)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(permissionsDoc)})
	wantError(t, err, "LimitExceeded", 409, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	got, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: p.Arn})
	mustOK(t, err)
	if *got.Policy.DefaultVersionId != "v3" {
		t.Errorf("default version = %s, want v3", *got.Policy.DefaultVersionId)
	}

	_, err = c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v3")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	_, err = c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v9")})
	wantError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::123456789012:policy/team/Readers version v9 does not exist or is not attachable.")
	_, err = c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v9")})
	wantError(t, err, "NoSuchEntity", 404, "version v9 does not exist or is not attachable.")
	_, err = c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v9")})
	wantError(t, err, "NoSuchEntity", 404, "version v9 does not exist or is not attachable.")
	_, err = c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v2")})
	mustOK(t, err)
	v6, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(permissionsDoc)})
	mustOK(t, err)
	if *v6.PolicyVersion.VersionId != "v6" {
		t.Errorf("version after a delete = %s, want v6", *v6.PolicyVersion.VersionId)
	}

	// Newest first, paged by a marker that survives a delete.
	page, err := c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: p.Arn, MaxItems: aws.Int32(2)})
	mustOK(t, err)
	if got := versionIDs(page.Versions); got != "v6,v5" || !page.IsTruncated {
		t.Fatalf("first version page = %s truncated %v", got, page.IsTruncated)
	}
	_, err = c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v5")})
	mustOK(t, err)
	page, err = c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: p.Arn, MaxItems: aws.Int32(2), Marker: page.Marker})
	mustOK(t, err)
	if got := versionIDs(page.Versions); got != "v4,v3" || !page.IsTruncated {
		t.Fatalf("second version page = %s truncated %v", got, page.IsTruncated)
	}

	_, err = c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v1")})
	mustOK(t, err)
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: p.Arn})
	wantError(t, err, "DeleteConflict", 409, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v3", "v4", "v6"} {
		_, err := c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String(v)})
		mustOK(t, err)
	}
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: p.Arn})
	mustOK(t, err)
	_, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: p.Arn})
	wantError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::123456789012:policy/team/Readers was not found.")

	// The ARN must name the path as well as the name.
	createPolicy(t, c, "rooted")
	_, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/other/rooted")})
	wantError(t, err, "NoSuchEntity", 404, "was not found")
	_, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:role/rooted")})
	wantError(t, err, "InvalidInput", 400, "ARN arn:aws:iam::123456789012:role/rooted is not valid.")
}

func versionIDs(vs []iamtypes.PolicyVersion) string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, *v.VersionId)
	}
	return strings.Join(ids, ",")
}

func TestManagedPolicyDocumentChecks(t *testing.T) {
	_, c := newIAM(t)
	_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Statement":`)})
	wantError(t, err, "MalformedPolicyDocument", 400, "Syntax errors in policy.")
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 6144) + `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	_, err = c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(big)})
	wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144")
	_, err = c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("p"), Path: aws.String("bad"), PolicyDocument: aws.String(permissionsDoc)})
	wantError(t, err, "ValidationError", 400, "path")
	p := createPolicy(t, c, "p")
	_, err = c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	wantError(t, err, "MalformedPolicyDocument", 400, "Policy statement must contain resources.")
	_, err = c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: aws.String(missingPolicyA), PolicyDocument: aws.String(permissionsDoc)})
	wantError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::123456789012:policy/missing was not found.")
	list, err := c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: p.Arn})
	mustOK(t, err)
	if len(list.Versions) != 1 {
		t.Errorf("refused versions were kept: %v", versionIDs(list.Versions))
	}
}

func TestAWSManagedPolicies(t *testing.T) {
	_, c := newIAM(t)
	for _, arn := range []string{backupPolicy, restorePolicy, adminPolicy} {
		got, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)})
		mustOK(t, err)
		if *got.Policy.Arn != arn || *got.Policy.DefaultVersionId != "v1" || !got.Policy.IsAttachable || got.Policy.PolicyId == nil {
			t.Errorf("GetPolicy %s = %+v", arn, got.Policy)
		}
		v, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: got.Policy.DefaultVersionId})
		mustOK(t, err)
		if doc, err := url.QueryUnescape(*v.PolicyVersion.Document); err != nil || !strings.Contains(doc, `"Statement"`) {
			t.Errorf("%s document = %q", arn, doc)
		}
	}
	got, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(backupPolicy)})
	mustOK(t, err)
	if *got.Policy.Path != "/service-role/" || *got.Policy.PolicyName != "AWSBackupServiceRolePolicyForBackup" {
		t.Errorf("backup policy = %s %s", *got.Policy.Path, *got.Policy.PolicyName)
	}
	again, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(backupPolicy)})
	mustOK(t, err)
	if *again.Policy.PolicyId != *got.Policy.PolicyId {
		t.Errorf("AWS policy id changes between calls")
	}

	_, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchThing")})
	wantError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/NoSuchThing was not found.")

	// AWS's policies belong to AWS: nothing may change them.
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: aws.String(adminPolicy)})
	wantError(t, err, "AccessDenied", 403, "is not authorized to perform: iam:DeletePolicy on resource: policy "+adminPolicy)
	_, err = c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: aws.String(adminPolicy), PolicyDocument: aws.String(permissionsDoc)})
	wantError(t, err, "AccessDenied", 403, "iam:CreatePolicyVersion")
	_, err = c.TagPolicy(ctx, &iamsdk.TagPolicyInput{PolicyArn: aws.String(adminPolicy), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantError(t, err, "AccessDenied", 403, "iam:TagPolicy")
	tags, err := c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: aws.String(adminPolicy)})
	mustOK(t, err)
	if len(tags.Tags) != 0 {
		t.Errorf("AWS policy tags = %v", tags.Tags)
	}
	versions, err := c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(adminPolicy)})
	mustOK(t, err)
	if versionIDs(versions.Versions) != "v1" || !versions.Versions[0].IsDefaultVersion {
		t.Errorf("AWS policy versions = %+v", versions.Versions)
	}
}

func TestListPolicies(t *testing.T) {
	_, c := newIAM(t)
	createPolicy(t, c, "Local-b")
	_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("Local-a"), Path: aws.String("/app/"), PolicyDocument: aws.String(permissionsDoc)})
	mustOK(t, err)

	local, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	mustOK(t, err)
	if got := policyNames(local.Policies); got != "Local-a,Local-b" {
		t.Errorf("Local = %s", got)
	}
	for _, p := range local.Policies {
		if p.Description != nil || p.Tags != nil {
			t.Errorf("ListPolicies shows description or tags: %+v", p)
		}
	}
	awsOnly, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)})
	mustOK(t, err)
	names := policyNames(awsOnly.Policies)
	for _, want := range []string{"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores", "AdministratorAccess", "ReadOnlyAccess"} {
		if !strings.Contains(","+names+",", ","+want+",") {
			t.Errorf("AWS scope lacks %s: %s", want, names)
		}
	}
	if strings.Contains(names, "Local") {
		t.Errorf("AWS scope lists local policies: %s", names)
	}

	// Scope All pages through both kinds in one name order.
	var all []iamtypes.Policy
	for p := iamsdk.NewListPoliciesPaginator(c, &iamsdk.ListPoliciesInput{MaxItems: aws.Int32(3)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustOK(t, err)
		all = append(all, out.Policies...)
	}
	if len(all) != len(awsOnly.Policies)+2 {
		t.Errorf("All listed %d policies, want %d", len(all), len(awsOnly.Policies)+2)
	}
	for i := 1; i < len(all); i++ {
		if strings.ToLower(*all[i-1].PolicyName) > strings.ToLower(*all[i].PolicyName) {
			t.Errorf("All is not in name order: %s before %s", *all[i-1].PolicyName, *all[i].PolicyName)
		}
	}

	byPath, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{PathPrefix: aws.String("/app/")})
	mustOK(t, err)
	if got := policyNames(byPath.Policies); got != "Local-a" {
		t.Errorf("PathPrefix /app/ = %s", got)
	}
	byPath, err = c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{PathPrefix: aws.String("/service-role/")})
	mustOK(t, err)
	if !strings.Contains(policyNames(byPath.Policies), "AWSBackupServiceRolePolicyForBackup") {
		t.Errorf("PathPrefix /service-role/ = %s", policyNames(byPath.Policies))
	}

	createRole(t, c, "r")
	_, err = c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(backupPolicy)})
	mustOK(t, err)
	attached, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{OnlyAttached: true})
	mustOK(t, err)
	if got := policyNames(attached.Policies); got != "AWSBackupServiceRolePolicyForBackup" || *attached.Policies[0].AttachmentCount != 1 {
		t.Errorf("OnlyAttached = %s", got)
	}
	_, err = c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{PathPrefix: aws.String("app")})
	wantError(t, err, "ValidationError", 400, "pathPrefix")
}

func policyNames(ps []iamtypes.Policy) string {
	var names []string
	for _, p := range ps {
		names = append(names, *p.PolicyName)
	}
	return strings.Join(names, ",")
}

func TestPolicyTags(t *testing.T) {
	_, c := newIAM(t)
	p := createPolicy(t, c, "tagged")
	_, err := c.TagPolicy(ctx, &iamsdk.TagPolicyInput{PolicyArn: p.Arn, Tags: []iamtypes.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}})
	mustOK(t, err)
	_, err = c.UntagPolicy(ctx, &iamsdk.UntagPolicyInput{PolicyArn: p.Arn, TagKeys: []string{"B"}})
	mustOK(t, err)
	out, err := c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: p.Arn})
	mustOK(t, err)
	if got := tagString(out.Tags); got != "a=1" || out.IsTruncated {
		t.Errorf("policy tags = %s", got)
	}
	_, err = c.TagPolicy(ctx, &iamsdk.TagPolicyInput{PolicyArn: aws.String(missingPolicyA), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantError(t, err, "NoSuchEntity", 404, "was not found")
	_, err = c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: aws.String(missingPolicyA)})
	wantError(t, err, "NoSuchEntity", 404, "was not found")
}

func TestAttachRolePolicies(t *testing.T) {
	_, c := newIAM(t)
	createRole(t, c, "r")
	own := createPolicy(t, c, "own")
	attach := func(arn string) error {
		_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)})
		return err
	}
	mustOK(t, attach(backupPolicy))
	mustOK(t, attach(*own.Arn))
	mustOK(t, attach(backupPolicy)) // again: nothing changes
	wantError(t, attach(missingPolicyA), "NoSuchEntity", 404, "Policy arn:aws:iam::123456789012:policy/missing does not exist or is not attachable.")
	wantError(t, attach("arn:aws:iam::aws:policy/Nope"), "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")
	wantError(t, attach("not-an-arn-at-all-really"), "InvalidInput", 400, "ARN not-an-arn-at-all-really is not valid.")
	_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("nobody"), PolicyArn: aws.String(backupPolicy)})
	wantError(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")

	list, err := c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("r")})
	mustOK(t, err)
	if len(list.AttachedPolicies) != 2 || *list.AttachedPolicies[0].PolicyArn != backupPolicy ||
		*list.AttachedPolicies[0].PolicyName != "AWSBackupServiceRolePolicyForBackup" || *list.AttachedPolicies[1].PolicyName != "own" {
		t.Fatalf("attached = %+v", list.AttachedPolicies)
	}
	list, err = c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), PathPrefix: aws.String("/service-role/")})
	mustOK(t, err)
	if len(list.AttachedPolicies) != 1 || *list.AttachedPolicies[0].PolicyArn != backupPolicy {
		t.Errorf("attached under /service-role/ = %+v", list.AttachedPolicies)
	}
	page, err := c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(1)})
	mustOK(t, err)
	page, err = c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(1), Marker: page.Marker})
	mustOK(t, err)
	if len(page.AttachedPolicies) != 1 || *page.AttachedPolicies[0].PolicyName != "own" || page.IsTruncated {
		t.Errorf("second attached page = %+v", page.AttachedPolicies)
	}

	pol, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: own.Arn})
	mustOK(t, err)
	if *pol.Policy.AttachmentCount != 1 {
		t.Errorf("AttachmentCount = %d", *pol.Policy.AttachmentCount)
	}
	entities, err := c.ListEntitiesForPolicy(ctx, &iamsdk.ListEntitiesForPolicyInput{PolicyArn: own.Arn})
	mustOK(t, err)
	if len(entities.PolicyRoles) != 1 || *entities.PolicyRoles[0].RoleName != "r" || len(entities.PolicyUsers) != 0 || len(entities.PolicyGroups) != 0 {
		t.Errorf("entities = %+v", entities)
	}
	entities, err = c.ListEntitiesForPolicy(ctx, &iamsdk.ListEntitiesForPolicyInput{PolicyArn: own.Arn, EntityFilter: iamtypes.EntityTypeUser})
	mustOK(t, err)
	if len(entities.PolicyRoles) != 0 {
		t.Errorf("User filter listed roles: %+v", entities.PolicyRoles)
	}

	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: own.Arn})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("r")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")

	for _, arn := range []string{backupPolicy, *own.Arn} {
		_, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)})
		mustOK(t, err)
	}
	_, err = c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(backupPolicy)})
	wantError(t, err, "NoSuchEntity", 404, "Policy "+backupPolicy+" was not found.")
	pol, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: own.Arn})
	mustOK(t, err)
	if *pol.Policy.AttachmentCount != 0 {
		t.Errorf("AttachmentCount after detach = %d", *pol.Policy.AttachmentCount)
	}
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: own.Arn})
	mustOK(t, err)
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("r")})
	mustOK(t, err)
}

func TestAttachedPoliciesQuota(t *testing.T) {
	_, c := newIAM(t)
	createRole(t, c, "r")
	for i := range 10 {
		p := createPolicy(t, c, "p"+string(rune('a'+i)))
		_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.Arn})
		mustOK(t, err)
	}
	_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(adminPolicy)})
	wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
}
