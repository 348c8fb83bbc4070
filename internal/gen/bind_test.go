package gen

import (
	"context"
	"testing"

	"github.com/xregion/xregion/internal/gen/stsapi"
)

// stsPart implements two STS operations, one with the operation's signature and one
// with another, and a method named after no operation.
type stsPart struct{}

func (stsPart) GetCallerIdentity(context.Context, *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	return &stsapi.GetCallerIdentityResponse{Account: new("123456789012")}, nil
}

// GetSessionToken has the operation's name and another signature: Bind leaves it alone.
func (stsPart) GetSessionToken(context.Context, *stsapi.GetSessionTokenRequest) (stsapi.GetSessionTokenResponse, error) {
	return stsapi.GetSessionTokenResponse{}, nil
}

func (stsPart) AssumeAnything(context.Context, *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	return nil, nil
}

func TestBindBindsMethodsOfTheOperationsSignature(t *testing.T) {
	hs := stsapi.Bind(stsPart{})
	if len(hs) != 1 || hs[0].Operation != "GetCallerIdentity" {
		t.Fatalf("Bind bound %v, want GetCallerIdentity alone", hs)
	}
	out, err := hs[0].Call(context.Background(), &stsapi.GetCallerIdentityRequest{})
	if err != nil || *out.(*stsapi.GetCallerIdentityResponse).Account != "123456789012" {
		t.Errorf("the bound handler answered %v, %v", out, err)
	}
	if got := stsapi.Bind(struct{}{}); len(got) != 0 {
		t.Errorf("Bind of a value without methods bound %d operations", len(got))
	}
}
