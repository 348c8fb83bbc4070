package kms

import (
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/port"
)

// The catalogue of KMS's errors: every text KMS answers is here, with its error. The
// texts are AWS's where AWS documents or shows them.

// Errors that KMS returns but its model does not declare. AWS answers requests that a key
// policy refuses with AccessDeniedException, and alias names under the reserved alias/aws/
// prefix with NotAuthorizedException.
var (
	errAccessDenied  = awserr.Kind{Code: "AccessDeniedException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
	errNotAuthorized = awserr.Kind{Code: "NotAuthorizedException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
	errValidation    = awserr.Kind{Code: "ValidationException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
)

// Keys, aliases and policies that are not there.
var (
	msgKeyNotFound   = awserr.Message{Kind: kmsapi.ErrNotFound, Text: "Key '%s' does not exist"}
	msgInvalidARN    = awserr.Message{Kind: kmsapi.ErrNotFound, Text: "Invalid arn %s"}
	msgInvalidKeyID  = awserr.Message{Kind: kmsapi.ErrNotFound, Text: "Invalid keyId '%s'"}
	msgAliasNotFound = awserr.Message{Kind: kmsapi.ErrNotFound, Text: "Alias %s is not found."}
	msgNoSuchPolicy  = awserr.Message{Kind: kmsapi.ErrNotFound, Text: "No such policy exists"}
	msgNoKeyStore    = awserr.Message{Kind: kmsapi.ErrCustomKeyStoreNotFound, Text: "Custom key store %s does not exist."}
)

// Key states.
var (
	msgDisabled           = awserr.Message{Kind: kmsapi.ErrDisabled, Text: "%s is disabled."}
	msgInvalidState       = awserr.Message{Kind: kmsapi.ErrKMSInvalidState, Text: "%s is %s."}
	msgNotPendingDeletion = awserr.Message{Kind: kmsapi.ErrKMSInvalidState, Text: "%s is not pending deletion."}
	msgAccessDenied       = awserr.Message{Kind: errAccessDenied, Text: "User: %s is not authorized to perform: kms:%s on resource: %s because no resource-based policy allows the kms:%s action"}
	msgDeniedByKeyPolicy  = awserr.Message{Kind: errAccessDenied, Text: "User: %s is not authorized to perform: kms:%s on resource: %s with an explicit deny in a resource-based policy"}
	msgDeniedByIAM        = awserr.Message{Kind: errAccessDenied, Text: "User: %s is not authorized to perform: kms:%s on resource: %s with an explicit deny in an identity-based policy"}
	msgNoIdentityPolicy   = awserr.Message{Kind: errAccessDenied, Text: "User: %s is not authorized to perform: kms:%s on resource: %s because no identity-based policy allows the kms:%s action"}
	msgLockout            = awserr.Message{Kind: kmsapi.ErrMalformedPolicyDocument, Text: "The new key policy will not allow you to update the key policy in the future."}
)

// stateWords is how KMS's messages name a state.
func stateWords(state string) string {
	switch state {
	case kmsapi.KeyStatePendingDeletion:
		return "pending deletion"
	case kmsapi.KeyStatePendingReplicaDeletion:
		return "pending replica deletion"
	case kmsapi.KeyStateCreating:
		return "pending creation"
	case kmsapi.KeyStateUpdating:
		return "updating"
	case kmsapi.KeyStatePendingImport:
		return "pending import"
	}
	return strings.ToLower(state)
}

// Usage, algorithms and cryptography.
var (
	msgInvalidUsage          = awserr.Message{Kind: kmsapi.ErrInvalidKeyUsage, Text: "%s key usage is %s which is not valid for %s."}
	msgIncompatibleAlgorithm = awserr.Message{Kind: kmsapi.ErrInvalidKeyUsage, Text: "Algorithm %s is incompatible with key spec %s."}
	msgInvalidCiphertext     = awserr.Message{Kind: kmsapi.ErrInvalidCiphertext, Text: ""}
	msgIncorrectKey          = awserr.Message{Kind: kmsapi.ErrIncorrectKey, Text: "The key ID in the request does not identify a CMK that can perform this operation."}
	msgInvalidSignature      = awserr.Message{Kind: kmsapi.ErrKMSInvalidSignature, Text: ""}
	msgInvalidMac            = awserr.Message{Kind: kmsapi.ErrKMSInvalidMac, Text: ""}
	msgDryRun                = awserr.Message{Kind: kmsapi.ErrDryRunOperation, Text: "The request would have succeeded, but the DryRun flag is set."}
	msgRecipient             = awserr.Message{Kind: errValidation, Text: "The attestation document in the Recipient parameter is not valid. xregion does not support Nitro Enclaves attestation."}
	msgContextAsymmetric     = awserr.Message{Kind: errValidation, Text: "EncryptionContext is not supported with asymmetric KMS keys."}
	msgRSATooLarge           = awserr.Message{Kind: errValidation, Text: "Algorithm %s and key spec RSA_%d cannot encrypt data larger than %d bytes."}
	msgDigestLength          = awserr.Message{Kind: errValidation, Text: "Digest is invalid length for algorithm %s."}
	msgSpecNotValidFor       = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "%s key spec is %s which is not valid for %s."}
	msgBadPublicKey          = awserr.Message{Kind: errValidation, Text: "PublicKey is not a valid DER-encoded X.509 public key."}
	msgNotECPublicKey        = awserr.Message{Kind: errValidation, Text: "PublicKey is not an elliptic curve public key."}
	msgCurveMismatch         = awserr.Message{Kind: errValidation, Text: "The public key curve does not match the key spec %s of %s."}
	msgECDHInvalid           = awserr.Message{Kind: errValidation, Text: "The public key is not valid for ECDH with %s."}
	msgSM2KeyPair            = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "KeyPairSpec SM2 is supported only in China Regions."}
	msgKeyPairSpec           = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "KeyPairSpec %s is not supported by xregion."}
	msgExternalMu            = awserr.Message{Kind: errValidation, Text: "MessageType EXTERNAL_MU is valid only with the ML_DSA_SHAKE_256 signing algorithm."}
	msgIgnoreCiphertext      = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "xregion does not support DryRunModifiers IGNORE_CIPHERTEXT; send the CiphertextBlob with DryRun instead."}
	msgNeedCiphertext        = awserr.Message{Kind: errValidation, Text: "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"}
	msgBytesAndSpec          = awserr.Message{Kind: errValidation, Text: "Please specify either number of bytes or key spec, not both."}
	msgBytesOrSpec           = awserr.Message{Kind: errValidation, Text: "Please specify either number of bytes or key spec."}
	msgNeedBytes             = awserr.Message{Kind: errValidation, Text: "NumberOfBytes is required."}
)

