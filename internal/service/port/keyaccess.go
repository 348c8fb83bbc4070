package port

import (
	"errors"

	"github.com/xregion/xregion/internal/service/kit"
)

// KeyAccess is how services that use KMS keys stand towards the keys' owners as AWS's
// do; KMS provides it, and the services Want it (without KMS's evaluation they work
// unchecked, as in permissive mode).
//
// A service that uses a key on its caller's behalf (Secrets Manager decrypting a value
// for GetSecretValue) asks AuthorizeVia first; a service that keeps using a key for a
// resource long after the request that made it (RDS for an encrypted DB instance, EBS for
// a volume) holds a grant, as AWS's do, and retires it when the resource goes.
type KeyAccess interface {
	// AuthorizeVia checks, in strict mode, that a request's caller may use the key
	// through the service: KMS evaluates kms:<Action> on the key with kms:ViaService
	// (SERVICE.REGION.amazonaws.com) and kms:CallerAccount against the key policy, the
	// caller's IAM policies and its grants, as for a call of its own. A refusal is
	// ErrKeyAccessDenied; a key that cannot be found is ErrKeyNotFound. Permissive mode
	// allows.
	AuthorizeVia(tx kit.Tx, use KeyUse) error
	// CreateServiceGrant gives the service's principal (SERVICE.REGION.amazonaws.com,
	// also the retiring principal) a grant on a key for one resource, named after it.
	// Creating the same grant again returns the first one's id.
	CreateServiceGrant(tx kit.Tx, g ServiceGrant) (grantID string, err error)
	// RetireServiceGrants retires the grants of a key that the service made for the
	// resource name names; a key or grant that is gone already is not an error.
	RetireServiceGrants(tx kit.Tx, account, region, keyID, service, name string) error
}

// KeyUse is a service's use of a key on behalf of its caller.
type KeyUse struct {
	Account, Region string
	KeyID           string // key id, key ARN, alias name or alias ARN
	Action          string // the KMS operation: Decrypt, Encrypt, GenerateDataKey
	Service         string // the service's endpoint prefix: secretsmanager
	Caller          kit.Caller
	Context         map[string]string // the encryption context of the use
}

// ServiceGrant is a grant a service makes for one of its resources.
type ServiceGrant struct {
	Account, Region string
	KeyID           string
	Service         string   // the service's endpoint prefix: rds, ec2
	Name            string   // the resource the grant is for: db-ABC…, vol-0…
	Operations      []string // KMS's grant operations
	// Context is the grant's EncryptionContextSubset constraint: the resource's own
	// encryption context (aws:rds:db-id, aws:ebs:id), if the service binds one.
	Context map[string]string
}

// ErrKeyAccessDenied is KeyAccess's refusal: the caller may not use the key through the
// service. Services answer it with their own error (Secrets Manager's
// AccessDeniedException "Access to KMS is not allowed").
var ErrKeyAccessDenied = errors.New("kms: the caller may not use the key through the service")
