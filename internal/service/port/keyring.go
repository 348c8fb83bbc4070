package port

import (
	"errors"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// KeyRing is how services use KMS keys (Secrets Manager, RDS, AWS Backup); KMS provides
// it. Methods work inside the caller's transaction.
type KeyRing interface {
	// Resolve finds a key by key id, key ARN, alias name or alias ARN, in the account and
	// Region only: an ARN of another Region or account is ErrKeyNotFound, as it is for
	// AWS services, which never use a key across Regions. The AWS managed aliases
	// (alias/aws/secretsmanager, alias/aws/rds, alias/aws/backup) get their key on first
	// use, which needs a writable transaction; in a read-only one a managed key that does
	// not exist yet is ErrKeyNotFound.
	Resolve(tx kit.Tx, account, region, keyID string) (KeyInfo, error)
	// Encrypt encrypts plaintext under an enabled symmetric encryption key, binding
	// encCtx as additional authenticated data. Unlike the Encrypt API it has no 4 KiB
	// limit (Secrets Manager values are 64 KiB).
	Encrypt(tx kit.Tx, account, region, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, KeyInfo, error)
	// Decrypt opens a ciphertext made by Encrypt or GenerateDataKey with the same
	// encryption context, under the key and key version it names, which must be usable.
	// A ciphertext of another Region does not decrypt (ErrKeyNotFound), except under a
	// multi-Region replica of the key that made it; one made before a rotation does.
	Decrypt(tx kit.Tx, account, region string, ciphertext []byte, encCtx map[string]string) ([]byte, KeyInfo, error)
	// GenerateDataKey makes a 256-bit AES data key, returned in plain text and encrypted.
	GenerateDataKey(tx kit.Tx, account, region, keyID string, encCtx map[string]string) (plaintext, ciphertext []byte, key KeyInfo, err error)
}

// KeyInfo describes a key to the services that use it. Enabled means the key can be used
// for cryptography now: Enabled, or a multi-Region key Updating from Enabled.
type KeyInfo struct {
	ID, ARN, State, Spec, Usage      string
	Enabled, AWSManaged, MultiRegion bool
	CreationDate                     time.Time
	DeletionDate                     *time.Time
}

// Failures of a KeyRing, possibly wrapped: test them with errors.Is and answer with the
// caller's own AWS errors. Any other error is an internal failure (a damaged store).
var (
	ErrKeyNotFound        = errors.New("kms: key not found")                               // no such key or alias in the account and Region
	ErrKeyDisabled        = errors.New("kms: key is disabled")                             // the key is Disabled
	ErrKeyPendingDeletion = errors.New("kms: key is pending deletion")                     // PendingDeletion or PendingReplicaDeletion
	ErrKeyInvalidState    = errors.New("kms: key state does not allow the operation")      // another state that refuses (Creating)
	ErrInvalidKeyUsage    = errors.New("kms: key usage does not allow the operation")      // not a symmetric encryption key
	ErrInvalidCiphertext  = errors.New("kms: invalid ciphertext")                          // damaged, not from xregion, or another context
	ErrIncorrectKey       = errors.New("kms: ciphertext was not made under the given key") // for callers that name the key
)

// KeyUnavailable reports whether err says the key cannot be used now (missing, disabled,
// pending deletion or in a state that refuses), as opposed to a misuse or an internal
// failure.
func KeyUnavailable(err error) bool {
	return errors.Is(err, ErrKeyNotFound) || errors.Is(err, ErrKeyDisabled) ||
		errors.Is(err, ErrKeyPendingDeletion) || errors.Is(err, ErrKeyInvalidState)
}
