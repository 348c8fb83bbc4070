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

var roleID = regexp.MustCompile(`^AROA[A-Z0-9]{17}$`)

func TestRoleLifecycle(t *testing.T) {
	_, c := newIAM(t)
	created, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{
		RoleName: aws.String("backup-service"), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(trustDoc),
		Description: aws.String("lets AWS Backup work"), MaxSessionDuration: aws.Int32(7200),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("storage")}, {Key: aws.String("Env"), Value: aws.String("")}},
	})
	mustOK(t, err)
	r := created.Role
	if got, want := *r.Arn, "arn:aws:iam::123456789012:role/service-role/backup-service"; got != want {
		t.Errorf("Arn = %s, want %s", got, want)
	}
	if !roleID.MatchString(*r.RoleId) {
		t.Errorf("RoleId = %s, want AROA and 17 upper-case letters or digits", *r.RoleId)
	}
	if *r.Path != "/service-role/" || *r.MaxSessionDuration != 7200 || *r.Description != "lets AWS Backup work" || r.CreateDate == nil {
		t.Errorf("created role = %+v", r)
	}
	if len(r.Tags) != 2 {
		t.Errorf("created role tags = %v", r.Tags)
	}

	got, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("backup-service")})
	mustOK(t, err)
	g := got.Role
	if *g.RoleId != *r.RoleId || *g.Arn != *r.Arn || !g.CreateDate.Equal(*r.CreateDate) || *g.MaxSessionDuration != 7200 {
		t.Errorf("GetRole = %+v, want the created role", g)
	}
	if g.RoleLastUsed == nil {
		t.Error("GetRole has no RoleLastUsed element")
	}
	if len(g.Tags) != 2 || *g.Tags[0].Key != "Env" || *g.Tags[1].Key != "team" || *g.Tags[1].Value != "storage" {
		t.Errorf("GetRole tags = %+v", g.Tags)
	}

	// Names are not distinguished by case: the role answers to either spelling and a
	// second role cannot take the name.
	if _, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("BACKUP-SERVICE")}); err != nil {
		t.Errorf("GetRole in other case: %v", err)
	}
	_, err = c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("Backup-Service"), AssumeRolePolicyDocument: aws.String(trustDoc)})
	wantError(t, err, "EntityAlreadyExists", 409, "Role with name backup-service already exists.")

	_, err = c.UpdateRole(ctx, &iamsdk.UpdateRoleInput{RoleName: aws.String("backup-service"), MaxSessionDuration: aws.Int32(43200)})
	mustOK(t, err)
	desc, err := c.UpdateRoleDescription(ctx, &iamsdk.UpdateRoleDescriptionInput{RoleName: aws.String("backup-service"), Description: aws.String("new")})
	mustOK(t, err)
	if *desc.Role.Description != "new" || *desc.Role.MaxSessionDuration != 43200 {
		t.Errorf("UpdateRoleDescription answered %+v", desc.Role)
	}
	_, err = c.UpdateRole(ctx, &iamsdk.UpdateRoleInput{RoleName: aws.String("backup-service"), Description: aws.String("")})
	mustOK(t, err)
	got, err = c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("backup-service")})
	mustOK(t, err)
	if got.Role.Description != nil || *got.Role.MaxSessionDuration != 43200 {
		t.Errorf("after UpdateRole: description %v, max session %d", got.Role.Description, *got.Role.MaxSessionDuration)
	}

	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	_, err = c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("backup-service"), PolicyDocument: aws.String(newTrust)})
	mustOK(t, err)
	got, err = c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("backup-service")})
	mustOK(t, err)
	if doc, _ := url.QueryUnescape(*got.Role.AssumeRolePolicyDocument); doc != newTrust {
		t.Errorf("trust policy after update = %s", doc)
	}

	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("backup-service")})
	mustOK(t, err)
	_, err = c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("backup-service")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name backup-service cannot be found.")
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("backup-service")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name backup-service cannot be found.")
}

