// Package sts serves AWS Security Token Service: who am I, and temporary credentials
// (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken) whose later calls act in the
// role's account.
package sts

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
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

// session is what a request for role credentials asks for, whichever operation made it.
type session struct {
	roleARN  string
	name     string
	duration *int64
	policy   *string
	tags     []stsapi.Tag
}

// roleSession checks a role request and returns the role, the session length and the
// identity the credentials will carry.
func (s *Service) roleSession(ctx context.Context, tx store.Tx, req session) (auth.Identity, *stsapi.AssumedRoleUser, *int64, error) {
	info := request.From(ctx)
	parsed, err := arn.Parse(req.roleARN)
	if err != nil || parsed.Service != "iam" || !auth.IsAccountID(parsed.Account) || !strings.HasPrefix(parsed.Resource, "role/") {
		return auth.Identity{}, nil, nil, awserr.ValidationError.New("%s is invalid", req.roleARN)
	}
	role, ok, err := s.roles.RoleByARN(kit.Adopt(tx), req.roleARN)
	if err != nil {
		return auth.Identity{}, nil, nil, err
	}
	if !ok {
		// Strict mode is a rehearsal of real permissions: a role that does not exist cannot
		// be assumed. Permissive mode lets clients assume roles nobody created here (a
		// provider block's assume_role, say), with an id derived from the ARN so that it is
		// stable across calls.
		if s.auth.Strict() {
			return auth.Identity{}, nil, nil, accessDenied.New("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", info.Caller.ARN, req.roleARN)
		}
		name := parsed.Resource[strings.LastIndex(parsed.Resource, "/")+1:]
		role = port.RoleInfo{ARN: req.roleARN, RoleID: derivedRoleID(req.roleARN), Name: name, Account: parsed.Account, MaxSessionDuration: 3600}
	}
	duration := int64(3600)
	if req.duration != nil {
		duration = *req.duration
	}
	if duration > role.MaxSessionDuration {
		return auth.Identity{}, nil, nil, awserr.ValidationError.New("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if strings.Contains(info.Caller.ARN, ":assumed-role/") && duration > 3600 {
		return auth.Identity{}, nil, nil, awserr.ValidationError.New("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	packed, err := packedPolicySize(req.policy, req.tags)
	if err != nil {
		return auth.Identity{}, nil, nil, err
	}
	userID := role.RoleID + ":" + req.name
	sessionARN := arn.New(parsed.Partition, "sts", "", role.Account, "assumed-role/"+role.Name+"/"+req.name)
	id := auth.Identity{Account: role.Account, ARN: sessionARN, UserID: userID}
	return id, &stsapi.AssumedRoleUser{AssumedRoleId: &userID, Arn: &sessionARN}, packed, nil
}

// derivedRoleID makes a role id from a role ARN: the same ARN always gives the same id,
// in the alphabet of real ones (base32).
func derivedRoleID(roleARN string) string {
	sum := sha256.Sum256([]byte(roleARN))
	return "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// packedPolicySize is the share of the session's packed policy and tag budget that a
// request uses, in percent, as AssumeRole reports it. AWS does not publish the packing; the
// budget here is 2048 bytes of compacted policy plus tags, which puts the refusal where
// AWS puts it for plain-text policies.
func packedPolicySize(policy *string, tags []stsapi.Tag) (*int64, error) {
	if policy == nil && len(tags) == 0 {
		return nil, nil
	}
	size := 0
	if policy != nil {
		var doc any
		if err := json.Unmarshal([]byte(*policy), &doc); err != nil {
			return nil, stsapi.ErrMalformedPolicyDocument.New("The policy is not in the valid JSON format.")
		}
		compact, _ := json.Marshal(doc)
		size += len(compact)
	}
	for _, t := range tags {
		size += len(*t.Key) + len(*t.Value)
	}
	percent := int64(size * 100 / 2048)
	if percent > 100 {
		return nil, stsapi.ErrPackedPolicyTooLarge.New("Packed size of the policy and tags exceeds %d%% of the allowed size.", percent)
	}
	return &percent, nil
}

// issue mints credentials for id, valid for duration, and stores them.
func (s *Service) issue(tx store.Tx, id auth.Identity, duration time.Duration) (*stsapi.Credentials, error) {
	now := s.clock.Now()
	id.AccessKeyID = ids.Unique(auth.TemporaryPrefix)
	id.SecretKey = ids.Alnum(40)
	// The session token is opaque to clients; AWS's are long base64 strings.
	id.SessionToken = "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString([]byte(ids.Alnum(180)))
	id.Expiration = now.Add(duration).Truncate(time.Second)
	if err := s.auth.PutTemporary(tx, id); err != nil {
		return nil, err
	}
	payload, _ := json.Marshal(forgetPayload{AccessKeyID: id.AccessKeyID})
	if _, err := s.jobs.Enqueue(tx, jobs.Job{Kind: expireKind, Account: id.Account, RunAt: id.Expiration.Add(forgetAfter), Payload: payload}); err != nil {
		return nil, err
	}
	return &stsapi.Credentials{
		AccessKeyId: &id.AccessKeyID, SecretAccessKey: &id.SecretKey, SessionToken: &id.SessionToken, Expiration: &id.Expiration,
	}, nil
}

type forgetPayload struct {
	AccessKeyID string `json:"accessKeyId"`
}

func (s *Service) forget(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p forgetPayload
	if err := job.DecodePayload(&p); err != nil {
		return jobs.Permanent(err)
	}
	return s.auth.ForgetTemporary(tx, p.AccessKeyID)
}

func (s *Service) assumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	out := &stsapi.AssumeRoleResponse{SourceIdentity: in.SourceIdentity}
	err := s.st.Update(func(tx store.Tx) error {
		id, user, packed, err := s.roleSession(ctx, tx, session{
			roleARN: *in.RoleArn, name: *in.RoleSessionName, duration: in.DurationSeconds, policy: in.Policy, tags: in.Tags,
		})
		if err != nil {
			return err
		}
		out.AssumedRoleUser, out.PackedPolicySize = user, packed
		out.Credentials, err = s.issue(tx, id, seconds(in.DurationSeconds, 3600))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// assumeRoleWithWebIdentity accepts any well-formed JWT: xregion has no identity provider
// to check signatures against, so it reads the token's claims and trusts them, the way a
// role that trusts the issuer would.
func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
	claims, err := jwtClaims(*in.WebIdentityToken)
	if err != nil {
		return nil, stsapi.ErrInvalidIdentityToken.New("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	out := &stsapi.AssumeRoleWithWebIdentityResponse{SubjectFromWebIdentityToken: claims.Subject, Provider: claims.Issuer, Audience: claims.audience()}
	if in.ProviderId != nil {
		out.Provider = in.ProviderId
	}
	err = s.st.Update(func(tx store.Tx) error {
		id, user, packed, err := s.roleSession(ctx, tx, session{
			roleARN: *in.RoleArn, name: *in.RoleSessionName, duration: in.DurationSeconds, policy: in.Policy,
		})
		if err != nil {
			return err
		}
		out.AssumedRoleUser, out.PackedPolicySize = user, packed
		out.Credentials, err = s.issue(tx, id, seconds(in.DurationSeconds, 3600))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type claims struct {
	Subject  *string `json:"sub"`
	Issuer   *string `json:"iss"`
	Audience any     `json:"aud"` // a string or a list of strings
}

func (c claims) audience() *string {
	switch a := c.Audience.(type) {
	case string:
		return &a
	case []any:
		if len(a) > 0 {
			if s, ok := a[0].(string); ok {
				return &s
			}
		}
	}
	return nil
}

func jwtClaims(token string) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, fmt.Errorf("not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return claims{}, err
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return claims{}, err
	}
	return c, nil
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
