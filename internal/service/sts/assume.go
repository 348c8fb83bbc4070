package sts

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// session is what a request for role credentials asks for, whichever operation made it.
type session struct {
	roleARN  string
	name     string
	duration *int64
	policy   *string
	arns     []stsapi.PolicyDescriptorType // managed session policies
	tags     []stsapi.Tag
	// bound shortens the credentials' life below duration when it is shorter (a SAML
	// assertion's SessionDuration and SessionNotOnOrAfter); zero bounds nothing.
	bound time.Duration
}

// checkRoleARN refuses what is not a role ARN, before anything is looked up.
func checkRoleARN(roleARN string) (arn.ARN, error) {
	parsed, err := arn.Parse(roleARN)
	if err != nil || parsed.Service != "iam" || !auth.IsAccountID(parsed.Account) || !strings.HasPrefix(parsed.Resource, "role/") {
		return arn.ARN{}, msgInvalidRoleARN.New(roleARN)
	}
	return parsed, nil
}

// knownOrPermissive returns the role an ARN names. Permissive mode lets clients assume
// roles nobody created here (a provider block's assume_role, say), with an id derived
// from the ARN so that it is stable across calls; strict mode never comes here, it asks
// the role's trust policy.
func (s *Service) knownOrPermissive(tx kit.Tx, roleARN string, parsed arn.ARN) (port.RoleInfo, error) {
	role, ok, err := s.roles.RoleByARN(tx, roleARN)
	if err != nil || ok {
		return role, err
	}
	name := parsed.Resource[strings.LastIndex(parsed.Resource, "/")+1:]
	return port.RoleInfo{ARN: roleARN, RoleID: derivedRoleID(roleARN), Name: name, Account: parsed.Account, MaxSessionDuration: 3600}, nil
}

// roleSession checks a request for a role's credentials and returns the identity the
// credentials will carry.
func (s *Service) roleSession(ctx context.Context, role port.RoleInfo, parsed arn.ARN, req session) (auth.Identity, *stsapi.AssumedRoleUser, *int64, error) {
	c := s.Call(ctx)
	duration := int64(3600)
	if req.duration != nil {
		duration = *req.duration
	}
	if duration > role.MaxSessionDuration {
		return auth.Identity{}, nil, nil, msgOverMaxSession.New()
	}
	if strings.Contains(c.Caller.ARN, ":assumed-role/") && duration > 3600 {
		return auth.Identity{}, nil, nil, msgOverChainedSession.New()
	}
	packed, err := packedPolicySize(req.policy, req.arns, req.tags)
	if err != nil {
		return auth.Identity{}, nil, nil, err
	}
	userID := role.RoleID + ":" + req.name
	sessionARN := arn.New(parsed.Partition, "sts", "", role.Account, "assumed-role/"+role.Name+"/"+req.name)
	id := withSessionPolicies(auth.Identity{Account: role.Account, ARN: sessionARN, UserID: userID}, req.policy, req.arns)
	return id, &stsapi.AssumedRoleUser{AssumedRoleId: &userID, Arn: &sessionARN}, packed, nil
}

// startSession checks a request for a role's credentials and hands them out.
func (s *Service) startSession(ctx context.Context, tx kit.Tx, role port.RoleInfo, parsed arn.ARN, req session) (*stsapi.AssumedRoleUser, *int64, *stsapi.Credentials, error) {
	id, user, packed, err := s.roleSession(ctx, role, parsed, req)
	if err != nil {
		return nil, nil, nil, err
	}
	life := seconds(req.duration, 3600)
	if req.bound > 0 && req.bound < life {
		life = req.bound
	}
	creds, err := s.issue(tx, id, life)
	return user, packed, creds, err
}

// withSessionPolicies writes a request's session policies into the credentials, which
// carry them to every later request of the session: IAM's evaluation in strict mode
// allows the session only what they allow too.
func withSessionPolicies(id auth.Identity, policy *string, arns []stsapi.PolicyDescriptorType) auth.Identity {
	id.SessionPolicy = deref(policy)
	for _, a := range arns {
		if a.Arn != nil {
			id.SessionPolicyARNs = append(id.SessionPolicyARNs, *a.Arn)
		}
	}
	return id
}