func TestRoleDefaults(t *testing.T) {
	_, c := newIAM(t)
	r := createRole(t, c, "plain")
	if *r.Path != "/" || *r.MaxSessionDuration != 3600 || *r.Arn != "arn:aws:iam::123456789012:role/plain" {
		t.Errorf("role = path %s, max session %d, arn %s", *r.Path, *r.MaxSessionDuration, *r.Arn)
	}
	if r.Description != nil || r.Tags != nil || r.PermissionsBoundary != nil {
		t.Errorf("role has fields nobody set: %+v", r)
	}
}

// The document comes back percent-encoded, as AWS sends it: spaces as %20 and '+' as %2B,
// so that Go's QueryUnescape and Python's unquote both read the original back.
func TestDocumentsAreURLEncoded(t *testing.T) {
	_, c := newIAM(t)
	r := createRole(t, c, "encoded")
	for where, doc := range map[string]string{"CreateRole": *r.AssumeRolePolicyDocument} {
		if strings.ContainsAny(doc, " +{\"") || !strings.Contains(doc, "%20") || !strings.Contains(doc, "a%2Bb") {
			t.Errorf("%s document is not percent-encoded: %s", where, doc)
		}
	}
	got, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("encoded")})
	mustOK(t, err)
	list, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{})
	mustOK(t, err)
	for where, doc := range map[string]string{
		"CreateRole": *r.AssumeRolePolicyDocument, "GetRole": *got.Role.AssumeRolePolicyDocument,
		"ListRoles": *list.Roles[0].AssumeRolePolicyDocument,
	} {
		decoded, err := url.QueryUnescape(doc)
		if err != nil || decoded != trustDoc {
			t.Errorf("%s document decodes to %q (%v), want %q", where, decoded, err, trustDoc)
		}
		if pathDecoded, _ := url.PathUnescape(doc); pathDecoded != trustDoc {
			t.Errorf("%s document does not decode without '+' handling: %q", where, pathDecoded)
		}
	}
}

func TestTrustPolicyValidation(t *testing.T) {
	_, c := newIAM(t)
	cases := []struct {
		name, doc, code string
		status          int
		msg             string
	}{
		{"not JSON", `{"Version":`, "MalformedPolicyDocument", 400, "This policy contains invalid Json"},
		{"trailing garbage", `{"Statement":[]} x`, "MalformedPolicyDocument", 400, "This policy contains invalid Json"},
		{"empty statement", `{"Version":"2012-10-17","Statement":[]}`, "MalformedPolicyDocument", 400, "Could not parse the policy: Statement is empty!"},
		{"no statement", `{"Version":"2012-10-17"}`, "MalformedPolicyDocument", 400, "Syntax errors in policy."},
		{"bad version", `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, "MalformedPolicyDocument", 400, "Syntax errors in policy."},
		{"resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}`, "MalformedPolicyDocument", 400, "Has prohibited field Resource"},
		{"not resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","NotResource":"*"}]}`, "MalformedPolicyDocument", 400, "AssumeRole policy must not contain resources."},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", 400, "Missing required field Principal"},
		{"empty principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", 400, "Missing required field Principal cannot be empty!"},
		{"allow not principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", 400, "Allow with NotPrincipal is not allowed."},
		{"non-STS action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*"}]}`, "MalformedPolicyDocument", 400, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"bad principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"somebody"},"Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"somebody"`},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", 400, "Syntax errors in policy."},
		{"effect case", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Principal":"*","Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", 400, "The policy failed legacy parsing"},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Sid":"a","Effect":"Deny","Principal":"*","Action":"sts:TagSession"}]}`, "MalformedPolicyDocument", 400, "Statement IDs (SID) in a single policy must be unique."},
		{"too large", `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 2000) + `","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`, "LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(tc.doc)})
			wantError(t, err, tc.code, tc.status, tc.msg)
		})
	}
	// Nothing was half-written by the refused requests.
	list, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{})
	mustOK(t, err)
	if len(list.Roles) != 0 {
		t.Errorf("refused CreateRole calls left roles behind: %v", list.Roles)
	}

	// White space does not count against the quota, and a single statement object,
	// wildcard STS actions and service, federated and account principals are fine.
	spacious := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": ["backup.amazonaws.com", "rds.amazonaws.com"], "Federated": "cognito-identity.amazonaws.com", "AWS": ["123456789012", "arn:aws:iam::123456789012:role/x"]}, "Action": "sts:AssumeRole*"}}` + strings.Repeat(" ", 3000)
	_, err = c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("spacious"), AssumeRolePolicyDocument: aws.String(spacious)})
	mustOK(t, err)

	// UpdateAssumeRolePolicy reports a missing role before a bad document.
	_, err = c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("nobody"), PolicyDocument: aws.String("{")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
	_, err = c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("spacious"), PolicyDocument: aws.String("{")})
	wantError(t, err, "MalformedPolicyDocument", 400, "This policy contains invalid Json")
}

