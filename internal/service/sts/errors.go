package sts

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/stsapi"
)

// The catalogue of STS's errors: every text STS answers is here, with its error. Where
// AWS's text is known it is AWS's; the texts for a bad token signature and for a token
// not valid yet are xregion's choice, written in AWS's manner.

// accessDenied is STS's refusal; its model does not declare it.
var accessDenied = awserr.Kind{Code: "AccessDenied", Status: 403, Sender: true}

// Requests for credentials.
var (
	msgInvalidRoleARN         = awserr.Message{Kind: awserr.ValidationError, Text: "%s is invalid"}
	msgOverMaxSession         = awserr.Message{Kind: awserr.ValidationError, Text: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}
	msgOverChainedSession     = awserr.Message{Kind: awserr.ValidationError, Text: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."}
	msgPolicyNotJSON          = awserr.Message{Kind: stsapi.ErrMalformedPolicyDocument, Text: "The policy is not in the valid JSON format."}
	msgPackedTooLarge         = awserr.Message{Kind: stsapi.ErrPackedPolicyTooLarge, Text: "Packed size of the policy and tags exceeds %d%% of the allowed size."}
	msgNotAuthorized          = awserr.Message{Kind: accessDenied, Text: "User: %s is not authorized to perform: %s on resource: %s"}
	msgNotAuthorizedNoPolicy  = awserr.Message{Kind: accessDenied, Text: "User: %s is not authorized to perform: %s because no identity-based policy allows the %s action"}
	msgDeniedByPolicy         = awserr.Message{Kind: accessDenied, Text: "User: %s is not authorized to perform: %s with an explicit deny in an identity-based policy"}
	msgSessionTokenSession    = awserr.Message{Kind: accessDenied, Text: "Cannot call GetSessionToken with session credentials"}
	msgFederationTokenSession = awserr.Message{Kind: accessDenied, Text: "Cannot call GetFederationToken with session credentials"}
)

// Web identity tokens.
var (
	msgNotAJWT       = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"}
	msgNoKey         = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"}
	msgBadSignature  = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."}
	msgAudience      = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "Incorrect token audience"}
	msgWebNotAllowed = awserr.Message{Kind: accessDenied, Text: "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
	msgNoProvider    = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "No OpenIDConnect provider found in your account for %s"}
	// AWS's text, missing space included.
	msgTokenExpired = awserr.Message{Kind: stsapi.ErrExpiredToken, Text: "Token expired: current date/time %d must be before the expiration date/time%d"}
	msgTokenNotYet  = awserr.Message{Kind: stsapi.ErrIDPRejectedClaim, Text: "Token is not valid yet: current date/time %d must be at or after the not-before date/time %d"}
)

// SAML assertions. AWS documents the error codes, not every text: those marked
// (xregion) follow AWS's manner.
var (
	msgNoSAMLProvider   = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "Specified provider doesn't exist."}                                                                    // (xregion)
	msgSAMLMalformed    = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "Invalid SAML response: it is not a base64-encoded SAML 2.0 Response or Assertion."}                    // (xregion)
	msgSAMLSignature    = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "Response signature invalid"}                                                                           // (xregion)
	msgSAMLDecrypt      = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "Unable to decrypt the encrypted SAML assertion with the private keys of the SAML provider."}           // (xregion)
	msgSAMLNotEncrypted = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "The SAML provider requires encrypted assertions, and the SAML response's assertion is not encrypted."} // (xregion)
	msgSAMLAudience     = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "Audience of the SAML assertion is not AWS (https://signin.aws.amazon.com/saml)."}                      // (xregion)
	msgSAMLExpired      = awserr.Message{Kind: stsapi.ErrExpiredToken, Text: "Token has expired"}                                                                                            // (xregion)
	msgSAMLNotYet       = awserr.Message{Kind: stsapi.ErrIDPRejectedClaim, Text: "Assertion is not yet valid"}                                                                               // (xregion)
	msgSAMLNotAllowed   = awserr.Message{Kind: accessDenied, Text: "Not authorized to perform sts:AssumeRoleWithSAML"}
	msgSAMLNoSession    = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "RoleSessionName is required in AuthnResponse"}                                          // (xregion)
	msgSAMLDuration     = awserr.Message{Kind: stsapi.ErrInvalidIdentityToken, Text: "SessionDuration %q in the SAML assertion is not a number of seconds from 900 to 43200"} // (xregion)
)

// Authorization messages. The text is (xregion): AWS documents the code only.
var msgBadAuthorizationMessage = awserr.Message{Kind: stsapi.ErrInvalidAuthorizationMessage, Text: "The encoded authorization message is invalid or was not issued to this account."}
