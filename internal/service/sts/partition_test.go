package sts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xregion/xregion/internal/server/servertest"
)

// TestPartitionOfTheRegion: the caller, and the ARNs the services answer, are in the
// partition of the Region the request was signed for.
func TestPartitionOfTheRegion(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	for region, partition := range map[string]string{
		"us-east-1": "aws", "cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-isoe-west-1": "aws-iso-e",
	} {
		cfg := inst.Config(region)
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:" + partition + ":iam::123456789012:root"; aws.ToString(who.Arn) != want {
			t.Errorf("%s: caller %s, want %s", region, aws.ToString(who.Arn), want)
		}
		sec, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("p"), SecretString: aws.String("v")})
		if err != nil {
			t.Fatal(err)
		}
		key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		prefix := "arn:" + partition + ":"
		if !strings.HasPrefix(aws.ToString(sec.ARN), prefix+"secretsmanager:"+region+":") || !strings.HasPrefix(aws.ToString(key.KeyMetadata.Arn), prefix+"kms:"+region+":") {
			t.Errorf("%s: secret %s, key %s", region, aws.ToString(sec.ARN), aws.ToString(key.KeyMetadata.Arn))
		}
	}
}

// TestRoleSessionInChina: a role of the aws-cn partition is assumed there, and its session
// is an aws-cn principal.
func TestRoleSessionInChina(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	cfg := inst.Config("cn-north-1")
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("cn-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(role.Role.Arn), "arn:aws-cn:iam::123456789012:role/") {
		t.Fatalf("role ARN %s", aws.ToString(role.Role.Arn))
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("ops")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws-cn:sts::123456789012:assumed-role/cn-role/ops" {
		t.Errorf("session ARN %s", got)
	}
	who, err := sts.NewFromConfig(withCredentials(cfg, out.Credentials)).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(who.Arn); got != "arn:aws-cn:sts::123456789012:assumed-role/cn-role/ops" {
		t.Errorf("caller %s", got)
	}
}

// withCredentials is cfg signing with temporary credentials STS handed out.
func withCredentials(cfg aws.Config, c *ststypes.Credentials) aws.Config {
	cfg = cfg.Copy()
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}, nil
	})
	return cfg
}
