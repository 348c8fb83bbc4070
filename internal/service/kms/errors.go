package kms

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/port"
)

// kmsError is one failure seen two ways: as the Keyring sentinel other services test
// with errors.Is, and as the AWS error the API answers (errors.As finds it).
type kmsError struct {
	sentinel error
	aws      *awserr.Error
}

func (e *kmsError) Error() string   { return e.aws.Error() }
func (e *kmsError) Unwrap() []error { return []error{e.sentinel, e.aws} }

func wrap(sentinel error, aws *awserr.Error) error { return &kmsError{sentinel: sentinel, aws: aws} }

// Errors that KMS returns but its model does not declare. AWS answers requests that a key
// policy refuses with AccessDeniedException, and alias names under the reserved alias/aws/
// prefix with NotAuthorizedException.
var (
	errAccessDenied  = awserr.Kind{Code: "AccessDeniedException", Status: 400, Sender: true, MessageField: "message"}
	errNotAuthorized = awserr.Kind{Code: "NotAuthorizedException", Status: 400, Sender: true, MessageField: "message"}
	errValidation    = awserr.Kind{Code: "ValidationException", Status: 400, Sender: true, MessageField: "message"}
)

func notFound(format string, args ...any) error {
	return wrap(port.ErrKeyNotFound, kmsapi.ErrNotFound.New(format, args...))
}

func keyNotFound(arn string) error { return notFound("Key '%s' does not exist", arn) }

func invalidCiphertext() error {
	return wrap(port.ErrInvalidCiphertext, kmsapi.ErrInvalidCiphertext.New(""))
}

func incorrectKey() error {
	return wrap(port.ErrIncorrectKey, kmsapi.ErrIncorrectKey.New("The key ID in the request does not identify a CMK that can perform this operation."))
}

func invalidUsage(arn, usage, op string) error {
	return wrap(port.ErrInvalidKeyUsage, kmsapi.ErrInvalidKeyUsage.New("%s key usage is %s which is not valid for %s.", arn, usage, op))
}

func incompatibleAlgorithm(algorithm, spec string) error {
	return wrap(port.ErrInvalidKeyUsage, kmsapi.ErrInvalidKeyUsage.New("Algorithm %s is incompatible with key spec %s.", algorithm, spec))
}

func validation(format string, args ...any) error { return errValidation.New(format, args...) }

func unsupported(format string, args ...any) error {
	return kmsapi.ErrUnsupportedOperation.New(format, args...)
}