// derivedRoleID makes a role id from a role ARN: the same ARN always gives the same id,
// in the alphabet of real ones (base32).
func derivedRoleID(roleARN string) string {
	sum := sha256.Sum256([]byte(roleARN))
	return "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// packedPolicySize is the share of the session's packed policy and tag budget that a
// request uses, in percent, as AssumeRole and GetFederationToken report it. AWS does not
// publish the packing; the budget here is 2048 bytes of compacted inline policy, managed
// policy ARNs and tags, which puts the refusal where AWS puts it for plain-text policies.
func packedPolicySize(policy *string, arns []stsapi.PolicyDescriptorType, tags []stsapi.Tag) (*int64, error) {
	if policy == nil && len(arns) == 0 && len(tags) == 0 {
		return nil, nil
	}
	size := 0
	if policy != nil {
		var doc any
		if err := json.Unmarshal([]byte(*policy), &doc); err != nil {
			return nil, msgPolicyNotJSON.New()
		}
		compact, _ := json.Marshal(doc)
		size += len(compact)
	}
	for _, a := range arns {
		size += len(deref(a.Arn))
	}
	for _, t := range tags {
		size += len(*t.Key) + len(*t.Value)
	}
	percent := int64(size * 100 / 2048)
	if percent > 100 {
		return nil, msgPackedTooLarge.New(percent)
	}
	return &percent, nil
}

// issue mints credentials for id, valid for duration, and stores them.
func (s *Service) issue(tx kit.Tx, id auth.Identity, duration time.Duration) (*stsapi.Credentials, error) {
	now := s.Clock.Now()
	id.AccessKeyID = ids.Unique(auth.TemporaryPrefix)
	id.SecretKey = ids.Alnum(40)
	// The session token is opaque to clients; AWS's are long base64 strings.
	id.SessionToken = "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString([]byte(ids.Alnum(180)))
	id.Expiration = now.Add(duration).Truncate(time.Second)
	if err := s.creds.PutTemporary(tx, id); err != nil {
		return nil, err
	}
	if _, err := jobForget.Enqueue(tx, id.Expiration.Add(forgetAfter), forgetPayload{Account: id.Account, AccessKeyID: id.AccessKeyID}); err != nil {
		return nil, err
	}
	return &stsapi.Credentials{
		AccessKeyId: &id.AccessKeyID, SecretAccessKey: &id.SecretKey, SessionToken: &id.SessionToken, Expiration: &id.Expiration,
	}, nil
}

// forgetPayload names the credentials to forget. Jobs enqueued before Account was added
// carry none; only the key's id is needed to forget them.
type forgetPayload struct {
	Account     string `json:"account,omitempty"`
	AccessKeyID string `json:"accessKeyId"`
}

// Subject: credentials belong to no Region.
func (p forgetPayload) Subject() (string, string, []string) {
	return p.Account, kit.Global, []string{p.AccessKeyID}
}

func (s *Service) forget(_ context.Context, tx kit.Tx, _ *jobs.Job, p forgetPayload) error {
	return s.creds.ForgetTemporary(tx, p.AccessKeyID)
}

func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	parsed, err := checkRoleARN(*in.RoleArn)
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleResponse{SourceIdentity: in.SourceIdentity}
	err = s.Update(func(tx kit.Tx) error {
		role, err := s.trustedRole(ctx, tx, in, parsed)
		if err != nil {
			return err
		}
		out.AssumedRoleUser, out.PackedPolicySize, out.Credentials, err = s.startSession(ctx, tx, role, parsed, session{
			roleARN: *in.RoleArn, name: *in.RoleSessionName, duration: in.DurationSeconds, policy: in.Policy, arns: in.PolicyArns, tags: in.Tags,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// trustedRole is the role AssumeRole asks for. Strict mode is a rehearsal of real
// permissions: the role must exist and its trust policy must allow the caller
// sts:AssumeRole, and sts:TagSession and sts:SetSourceIdentity when the request passes
// session tags or a source identity, as AWS requires. Permissive mode asks nothing.
func (s *Service) trustedRole(ctx context.Context, tx kit.Tx, in *stsapi.AssumeRoleRequest, parsed arn.ARN) (port.RoleInfo, error) {
	if !s.creds.Strict() {
		return s.knownOrPermissive(tx, *in.RoleArn, parsed)
	}
	c := s.Call(ctx)
	caller := port.Principal{Type: port.PrincipalAWS, ID: c.Caller.ARN}
	keys := assumeRoleContext(c, in)
	reqs := []port.TrustRequest{{Action: "sts:AssumeRole", Principal: caller, Keys: keys}}
	if len(in.Tags) > 0 || len(in.TransitiveTagKeys) > 0 {
		reqs = append(reqs, port.TrustRequest{Action: "sts:TagSession", Principal: caller, Keys: keys})
	}
	if in.SourceIdentity != nil {
		reqs = append(reqs, port.TrustRequest{Action: "sts:SetSourceIdentity", Principal: caller, Keys: keys})
	}
	role, err := s.roles.AuthorizeAssumeRole(tx, *in.RoleArn, reqs...)
	var refused *port.NotTrustedError
	switch {
	case errors.Is(err, port.ErrNoSuchRole):
		return role, notAuthorized(c.Caller.ARN, "sts:AssumeRole", *in.RoleArn)
	case errors.As(err, &refused):
		return role, notAuthorized(c.Caller.ARN, refused.Action, *in.RoleArn)
	}
	return role, err
}

// notAuthorized is AWS's refusal of an action on a role, the same whether the role does
// not exist or does not trust the caller.
func notAuthorized(caller, action, roleARN string) error {
	return msgNotAuthorized.New(caller, action, roleARN)
}

// assumeRoleContext is the condition keys of an AssumeRole request.
func assumeRoleContext(c kit.Call, in *stsapi.AssumeRoleRequest) port.ConditionKeys {
	ctx := port.ConditionKeys{}
	ctx.Set("sts:RoleSessionName", *in.RoleSessionName)
	ctx.Set("aws:userid", c.Caller.UserID)
	if in.ExternalId != nil {
		ctx.Set("sts:ExternalId", *in.ExternalId)
	}
	if in.SourceIdentity != nil {
		ctx.Set("sts:SourceIdentity", *in.SourceIdentity)
	}
	if len(in.TransitiveTagKeys) > 0 {
		ctx.Set("sts:TransitiveTagKeys", in.TransitiveTagKeys...)
	}
	var keys []string
	for _, t := range in.Tags {
		ctx.Set("aws:RequestTag/"+*t.Key, *t.Value)
		keys = append(keys, *t.Key)
	}
	if len(keys) > 0 {
		ctx.Set("aws:TagKeys", keys...)
	}
	return ctx
}