// CreateKey and its policies.
var (
	msgOrigin          = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "Origin %s is not supported. Only AWS_KMS and EXTERNAL keys can be created."}
	msgXksKeyID        = awserr.Message{Kind: errValidation, Text: "XksKeyId is only valid with Origin EXTERNAL_KEY_STORE."}
	msgBothSpecs       = awserr.Message{Kind: errValidation, Text: "You cannot specify both CustomerMasterKeySpec and KeySpec in the same request. CustomerMasterKeySpec is deprecated. Use KeySpec."}
	msgSM2Key          = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "KeySpec SM2 is supported only in China Regions."}
	msgKeySpec         = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "KeySpec %s is not supported by xregion."}
	msgNeedUsage       = awserr.Message{Kind: errValidation, Text: "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."}
	msgUsageMismatch   = awserr.Message{Kind: errValidation, Text: "KeyUsage %s is not compatible with KeySpec %s"}
	msgPolicyNotJSON   = awserr.Message{Kind: kmsapi.ErrMalformedPolicyDocument, Text: "The key policy is not a valid JSON document: %s"}
	msgPolicyStatement = awserr.Message{Kind: kmsapi.ErrMalformedPolicyDocument, Text: "Policy has no Statement."}
)

// Aliases.
var (
	msgAliasPrefix    = awserr.Message{Kind: errValidation, Text: `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`}
	msgAliasReserved  = awserr.Message{Kind: errNotAuthorized, Text: ""}
	msgAliasEmpty     = awserr.Message{Kind: kmsapi.ErrInvalidAliasName, Text: "Alias name %s is not valid: it has no name after the alias/ prefix."}
	msgAliasChars     = awserr.Message{Kind: errValidation, Text: "%s contains invalid characters for an alias"}
	msgAliasOfAlias   = awserr.Message{Kind: errValidation, Text: "Aliases must refer to keys. Not aliases"}
	msgAliasExists    = awserr.Message{Kind: kmsapi.ErrAlreadyExists, Text: "An alias with the name %s already exists"}
	msgAliasRetarget  = awserr.Message{Kind: errValidation, Text: "Alias %s cannot be changed from a %s key with key usage %s to a %s key with key usage %s. The new target key must be the same type and have the same key usage as the current target key."}
	msgAliasNotHere   = awserr.Message{Kind: kmsapi.ErrInvalidArn, Text: "Key Aliases are not supported for this operation."}
	msgInvalidMarker  = awserr.Message{Kind: kmsapi.ErrInvalidMarker, Text: "The request was rejected because the marker that specifies where pagination should next begin is not valid."}
	msgPendingWindow  = awserr.Message{Kind: errValidation, Text: "PendingWindowInDays should be between %d and %d, but it is %d"}
	msgDuplicateTags  = awserr.Message{Kind: kmsapi.ErrTag, Text: "Duplicate tag keys"}
	msgTooManyTags    = awserr.Message{Kind: kmsapi.ErrTag, Text: "Too many tags"}
	msgReservedTag    = awserr.Message{Kind: kmsapi.ErrTag, Text: "Tags beginning with aws: are reserved"}
	msgTagLimit       = awserr.Message{Kind: kmsapi.ErrLimitExceeded, Text: "The request was rejected because a limit was exceeded. A KMS key can have at most %d tags."}
	msgRotationBusy   = awserr.Message{Kind: kmsapi.ErrConflict, Text: "%s already has an on-demand rotation in progress."}
	msgRotationLimit  = awserr.Message{Kind: kmsapi.ErrLimitExceeded, Text: "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s"}
	msgRotateReplica  = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "%s is a multi-Region replica key. %s is valid only on its primary key %s."}
	msgRegionInvalid  = awserr.Message{Kind: errValidation, Text: "%s is not a valid AWS Region."}
	msgCrossPartition = awserr.Message{Kind: errValidation, Text: "Multi-Region keys cannot be replicated across partitions: %s and %s are in different partitions."}
)

