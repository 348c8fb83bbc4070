package kms_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

var ctx = context.Background()

type env struct {
	inst *servertest.Instance
	east *kms.Client // us-east-1
	west *kms.Client // us-west-2
}

func start(t testing.TB, opts ...servertest.Option) *env {
	t.Helper()
	inst := servertest.Start(t, opts...)
	return &env{
		inst: inst,
		east: kms.NewFromConfig(inst.Config("us-east-1")),
		west: kms.NewFromConfig(inst.Config("us-west-2")),
	}
}

func (e *env) client(region string) *kms.Client { return kms.NewFromConfig(e.inst.Config(region)) }

func createKey(t *testing.T, c *kms.Client, in *kms.CreateKeyInput) *types.KeyMetadata {
	t.Helper()
	if in == nil {
		in = &kms.CreateKeyInput{}
	}
	out, err := c.CreateKey(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

func describe(t *testing.T, c *kms.Client, id string) *types.KeyMetadata {
	t.Helper()
	out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

const account = "123456789012"

type bigInt = big.Int

var (
	bigTwo   = big.NewInt(2)
	bigThree = big.NewInt(3)
	bigSeven = big.NewInt(7)
)

// wantErr checks that err is the AWS error code with HTTP status 400 and, if msg is not
// empty, exactly that message.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	xtest.WantError(t, err, code, 400, msg)
}

// wantErrContains is wantErr for messages that embed generated ids in the middle.
func wantErrContains(t *testing.T, err error, code, part string) {
	t.Helper()
	xtest.WantErrorContaining(t, err, code, 400, part)
}