func TestRoleInputValidation(t *testing.T) {
	_, c := newIAM(t)
	for _, d := range []int32{3599, 43201} {
		_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustDoc), MaxSessionDuration: aws.Int32(d)})
		wantError(t, err, "ValidationError", 400, "maxSessionDuration")
	}
	_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("bad/name"), AssumeRolePolicyDocument: aws.String(trustDoc)})
	wantError(t, err, "ValidationError", 400, "roleName")
	_, err = c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), Path: aws.String("no-slashes"), AssumeRolePolicyDocument: aws.String(trustDoc)})
	wantError(t, err, "ValidationError", 400, "path")
	_, err = c.CreateRole(ctx, &iamsdk.CreateRoleInput{
		RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustDoc),
		Tags: []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("team"), Value: aws.String("b")}},
	})
	wantError(t, err, "InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	_, err = c.UpdateRole(ctx, &iamsdk.UpdateRoleInput{RoleName: aws.String("missing")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name missing cannot be found.")
}

func TestListRolesPaginatesAcrossChanges(t *testing.T) {
	_, c := newIAM(t)
	for _, n := range []string{"b", "d", "f", "h", "j"} {
		createRole(t, c, n)
	}
	first, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{MaxItems: aws.Int32(2)})
	mustOK(t, err)
	if names := roleNames(first.Roles); names != "b,d" || !first.IsTruncated || first.Marker == nil {
		t.Fatalf("first page = %s truncated %v marker %v", names, first.IsTruncated, first.Marker)
	}
	// Between pages: the last role seen goes, roles appear before and after the marker.
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("d")})
	mustOK(t, err)
	createRole(t, c, "a")
	createRole(t, c, "e")
	second, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{MaxItems: aws.Int32(2), Marker: first.Marker})
	mustOK(t, err)
	if names := roleNames(second.Roles); names != "e,f" || !second.IsTruncated {
		t.Fatalf("second page = %s truncated %v", names, second.IsTruncated)
	}
	third, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{MaxItems: aws.Int32(2), Marker: second.Marker})
	mustOK(t, err)
	if names := roleNames(third.Roles); names != "h,j" || third.IsTruncated || third.Marker != nil {
		t.Fatalf("third page = %s truncated %v marker %v", names, third.IsTruncated, third.Marker)
	}

	// The paginator of the SDK walks the whole list.
	var all []iamtypes.Role
	for p := iamsdk.NewListRolesPaginator(c, &iamsdk.ListRolesInput{MaxItems: aws.Int32(1)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustOK(t, err)
		all = append(all, out.Roles...)
	}
	if names := roleNames(all); names != "a,b,e,f,h,j" {
		t.Errorf("paginator saw %s", names)
	}

	_, err = c.ListRoles(ctx, &iamsdk.ListRolesInput{Marker: aws.String("not a marker!")})
	wantError(t, err, "InvalidInput", 400, "Invalid Marker")
}

