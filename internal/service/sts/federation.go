package sts

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Session lengths of GetFederationToken (the model holds the range 900 to 129600).
const (
	federationDefault  = 12 * time.Hour
	federationRootMost = time.Hour
)

// GetFederationToken hands a federated user credentials in the caller's account: the
// user is arn:PARTITION:sts::ACCOUNT:federated-user/NAME, with the id ACCOUNT:NAME.
//
// The session policies (Policy, PolicyArns) are checked and counted into
// PackedPolicySize as AWS does, and travel with the credentials: in strict mode the
// federated user may do what both the caller's IAM policies and the session policies
// allow, and nothing without session policies (IAM's IdentityPolicies).
func (s *Service) GetFederationToken(ctx context.Context, in *stsapi.GetFederationTokenRequest) (*stsapi.GetFederationTokenResponse, error) {
	c := s.Call(ctx)
	// AWS refuses any session credentials, an assumed role's or GetSessionToken's.
	if c.Temporary {
		return nil, msgFederationTokenSession.New()
	}
	packed, err := packedPolicySize(in.Policy, in.PolicyArns, in.Tags)
	if err != nil {
		return nil, err
	}
	duration := seconds(in.DurationSeconds, int64(federationDefault/time.Second))
	// The root user's federation sessions last an hour at most; AWS shortens a longer
	// request without an error.
	if isRoot(c.Caller.ARN) && duration > federationRootMost {
		duration = federationRootMost
	}
	userARN := arn.New(c.Partition, "sts", "", c.Account, "federated-user/"+*in.Name)
	userID := c.Account + ":" + *in.Name
	out := &stsapi.GetFederationTokenResponse{
		FederatedUser:    &stsapi.FederatedUser{FederatedUserId: &userID, Arn: &userARN},
		PackedPolicySize: packed,
	}
	err = s.Update(func(tx kit.Tx) error {
		var err error
		id := withSessionPolicies(auth.Identity{Account: c.Account, ARN: userARN, UserID: userID, FederatedBy: c.Caller.ARN}, in.Policy, in.PolicyArns)
		out.Credentials, err = s.issue(tx, id, duration)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// isRoot reports whether a caller's ARN is an account's root user.
func isRoot(callerARN string) bool {
	a, err := arn.Parse(callerARN)
	return err == nil && a.Service == "iam" && a.Resource == "root"
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
