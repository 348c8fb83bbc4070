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

type env = servertest.Env[*kms.Client]

func start(t testing.TB, opts ...servertest.Option) *env {
	t.Helper()
	return servertest.StartEnv(t, kms.NewFromConfig, opts...)
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

var (
	wantErr         = xtest.WantClientError
	wantErrContains = xtest.WantClientErrorContaining
)
