// Package sts serves AWS Security Token Service: who am I, and temporary credentials
// (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken) whose later calls act in the
// role's account.
package sts

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// serviceName is STS's signing name, and the service part of its records' keys.
const serviceName = "sts"

func init() {
	service.Register(service.Module{Name: serviceName, New: New})
}

// Service is STS.
type Service struct {
	*kit.Kit
	creds port.Credentials
	roles port.Roles
	perms port.Permissions // IAM policies, for the calls STS authorizes itself in strict mode
}

var _ service.Service = (*Service)(nil)

// jobForget removes session credentials some time after they expire, so the store does
// not grow with every session ever handed out.
var jobForget = kit.Kind[forgetPayload]{Name: "sts.forget-credentials"}

// forgetAfter is how long expired credentials are kept. Permissive mode does not enforce
// expiry (a test that moved the clock a month ahead keeps working); keeping the record a
// while longer means such a key still acts in its role's account rather than the default.
const forgetAfter = 7 * 24 * time.Hour

// New builds STS.
func New(d service.Deps) (service.Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	service.Need(d.Ports, &s.creds)
	service.Need(d.Ports, &s.roles)
	service.Want(d.Ports, &s.perms)
	service.Provide[port.AuthorizationMessages](d.Ports, s)
	jobForget.Register(k, kit.Handler[forgetPayload]{Run: s.forget})
	return s, nil
}

// Model is the STS model.
func (s *Service) Model() *awsmodel.API { return stsapi.Model() }

// Handlers are the implemented operations.
func (s *Service) Handlers() []awsmodel.Handler {
	return stsapi.Bind(s)
}

func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	c := s.Call(ctx)
	return &stsapi.GetCallerIdentityResponse{
		Account: &c.Account, Arn: &c.Caller.ARN, UserId: &c.Caller.UserID,
	}, nil
}

func (s *Service) GetAccessKeyInfo(ctx context.Context, in *stsapi.GetAccessKeyInfoRequest) (*stsapi.GetAccessKeyInfoResponse, error) {
	account := s.creds.DefaultAccount()
	err := s.View(func(tx kit.Tx) error {
		id, ok, err := s.creds.Lookup(tx, *in.AccessKeyId)
		switch {
		case err != nil:
			return err
		case ok:
			account = id.Account
		case auth.IsAccountID(*in.AccessKeyId):
			account = *in.AccessKeyId
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &stsapi.GetAccessKeyInfoResponse{Account: &account}, nil
}

func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	c := s.Call(ctx)
	if c.Temporary {
		return nil, msgSessionTokenSession.New()
	}
	duration := seconds(in.DurationSeconds, 43200)
	// AWS limits sessions of the account's root user to one hour, silently.
	if isRoot(c.Caller.ARN) && duration > time.Hour {
		duration = time.Hour
	}
	out := &stsapi.GetSessionTokenResponse{}
	err := s.Update(func(tx kit.Tx) error {
		var err error
		out.Credentials, err = s.issue(tx, auth.Identity{Account: c.Account, ARN: c.Caller.ARN, UserID: c.Caller.UserID}, duration)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func seconds(v *int64, def int64) time.Duration {
	if v == nil {
		return time.Duration(def) * time.Second
	}
	return time.Duration(*v) * time.Second
}
