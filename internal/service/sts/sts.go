// Package sts serves AWS Security Token Service: who am I, and temporary credentials
// (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken) whose later calls act in the
// role's account.
package sts

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

func init() {
	service.Register(service.Module{Name: "sts", New: New})
}

// Service is STS.
type Service struct {
	st    store.Store
	auth  *auth.Resolver
	clock *jobs.Clock
	jobs  *jobs.Engine
	roles port.Roles
}

var _ service.Service = (*Service)(nil)

// expireKind removes session credentials some time after they expire, so the store does
// not grow with every session ever handed out.
const expireKind = "sts.forget-credentials"

// forgetAfter is how long expired credentials are kept. Permissive mode does not enforce
// expiry (a test that moved the clock a month ahead keeps working); keeping the record a
// while longer means such a key still acts in its role's account rather than the default.
const forgetAfter = 7 * 24 * time.Hour

// New builds STS.
func New(d service.Deps) (service.Service, error) {
	s := &Service{st: d.Store, auth: d.Auth, clock: d.Clock, jobs: d.Jobs}
	service.Need(d.Ports, &s.roles)
	d.Jobs.Register(expireKind, jobs.Handler{Run: s.forget})
	return s, nil
}

// Model is the STS model.
func (s *Service) Model() *awsmodel.API { return stsapi.Model() }

// Handlers are the implemented operations.
func (s *Service) Handlers() []awsmodel.Handler {
	return []awsmodel.Handler{
		stsapi.OpGetCallerIdentity.Handle(s.getCallerIdentity),
		stsapi.OpGetAccessKeyInfo.Handle(s.getAccessKeyInfo),
		stsapi.OpAssumeRole.Handle(s.assumeRole),
		stsapi.OpAssumeRoleWithWebIdentity.Handle(s.assumeRoleWithWebIdentity),
		stsapi.OpGetSessionToken.Handle(s.getSessionToken),
	}
}

var accessDenied = awserr.Kind{Code: "AccessDenied", Status: 403, Sender: true}

func (s *Service) getCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	info := request.From(ctx)
	return &stsapi.GetCallerIdentityResponse{
		Account: &info.Account, Arn: &info.Caller.ARN, UserId: &info.Caller.UserID,
	}, nil
}

func (s *Service) getAccessKeyInfo(ctx context.Context, in *stsapi.GetAccessKeyInfoRequest) (*stsapi.GetAccessKeyInfoResponse, error) {
	account := s.auth.DefaultAccount()
	err := s.st.View(func(tx store.Tx) error {
		id, ok, err := s.auth.Lookup(tx, *in.AccessKeyId)
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

func (s *Service) getSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	info := request.From(ctx)
	if info.Temporary {
		return nil, accessDenied.New("Cannot call GetSessionToken with session credentials")
	}
	duration := seconds(in.DurationSeconds, 43200)
	// AWS limits sessions of the account's root user to one hour, silently.
	if strings.HasSuffix(info.Caller.ARN, ":root") && duration > time.Hour {
		duration = time.Hour
	}
	out := &stsapi.GetSessionTokenResponse{}
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		out.Credentials, err = s.issue(tx, auth.Identity{Account: info.Account, ARN: info.Caller.ARN, UserID: info.Caller.UserID}, duration)
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
