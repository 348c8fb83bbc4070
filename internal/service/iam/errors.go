package iam

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/iamapi"
)

// The catalogue of IAM's errors: every text IAM answers is here, with its error. The
// texts are AWS's, as IAM answers them.

// accessDenied is what IAM answers when an account touches what it does not own, here
// the policies AWS manages. The IAM model declares no such error; every AWS API has it.
var accessDenied = awserr.Kind{Code: "AccessDenied", Status: 403, Sender: true, MessageField: "message"}

// Entities that are not there, already there, or still in use.
var (
	msgAccessDenied          = awserr.Message{Kind: accessDenied, Text: "User: %s is not authorized to perform: iam:%s on resource: policy %s"}
	msgBoundaryNotAttachable = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "Scope ARN: %s does not exist or is not attachable."}
	msgDeleteDefaultVersion  = awserr.Message{Kind: iamapi.ErrDeleteConflict, Text: "Cannot delete the default version of a policy."}
	msgDuplicateTagKeys      = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "Duplicate tag keys found. Please note that Tag keys are case insensitive."}
	msgInProfile             = awserr.Message{Kind: iamapi.ErrDeleteConflict, Text: "Cannot delete entity, must remove roles from instance profile first."}
	msgInlineTooLarge        = awserr.Message{Kind: iamapi.ErrLimitExceeded, Text: "Maximum policy size of %d bytes exceeded for role %s"}
	msgInvalidARN            = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "ARN %s is not valid."}
	msgInvalidMarker         = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "Invalid Marker %s."}
	msgInvalidPath           = awserr.Message{Kind: awserr.ValidationError, Text: "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."}
	msgInvalidPathPrefix     = awserr.Message{Kind: awserr.ValidationError, Text: "The specified value for pathPrefix is invalid. It must begin with / and contain only alphanumeric characters and/or / characters."}
	msgNoSuchPolicy          = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "Policy %s was not found."}
	msgNoSuchProfile         = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "Instance Profile %s cannot be found."}
	msgNoSuchProvider        = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "OpenIDConnect Provider not found for arn %s"}
	msgNoSuchRole            = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "The role with name %s cannot be found."}
	msgNoSuchRolePolicy      = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "The role policy with name %s cannot be found."}
	msgNoSuchVersion         = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "Policy %s version %s does not exist or is not attachable."}
	msgNotAttachable         = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "Policy %s does not exist or is not attachable."}
	msgOIDCURLInvalid        = awserr.Message{Kind: awserr.ValidationError, Text: "Invalid Open ID Connect Provider URL"}
	msgOIDCURLMalformed      = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "Invalid Open ID Connect Provider URL."}
	msgOIDCURLNotHTTPS       = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "Invalid Open ID Connect Provider URL. The URL must begin with https://."}
	msgPolicyAttached        = awserr.Message{Kind: iamapi.ErrDeleteConflict, Text: "Cannot delete a policy attached to entities."}
	msgPolicyExists          = awserr.Message{Kind: iamapi.ErrEntityAlreadyExists, Text: "A policy called %s already exists. Duplicate names are not allowed."}
	msgPolicyHasVersions     = awserr.Message{Kind: iamapi.ErrDeleteConflict, Text: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."}
	msgProfileExists         = awserr.Message{Kind: iamapi.ErrEntityAlreadyExists, Text: "Instance Profile %s already exists."}
	msgProviderExists        = awserr.Message{Kind: iamapi.ErrEntityAlreadyExists, Text: "Provider with url https://%s already exists."}
	msgSAMLMetadata          = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "Could not parse metadata"}
	msgSAMLExists            = awserr.Message{Kind: iamapi.ErrEntityAlreadyExists, Text: "SAMLProvider %s already exists"} // (xregion)
	msgNoSuchSAML            = awserr.Message{Kind: iamapi.ErrNoSuchEntity, Text: "Manifest not found for arn %s"}
	msgSAMLNothingToUpdate   = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "At least one of SAMLMetadataDocument, AssertionEncryptionMode, AddPrivateKey or RemovePrivateKey is required."} // (xregion)
	msgSAMLKeyMalformed      = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "The private key is not a PEM-encoded RSA private key of at least 2048 bits."}                                   // (xregion)
	msgSAMLTooManyKeys       = awserr.Message{Kind: iamapi.ErrLimitExceeded, Text: "A SAML provider can have at most %d private keys. Remove a key before you add another."}                       // (xregion)
	msgSAMLNoSuchKey         = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "The SAML provider has no private key with id %s."}                                                              // (xregion)
	msgSAMLRequiredNoKey     = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "AssertionEncryptionMode Required needs a private key: add one with AddPrivateKey."}                             // (xregion)
	msgRoleExists            = awserr.Message{Kind: iamapi.ErrEntityAlreadyExists, Text: "Role with name %s already exists."}
	msgRoleHasAttached       = awserr.Message{Kind: iamapi.ErrDeleteConflict, Text: "Cannot delete entity, must detach all policies first."}
	msgRoleHasInline         = awserr.Message{Kind: iamapi.ErrDeleteConflict, Text: "Cannot delete entity, must delete policies first."}
	msgTooManyThumbprints    = awserr.Message{Kind: iamapi.ErrInvalidInput, Text: "Thumbprint list must contain fewer than %d entries."}
	msgTooManyVersions       = awserr.Message{Kind: iamapi.ErrLimitExceeded, Text: "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version."}
)