func TestListRolesPathPrefix(t *testing.T) {
	_, c := newIAM(t)
	for name, path := range map[string]string{"root-role": "/", "svc": "/service-role/", "deep": "/service-role/backup/", "other": "/other/"} {
		_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trustDoc)})
		mustOK(t, err)
	}
	out, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{PathPrefix: aws.String("/service-role/")})
	mustOK(t, err)
	if names := roleNames(out.Roles); names != "deep,svc" {
		t.Errorf("PathPrefix /service-role/ listed %s", names)
	}
	// ListRoles leaves out tags, boundary and last use, as AWS does.
	for _, r := range out.Roles {
		if r.Tags != nil || r.RoleLastUsed != nil {
			t.Errorf("ListRoles shows %+v", r)
		}
	}
	out, err = c.ListRoles(ctx, &iamsdk.ListRolesInput{})
	mustOK(t, err)
	if names := roleNames(out.Roles); names != "deep,other,root-role,svc" {
		t.Errorf("all roles: %s", names)
	}
}

func roleNames(roles []iamtypes.Role) string {
	var names []string
	for _, r := range roles {
		names = append(names, *r.RoleName)
	}
	return strings.Join(names, ",")
}

func TestRoleTags(t *testing.T) {
	_, c := newIAM(t)
	createRole(t, c, "tagged")
	var tags []iamtypes.Tag
	for _, k := range []string{"c", "A", "b", "d"} {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String("v-" + k)})
	}
	_, err := c.TagRole(ctx, &iamsdk.TagRoleInput{RoleName: aws.String("tagged"), Tags: tags})
	mustOK(t, err)
	// Keys are not distinguished by case: "a" overwrites "A" and keeps the new spelling.
	_, err = c.TagRole(ctx, &iamsdk.TagRoleInput{RoleName: aws.String("tagged"), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("new")}}})
	mustOK(t, err)
	_, err = c.UntagRole(ctx, &iamsdk.UntagRoleInput{RoleName: aws.String("tagged"), TagKeys: []string{"B", "absent"}})
	mustOK(t, err)

	page, err := c.ListRoleTags(ctx, &iamsdk.ListRoleTagsInput{RoleName: aws.String("tagged"), MaxItems: aws.Int32(2)})
	mustOK(t, err)
	if got := tagString(page.Tags); got != "a=new,c=v-c" || !page.IsTruncated {
		t.Fatalf("first tag page = %s truncated %v", got, page.IsTruncated)
	}
	page, err = c.ListRoleTags(ctx, &iamsdk.ListRoleTagsInput{RoleName: aws.String("tagged"), MaxItems: aws.Int32(2), Marker: page.Marker})
	mustOK(t, err)
	if got := tagString(page.Tags); got != "d=v-d" || page.IsTruncated {
		t.Fatalf("second tag page = %s truncated %v", got, page.IsTruncated)
	}

	var many []iamtypes.Tag
	for i := range 48 {
		many = append(many, iamtypes.Tag{Key: aws.String("k" + string(rune('A'+i/26)) + string(rune('a'+i%26))), Value: aws.String("")})
	}
	_, err = c.TagRole(ctx, &iamsdk.TagRoleInput{RoleName: aws.String("tagged"), Tags: many})
	wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for TagsPerRole: 50")
	_, err = c.TagRole(ctx, &iamsdk.TagRoleInput{RoleName: aws.String("nobody"), Tags: tags})
	wantError(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
	_, err = c.UntagRole(ctx, &iamsdk.UntagRoleInput{RoleName: aws.String("nobody"), TagKeys: []string{"a"}})
	wantError(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
	_, err = c.ListRoleTags(ctx, &iamsdk.ListRoleTagsInput{RoleName: aws.String("nobody")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
}

func tagString(tags []iamtypes.Tag) string {
	var out []string
	for _, t := range tags {
		out = append(out, *t.Key+"="+*t.Value)
	}
	return strings.Join(out, ",")
}

func TestPermissionsBoundary(t *testing.T) {
	_, c := newIAM(t)
	_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustDoc),
		PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/missing")})
	wantError(t, err, "NoSuchEntity", 404, "Scope ARN: arn:aws:iam::123456789012:policy/missing does not exist or is not attachable.")
	_, err = c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustDoc),
		PermissionsBoundary: aws.String("arn:aws:s3:::bucket/policy/x")})
	wantError(t, err, "InvalidInput", 400, "ARN arn:aws:s3:::bucket/policy/x is not valid.")

	boundary := createPolicy(t, c, "boundary")
	_, err = c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustDoc), PermissionsBoundary: boundary.Arn})
	mustOK(t, err)
	got, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("r")})
	mustOK(t, err)
	if pb := got.Role.PermissionsBoundary; pb == nil || *pb.PermissionsBoundaryArn != *boundary.Arn || pb.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy {
		t.Fatalf("PermissionsBoundary = %+v", pb)
	}
	pol, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: boundary.Arn})
	mustOK(t, err)
	if *pol.Policy.PermissionsBoundaryUsageCount != 1 || *pol.Policy.AttachmentCount != 0 {
		t.Errorf("usage counts = %d boundary, %d attached", *pol.Policy.PermissionsBoundaryUsageCount, *pol.Policy.AttachmentCount)
	}
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: boundary.Arn})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	boundaries, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary})
	mustOK(t, err)
	if len(boundaries.Policies) != 1 || *boundaries.Policies[0].Arn != *boundary.Arn {
		t.Errorf("ListPolicies PermissionsBoundary = %v", boundaries.Policies)
	}

	// Replacing the boundary moves the usage; removing it frees the policy.
	aws1 := "arn:aws:iam::aws:policy/PowerUserAccess"
	_, err = c.PutRolePermissionsBoundary(ctx, &iamsdk.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String(aws1)})
	mustOK(t, err)
	pol, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: boundary.Arn})
	mustOK(t, err)
	if *pol.Policy.PermissionsBoundaryUsageCount != 0 {
		t.Errorf("old boundary still counted %d times", *pol.Policy.PermissionsBoundaryUsageCount)
	}
	entities, err := c.ListEntitiesForPolicy(ctx, &iamsdk.ListEntitiesForPolicyInput{PolicyArn: aws.String(aws1), PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary})
	mustOK(t, err)
	if len(entities.PolicyRoles) != 1 || *entities.PolicyRoles[0].RoleName != "r" {
		t.Errorf("ListEntitiesForPolicy boundary = %+v", entities.PolicyRoles)
	}
	_, err = c.DeleteRolePermissionsBoundary(ctx, &iamsdk.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("r")})
	mustOK(t, err)
	got, err = c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("r")})
	mustOK(t, err)
	if got.Role.PermissionsBoundary != nil {
		t.Errorf("boundary still set: %+v", got.Role.PermissionsBoundary)
	}
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: boundary.Arn})
	mustOK(t, err)

	// Deleting a role frees its boundary too.
	_, err = c.PutRolePermissionsBoundary(ctx, &iamsdk.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String(aws1)})
	mustOK(t, err)
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("r")})
	mustOK(t, err)
	awsPol, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(aws1)})
	mustOK(t, err)
	if *awsPol.Policy.PermissionsBoundaryUsageCount != 0 {
		t.Errorf("deleted role still counted as a boundary user")
	}
}

// Paths are refused with IAM's own texts, not the generic constraint message.
func TestPathErrors(t *testing.T) {
	_, c := newIAM(t)
	_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), Path: aws.String("no-slashes"), AssumeRolePolicyDocument: aws.String(trustDoc)})
	wantError(t, err, "ValidationError", 400, "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	_, err = c.ListRoles(ctx, &iamsdk.ListRolesInput{PathPrefix: aws.String("relative/")})
	wantError(t, err, "ValidationError", 400, "The specified value for pathPrefix is invalid.")
}
