package awsmodel_test

import (
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/cloudtrailapi"
	"github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/gen/stsapi"
)

// models maps each generated model to the name clients sign its requests with.
var models = map[string]func() *awsmodel.API{
	"backup": backupapi.Model, "iam": iamapi.Model, "kms": kmsapi.Model,
	"rds": rdsapi.Model, "secretsmanager": secretsmanagerapi.Model, "sts": stsapi.Model,
	"ec2": ec2api.Model, "elasticfilesystem": efsapi.Model, "dynamodb": dynamodbapi.Model,
	"sns": snsapi.Model, "cloudtrail": cloudtrailapi.Model,
}

// Every generated model loads, and every structure an operation uses is bound to a Go type
// whose fields line up with the members.
func TestGeneratedModelsBind(t *testing.T) {
	for name, model := range models {
		api := model()
		if api.Metadata.Signing() != name {
			t.Errorf("%s: signing name %q", name, api.Metadata.Signing())
		}
		for opName, op := range api.Operations {
			for _, s := range []*awsmodel.Shape{op.Input, op.Output} {
				if s == nil {
					continue
				}
				if s.GoType == nil {
					t.Errorf("%s.%s: %s has no Go type", name, opName, s.Name)
					continue
				}
				for _, m := range s.Members {
					if f := s.GoType.Field(m.Field); f.Name != awsmodel.GoName(m.Name) {
						t.Errorf("%s.%s: member %s bound to field %s", name, s.Name, m.Name, f.Name)
					}
				}
			}
		}
	}
}

// Patterns written with Java's \u escapes are checked, not skipped.
func TestJavaPatterns(t *testing.T) {
	doc := iamapi.Model().Shapes["policyDocumentType"]
	if !strings.Contains(doc.Pattern, `\u0009`) {
		t.Fatalf("policyDocumentType pattern is %q; the test needs the \\u form", doc.Pattern)
	}
	for _, ok := range []string{`{"Version":"2012-10-17"}`, "tab\tand é"} {
		if !doc.MatchPattern(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	if doc.MatchPattern("bell \x07") || doc.MatchPattern("beyond Latin-1: 🙂") {
		t.Error("a control character passed the policy document pattern")
	}
	// Lookahead cannot be expressed in Go; such patterns are not enforced rather than
	// refusing valid input.
	alias := iamapi.Model().Shapes["accountAliasType"]
	if !alias.MatchPattern("--anything--") {
		t.Error("a pattern Go cannot compile refused input")
	}
}

// The EC2 model speaks its own protocol and names request parameters by queryName or by a
// capitalised locationName; its lists name their entries "item".
func TestEC2Model(t *testing.T) {
	api := ec2api.Model()
	if api.Metadata.Protocol != awsmodel.ProtocolEC2 {
		t.Fatalf("ec2 protocol %q", api.Metadata.Protocol)
	}
	in := api.Operations["DescribeVpcs"].Input
	for member, want := range map[string]string{"DryRun": "DryRun", "Filters": "Filter", "VpcIds": "VpcId", "NextToken": "NextToken"} {
		if got := in.MemberByName(member).EC2QueryName(); got != want {
			t.Errorf("DescribeVpcs %s is sent as %q, want %q", member, got, want)
		}
	}
	out := api.Operations["DescribeVpcs"].Output.MemberByName("Vpcs")
	if out.WireName() != "vpcSet" || out.Shape.Member.LocationName != "item" {
		t.Errorf("DescribeVpcs Vpcs is <%s> of <%s>", out.WireName(), out.Shape.Member.LocationName)
	}
	// The generated slice holds what the EC2 issues need, and nothing that was not asked for.
	for _, op := range []string{"CopySnapshot", "DescribeSecurityGroupRules", "GetEbsEncryptionByDefault", "DescribeRegions"} {
		if api.Operations[op] == nil {
			t.Errorf("ec2api lacks %s", op)
		}
	}
	if api.Operations["RunInstances"] != nil {
		t.Error("ec2api holds RunInstances, which ec2.operations does not list")
	}
}

// Fields AWS added after the aws-sdk-go v1 models froze are in the generated code.
func TestCurrentModelFields(t *testing.T) {
	copyJob := backupapi.Model().Shapes["CopyJob"]
	for _, m := range []string{"CreatedByBackupJobId", "DestinationEncryptionKeyArn", "DestinationRecoveryPointLifecycle", "DestinationVaultType"} {
		if copyJob.MemberByName(m) == nil {
			t.Errorf("backup CopyJob has no %s", m)
		}
	}
	_ = backupapi.CopyJob{CreatedByBackupJobId: new("id")} // and the Go type has the field
}

// Patterns in the Java forms only the newer models use are enforced too.
func TestNewerJavaPatterns(t *testing.T) {
	printable := dynamodbapi.Model().Shapes["AutoScalingPolicyName"]
	if !printable.MatchPattern("scale-out policy") || printable.MatchPattern("tab\there") {
		t.Errorf("\\p{Print} pattern %q not enforced", printable.Pattern)
	}
	xml := cloudtrailapi.Model().Shapes["PartitionKeyName"]
	if !xml.MatchPattern("key 🙂") || xml.MatchPattern("bell \x07") {
		t.Errorf("surrogate-pair pattern %q not enforced", xml.Pattern)
	}
}