// Grants. InvalidArnException names a principal that is not one: AWS's text.
var (
	msgBadPrincipal       = awserr.Message{Kind: kmsapi.ErrInvalidArn, Text: "ARN does not refer to a valid principal: %s"}
	msgNoGrantOperations  = awserr.Message{Kind: errValidation, Text: "1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1"}
	msgGrantOperation     = awserr.Message{Kind: errValidation, Text: "Grant operation %s is not valid for %s, whose key spec is %s and key usage %s."}
	msgGrantConstraintKey = awserr.Message{Kind: errValidation, Text: "Grant constraints are not valid for %s: encryption context constraints apply only to symmetric encryption keys, and its key spec is %s."}
	msgGrantLimit         = awserr.Message{Kind: kmsapi.ErrLimitExceeded, Text: "The request was rejected because a limit was exceeded. %s can have at most %d grants."}
	msgInvalidGrantToken  = awserr.Message{Kind: kmsapi.ErrInvalidGrantToken, Text: "Grant token is invalid"}
	msgNoSuchGrant        = awserr.Message{Kind: kmsapi.ErrInvalidGrantId, Text: "Grant ID %s is not valid"}
	msgRetireWhich        = awserr.Message{Kind: errValidation, Text: "Grant token OR (grant ID, key ID) must be specified"}
)

