package kms_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/xregion/xregion/internal/server/servertest"
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

// wantErr checks that err is the AWS error code with HTTP status 400 and, if msg is not
// empty, that its message is exactly msg.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), msg)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 400 {
		t.Fatalf("%s: HTTP status %d, want 400", code, re.HTTPStatusCode())
	}
}

// wantErrContains is wantErr for messages that embed generated ids in the middle.
func wantErrContains(t *testing.T, err error, code, part string) {
	t.Helper()
	wantErr(t, err, code, "")
	var ae smithy.APIError
	errors.As(err, &ae)
	if !strings.Contains(ae.ErrorMessage(), part) {
		t.Fatalf("%s message %q does not contain %q", code, ae.ErrorMessage(), part)
	}
}

func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

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
