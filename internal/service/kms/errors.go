package kms

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import (
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/port"
)

// Errors that KMS returns but its model does not declare. AWS answers requests that a key
// policy refuses with AccessDeniedException, and alias names under the reserved alias/aws/
// prefix with NotAuthorizedException.
var (
	errAccessDenied  = awserr.Kind{Code: "AccessDeniedException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
	errNotAuthorized = awserr.Kind{Code: "NotAuthorizedException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
	errValidation    = awserr.Kind{Code: "ValidationException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
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