// Imported key material.
var (
	msgNotExternal         = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "%s origin is %s which is not valid for %s."}
	msgSM2Wrapping         = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "The SM2 wrapping key spec and SM2PKE wrapping algorithm are supported only in China Regions."}
	msgExternalSpec        = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "xregion does not import key material for KeySpec %s."}
	msgExternalMultiRegion = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "xregion does not make multi-Region keys with imported key material."}
	msgInvalidImportToken  = awserr.Message{Kind: kmsapi.ErrInvalidImportToken, Text: "The import token is not valid for %s."}
	msgExpiredImportToken  = awserr.Message{Kind: kmsapi.ErrExpiredImportToken, Text: "The import token has expired. Call GetParametersForImport for a new public key and import token."}
	msgImportCiphertext    = awserr.Message{Kind: kmsapi.ErrInvalidCiphertext, Text: "KMS could not decrypt the encrypted (wrapped) key material with the wrapping key and algorithm of the import token."}
	msgIncorrectMaterial   = awserr.Message{Kind: kmsapi.ErrIncorrectKeyMaterial, Text: "The key material in the request is invalid or is not the key material previously imported into %s."}
	msgNoSuchMaterial      = awserr.Message{Kind: kmsapi.ErrNotFound, Text: "Key material %s is not associated with %s."}
	msgValidToNeeded       = awserr.Message{Kind: errValidation, Text: "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"}
	msgValidToNotExpiring  = awserr.Message{Kind: errValidation, Text: "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE"}
	msgValidToRange        = awserr.Message{Kind: errValidation, Text: "The validTo date must be in the future and no more than 365 days from now."}
)

// Multi-Region keys.
var (
	msgNotMultiRegion     = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "Unable to replicate a non-MultiRegion key %s"}
	msgReplicateReplica   = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "%s is a multi-Region replica key. Replicate its primary key %s instead."}
	msgReplicaExists      = awserr.Message{Kind: kmsapi.ErrAlreadyExists, Text: "Unable to replicate key %s to region %s, as the key already exist there"}
	msgNotMultiRegionKey  = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "%s is not a multi-Region key."}
	msgNotPrimary         = awserr.Message{Kind: kmsapi.ErrUnsupportedOperation, Text: "%s is not a multi-Region primary key. Call UpdatePrimaryRegion in the Region of the primary key, %s."}
	msgAlreadyPrimaryHere = awserr.Message{Kind: errValidation, Text: "%s is already the primary key in %s."}
)

// kmsError is one failure seen two ways: as the port.KeyRing sentinel other services test
// with errors.Is, and as the AWS error the API answers (errors.As finds it).
type kmsError struct {
	sentinel error
	aws      *awserr.Error
}

func (e *kmsError) Error() string   { return e.aws.Error() }
func (e *kmsError) Unwrap() []error { return []error{e.sentinel, e.aws} }

func wrap(sentinel error, aws *awserr.Error) error { return &kmsError{sentinel: sentinel, aws: aws} }

// notFound is a key or alias that is not there, as the API and the key ring report it.
func notFound(m awserr.Message, args ...any) error { return wrap(port.ErrKeyNotFound, m.New(args...)) }

func keyNotFound(arn string) error { return notFound(msgKeyNotFound, arn) }

func invalidCiphertext() error { return wrap(port.ErrInvalidCiphertext, msgInvalidCiphertext.New()) }

func incorrectKey() error { return wrap(port.ErrIncorrectKey, msgIncorrectKey.New()) }

func invalidUsage(arn, usage, op string) error {
	return wrap(port.ErrInvalidKeyUsage, msgInvalidUsage.New(arn, usage, op))
}

func incompatibleAlgorithm(algorithm, spec string) error {
	return wrap(port.ErrInvalidKeyUsage, msgIncompatibleAlgorithm.New(algorithm, spec))
}

// stateError is the answer of an operation a key's state refuses, as AWS gives it:
// DisabledException for a disabled key, KMSInvalidStateException for the others.
func stateError(k *keyRecord) error {
	if k.State == kmsapi.KeyStateDisabled {
		return wrap(port.ErrKeyDisabled, msgDisabled.New(k.ARN()))
	}
	return wrap(stateSentinel(k.State), msgInvalidState.New(k.ARN(), stateWords(k.State)))
}

func stateSentinel(state string) error {
	switch state {
	case kmsapi.KeyStatePendingDeletion, kmsapi.KeyStatePendingReplicaDeletion:
		return port.ErrKeyPendingDeletion
	case kmsapi.KeyStateDisabled:
		return port.ErrKeyDisabled
	}
	return port.ErrKeyInvalidState
}
