package sts

import (
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// AssumeRoleWithSAML trades an identity provider's signed SAML response for a role's
// credentials. The call is unsigned: the response is the only proof of who calls.
//
// The response is checked in this order, in both modes: PrincipalArn names an IAM SAML
// provider (InvalidIdentityToken); an EncryptedAssertion decrypts with one of the
// provider's private keys, and a plain one is refused when the provider's
// AssertionEncryptionMode is Required (InvalidIdentityToken: the token cannot be
// validated, which is how AWS's documentation describes that error); the Response or its
// (decrypted) Assertion carries an XML signature
// made with a key of the provider's metadata (InvalidIdentityToken); the assertion is
// meant for AWS, its Audience being AWS's sign-in endpoint (InvalidIdentityToken); it is
// within its validity window on the engine's clock (ExpiredToken, IDPRejectedClaim for
// one not valid yet); its Role attribute pairs RoleArn with PrincipalArn (AccessDenied);
// it names the session (RoleSessionName attribute, InvalidIdentityToken). Strict mode
// then asks the role's trust policy, with the provider as Federated principal and the
// saml:aud, saml:iss, saml:sub, saml:sub_type and saml:namequalifier keys (AccessDenied);
// permissive mode lets a role that was never created here be assumed. A provider and a
// signature are needed in both modes: without them nothing says who the caller is.

const (
	samlRoleAttr     = "https://aws.amazon.com/SAML/Attributes/Role"
	samlSessionAttr  = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	samlDurationAttr = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
)

// samlAudiences are the audiences AWS accepts: its sign-in endpoints' SAML URLs and the
// URN of AWS as a service provider.
var samlAudiences = []string{"https://signin.aws.amazon.com/saml", "urn:amazon:webservices", "https://signin.amazonaws.cn/saml",
	"https://signin.amazonaws-us-gov.com/saml", "urn:amazon:webservices:govcloud", "urn:amazon:webservices:cn-north-1"}

func (s *Service) AssumeRoleWithSAML(ctx context.Context, in *stsapi.AssumeRoleWithSAMLRequest) (*stsapi.AssumeRoleWithSAMLResponse, error) {
	parsed, err := checkRoleARN(*in.RoleArn)
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleWithSAMLResponse{}
	err = s.Update(func(tx kit.Tx) error {
		provider, a, err := s.verifiedAssertion(tx, in)
		if err != nil {
			return err
		}
		name, err := samlSessionName(a, *in.RoleArn, provider.ARN)
		if err != nil {
			return err
		}
		bound, err := samlSessionBound(a, s.Clock.Now())
		if err != nil {
			return err
		}
		keys := samlContext(a, provider, parsed.Account)
		role, err := s.samlRole(tx, in, parsed, provider, keys)
		if err != nil {
			return err
		}
		out.AssumedRoleUser, out.PackedPolicySize, out.Credentials, err = s.startSession(ctx, tx, role, parsed, session{
			roleARN: *in.RoleArn, name: name, duration: in.DurationSeconds, policy: in.Policy, arns: in.PolicyArns, bound: bound,
		})
		out.Subject, out.SubjectType, out.Issuer = nonEmpty(a.Subject), nonEmpty(a.SubjectType), nonEmpty(a.Issuer)
		out.Audience, out.NameQualifier = nonEmpty(a.Recipient), nonEmpty(first(keys, "saml:namequalifier"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// verifiedAssertion finds the provider PrincipalArn names and returns the assertion its
// key signed, once it is meant for AWS and current.
func (s *Service) verifiedAssertion(tx kit.Tx, in *stsapi.AssumeRoleWithSAMLRequest) (port.SAMLProvider, *auth.SAMLAssertion, error) {
	provider, ok, err := s.roles.SAMLProviderByARN(tx, *in.PrincipalArn)
	if err != nil {
		return provider, nil, err
	}
	if !ok {
		return provider, nil, msgNoSAMLProvider.New()
	}
	certs := make([]*x509.Certificate, 0, len(provider.Certificates))
	for _, der := range provider.Certificates {
		if c, err := x509.ParseCertificate(der); err == nil {
			certs = append(certs, c)
		}
	}
	now := s.Clock.Now()
	a, err := auth.VerifySAMLResponse(*in.SAMLAssertion, auth.SAMLKeys{
		Certificates: certs, DecryptionKeys: provider.DecryptionKeys, RequireEncryption: provider.RequireEncryption,
	}, now)
	switch {
	case errors.Is(err, auth.ErrSAMLMalformed):
		return provider, nil, msgSAMLMalformed.New()
	case errors.Is(err, auth.ErrSAMLDecrypt):
		return provider, nil, msgSAMLDecrypt.New()
	case errors.Is(err, auth.ErrSAMLNotEncrypted):
		return provider, nil, msgSAMLNotEncrypted.New()
	case err != nil:
		return provider, nil, msgSAMLSignature.New()
	}
	if !slices.ContainsFunc(a.Audiences, func(aud string) bool { return slices.Contains(samlAudiences, aud) }) {
		return provider, nil, msgSAMLAudience.New()
	}
	if !a.NotOnOrAfter.IsZero() && !now.Before(a.NotOnOrAfter) {
		return provider, nil, msgSAMLExpired.New()
	}
	if !a.NotBefore.IsZero() && now.Before(a.NotBefore) {
		return provider, nil, msgSAMLNotYet.New()
	}
	return provider, a, nil
}

// samlSessionName checks that the assertion's Role attribute offers the role through
// this provider (the pair "ROLE_ARN,PROVIDER_ARN", in either order) and returns the
// session's name.
func samlSessionName(a *auth.SAMLAssertion, roleARN, providerARN string) (string, error) {
	offered := slices.ContainsFunc(a.Attributes[samlRoleAttr], func(v string) bool {
		parts := strings.Split(strings.ReplaceAll(v, " ", ""), ",")
		return len(parts) == 2 && (parts[0] == roleARN && parts[1] == providerARN || parts[1] == roleARN && parts[0] == providerARN)
	})
	if !offered {
		return "", msgSAMLNotAllowed.New()
	}
	names := a.Attributes[samlSessionAttr]
	if len(names) == 0 || len(names[0]) < 2 || len(names[0]) > 64 {
		return "", msgSAMLNoSession.New()
	}
	return names[0], nil
}

// samlRole is the role a verified assertion may assume: in strict mode, as the role's
// trust policy decides.
func (s *Service) samlRole(tx kit.Tx, in *stsapi.AssumeRoleWithSAMLRequest, parsed arn.ARN, provider port.SAMLProvider, keys port.ConditionKeys) (port.RoleInfo, error) {
	if !s.creds.Strict() {
		return s.knownOrPermissive(tx, *in.RoleArn, parsed)
	}
	role, err := s.roles.AuthorizeAssumeRole(tx, *in.RoleArn, port.TrustRequest{
		Action:    "sts:AssumeRoleWithSAML",
		Principal: port.Principal{Type: port.PrincipalFederated, ID: provider.ARN},
		Keys:      keys,
	})
	var refused *port.NotTrustedError
	if errors.Is(err, port.ErrNoSuchRole) || errors.As(err, &refused) {
		return role, msgSAMLNotAllowed.New()
	}
	return role, err
}

// samlContext is the condition keys of a SAML assertion. saml:aud is where the assertion
// is to be delivered (SubjectConfirmationData's Recipient), as AWS defines it; and
// saml:namequalifier is AWS's hash of the issuer, the account and the provider's name.
func samlContext(a *auth.SAMLAssertion, provider port.SAMLProvider, account string) port.ConditionKeys {
	keys := port.ConditionKeys{}
	set := func(k, v string) {
		if v != "" {
			keys.Set(k, v)
		}
	}
	set("saml:aud", a.Recipient)
	set("saml:iss", a.Issuer)
	set("saml:sub", a.Subject)
	set("saml:sub_type", a.SubjectType)
	sum := sha1.Sum([]byte(a.Issuer + account + "/" + provider.Name))
	set("saml:namequalifier", base64.StdEncoding.EncodeToString(sum[:]))
	return keys
}

func first(keys port.ConditionKeys, k string) string {
	v, _ := keys.Values(k)
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// samlSessionBound is how long the identity provider lets the session last, as AWS
// reads it: DurationSeconds (or its default of an hour) is checked against the role's
// MaxSessionDuration as for AssumeRole, and the assertion can only shorten the
// credentials — its SessionDuration attribute, which AWS documents as extending console
// sessions only and shortening API credentials, and its AuthnStatement's
// SessionNotOnOrAfter ("whichever is shorter"). A SessionDuration that is not a number
// of seconds from 900 to 43200 makes the assertion invalid: AWS documents that range,
// and a careful user would rather hear of a broken attribute than have it ignored.
func samlSessionBound(a *auth.SAMLAssertion, now time.Time) (time.Duration, error) {
	var bound time.Duration
	if values := a.Attributes[samlDurationAttr]; len(values) > 0 {
		secs, err := strconv.Atoi(values[0])
		if err != nil || secs < 900 || secs > 43200 {
			return 0, msgSAMLDuration.New(values[0])
		}
		bound = time.Duration(secs) * time.Second
	}
	if end := a.SessionNotOnOrAfter; !end.IsZero() {
		left := end.Sub(now).Truncate(time.Second)
		if left <= 0 {
			return 0, msgSAMLExpired.New()
		}
		if bound == 0 || left < bound {
			bound = left
		}
	}
	return bound, nil
}
