package sts

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// AssumeRoleWithWebIdentity trades a token of an OpenID Connect identity provider for a
// role's credentials. The call is unsigned: the token is the only proof of who calls.
//
// In strict mode the token is checked as AWS checks it, in AWS's order and with its
// errors: a JWT (InvalidIdentityToken); an IAM OIDC provider in the role's account for
// its issuer (InvalidIdentityToken "No OpenIDConnect provider found ..."); a signature
// made by one of the issuer's keys, which xregion takes from its key files
// (InvalidIdentityToken); within its validity window on the real clock, as issuers sign
// with it (ExpiredTokenException, IDPRejectedClaim for a token not valid yet); an
// audience among the provider's client ids (InvalidIdentityToken "Incorrect token
// audience"); and last the role's trust policy, with the provider as Federated principal
// and the token's aud, sub and azp as PROVIDER:aud, PROVIDER:sub and PROVIDER:azp
// (AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity").
//
// In permissive mode any readable JWT is taken at its word, the role need not exist, and
// nothing else is checked: local tests get credentials without an identity provider.

// Errors of web identity tokens, made once.
var (
	errNotAJWT       = msgNotAJWT.New()
	errNoKey         = msgNoKey.New()
	errBadSig        = msgBadSignature.New()
	errAudience      = msgAudience.New()
	errWebNotAllowed = msgWebNotAllowed.New()
)

func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
	parsed, err := checkRoleARN(*in.RoleArn)
	if err != nil {
		return nil, err
	}
	tok, err := auth.ParseWebToken(*in.WebIdentityToken)
	if err != nil {
		return nil, errNotAJWT
	}
	out := &stsapi.AssumeRoleWithWebIdentityResponse{
		SubjectFromWebIdentityToken: nonEmpty(tok.Claims.Subject), Provider: nonEmpty(tok.Claims.Issuer),
	}
	if len(tok.Claims.Audience) > 0 {
		out.Audience = &tok.Claims.Audience[0]
	}
	if in.ProviderId != nil {
		out.Provider = in.ProviderId
	}
	err = s.Update(func(tx kit.Tx) error {
		role, audience, err := s.webIdentityRole(tx, in, parsed, tok)
		if err != nil {
			return err
		}
		if audience != "" {
			out.Audience = &audience
		}
		out.AssumedRoleUser, out.PackedPolicySize, out.Credentials, err = s.startSession(ctx, tx, role, parsed, session{
			roleARN: *in.RoleArn, name: *in.RoleSessionName, duration: in.DurationSeconds, policy: in.Policy, arns: in.PolicyArns,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// webIdentityRole returns the role a web identity may assume, and the audience of the
// token that the provider accepted (in strict mode).
func (s *Service) webIdentityRole(tx kit.Tx, in *stsapi.AssumeRoleWithWebIdentityRequest, parsed arn.ARN, tok *auth.WebToken) (port.RoleInfo, string, error) {
	if !s.creds.Strict() {
		role, err := s.knownOrPermissive(tx, *in.RoleArn, parsed)
		return role, "", err
	}
	provider, err := s.verifyWebToken(tx, parsed, tok)
	if err != nil {
		return port.RoleInfo{}, "", err
	}
	audience := acceptedAudience(tok, provider.ClientIDs)
	if audience == "" {
		return port.RoleInfo{}, "", errAudience
	}
	role, err := s.roles.AuthorizeAssumeRole(tx, *in.RoleArn, port.TrustRequest{
		Action:    "sts:AssumeRoleWithWebIdentity",
		Principal: port.Principal{Type: port.PrincipalFederated, ID: provider.ARN},
		Keys:      webIdentityContext(provider, tok, audience, *in.RoleSessionName),
	})
	var refused *port.NotTrustedError
	if errors.Is(err, port.ErrNoSuchRole) || errors.As(err, &refused) {
		return role, "", errWebNotAllowed
	}
	return role, audience, err
}

// verifyWebToken finds the provider of the token's issuer in the role's account and
// checks the token's signature and times.
func (s *Service) verifyWebToken(tx kit.Tx, roleARN arn.ARN, tok *auth.WebToken) (port.OIDCProvider, error) {
	provider, ok, err := s.roles.OIDCProviderFor(tx, roleARN.Account, roleARN.Partition, tok.Claims.Issuer)
	if err != nil {
		return provider, err
	}
	if !ok {
		return provider, msgNoProvider.New(tok.Claims.Issuer)
	}
	switch err := s.creds.VerifyWebToken(tok); {
	case errors.Is(err, auth.ErrNoVerificationKey):
		return provider, errNoKey
	case err != nil:
		return provider, errBadSig
	}
	// Issuers sign with the wall clock, so tokens are held to it, whatever the engine
	// clock says (as request signatures are).
	var timeErr *auth.TokenTimeError
	if err := tok.CheckTimes(time.Now()); errors.As(err, &timeErr) {
		if errors.Is(err, auth.ErrTokenExpired) {
			return provider, msgTokenExpired.New(timeErr.Now.Unix(), timeErr.At.Unix())
		}
		return provider, msgTokenNotYet.New(timeErr.Now.Unix(), timeErr.At.Unix())
	}
	return provider, nil
}

// acceptedAudience is the token's audience that the provider lists among its client
// ids: an "aud" value, or else "azp" (the client a token with several audiences was
// issued to). "" when none is.
func acceptedAudience(tok *auth.WebToken, clientIDs []string) string {
	for _, aud := range tok.Claims.Audience {
		if slices.Contains(clientIDs, aud) {
			return aud
		}
	}
	if tok.Claims.AZP != "" && slices.Contains(clientIDs, tok.Claims.AZP) {
		return tok.Claims.AZP
	}
	return ""
}

// webIdentityContext is the condition keys of a web identity: PROVIDER:aud (the accepted
// audience), PROVIDER:sub, PROVIDER:azp and PROVIDER:amr when the token has them, where
// PROVIDER is the provider's URL without https://, as trust policies write them
// ("token.actions.githubusercontent.com:sub").
func webIdentityContext(provider port.OIDCProvider, tok *auth.WebToken, audience, sessionName string) port.ConditionKeys {
	ctx := port.ConditionKeys{}
	ctx.Set(provider.Name+":aud", audience)
	for _, claim := range []string{"sub", "azp", "amr", "email"} {
		if v, ok := tok.Claim(claim); ok {
			ctx.Set(provider.Name+":"+claim, v...)
		}
	}
	ctx.Set("sts:RoleSessionName", sessionName)
	return ctx
}