// msgQuota is IAM's answer to a request past one of its quotas, which it names.
var msgQuota = awserr.Message{Kind: iamapi.ErrLimitExceeded, Text: "Cannot exceed quota for %s: %d"}

// The names of IAM's quotas in msgQuota.
const (
	quotaACLSizePerRole                     = "ACLSizePerRole"
	quotaClientIdsPerOpenIdConnectProvider  = "ClientIdsPerOpenIdConnectProvider"
	quotaInstanceProfilesPerAccount         = "InstanceProfilesPerAccount"
	quotaInstanceSessionsPerInstanceProfile = "InstanceSessionsPerInstanceProfile"
	quotaOpenIdConnectProvidersPerAccount   = "OpenIdConnectProvidersPerAccount"
	quotaSAMLProvidersPerAccount            = "SAMLProvidersPerAccount"
	quotaPoliciesPerAccount                 = "PoliciesPerAccount"
	quotaPoliciesPerRole                    = "PoliciesPerRole"
	quotaPolicySize                         = "PolicySize"
	quotaRolesPerAccount                    = "RolesPerAccount"
	quotaTagsPer                            = "TagsPer" // + the entity: TagsPerRole, TagsPerPolicy, ...
)

// Policy documents that IAM refuses.
var (
	msgSyntax                 = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Syntax errors in policy."}
	msgLegacy                 = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "The policy failed legacy parsing"}
	msgNoStatement            = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Could not parse the policy: Statement is empty!"}
	msgNoActions              = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Policy statement must contain actions."}
	msgNoResources            = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Policy statement must contain resources."}
	msgDuplicateSid           = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Statement IDs (SID) in a single policy must be unique."}
	msgNoVendor               = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."}
	msgTwoColons              = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Actions/Condition can contain only one colon."}
	msgPrincipalInPermissions = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Policy document should not specify a principal."}
	msgInvalidJSON            = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "This policy contains invalid Json"}
	msgProhibitedResource     = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Has prohibited field Resource"}
	msgTrustResources         = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "AssumeRole policy must not contain resources."}
	msgNoPrincipal            = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Missing required field Principal"}
	msgAllowNotPrincipal      = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Allow with NotPrincipal is not allowed."}
	msgTrustActions           = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "AssumeRole policy may only specify STS AssumeRole actions."}
	msgEmptyPrincipal         = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Missing required field Principal cannot be empty!"}
	msgBadVendor              = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: "Vendor %s is not valid"}
	msgResourceNotARN         = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: `Resource %s must be in ARN format or "*".`}
	msgInvalidPrincipal       = awserr.Message{Kind: iamapi.ErrMalformedPolicyDocument, Text: `Invalid principal in policy: "%s"`}
)
