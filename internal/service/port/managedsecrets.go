package port

import "github.com/xregion/xregion/internal/service/kit"

// ManagedSecrets is Secrets Manager as a service uses it for the secrets it owns: RDS
// keeps the master user passwords it manages (ManageMasterUserPassword) in secrets that
// show the service as their OwningService, that users read, replicate and describe like
// any secret, and that Secrets Manager rotates on their schedule. Secrets Manager
// provides it. Methods work inside the caller's transaction.
type ManagedSecrets interface {
	// CreateManaged creates a secret in the account and Region with a first AWSCURRENT
	// version holding value, encrypted under the key KmsKeyID names (its ARN; empty for
	// aws/secretsmanager), rotated every RotationDays days when that is not 0.
	CreateManaged(tx kit.Tx, account, region string, m ManagedSecret) (secretARN string, err error)
	// RotateManaged rotates a managed secret now, as RotateSecret does.
	RotateManaged(tx kit.Tx, account, region, secretARN string) error
	// SetManagedKey re-encrypts a managed secret's current versions under another key.
	SetManagedKey(tx kit.Tx, account, region, secretARN, kmsKeyID string) error
	// DeleteManaged deletes a managed secret without a recovery window, with its
	// replicas in other Regions. A secret that is gone already is not an error.
	DeleteManaged(tx kit.Tx, account, region, secretARN string) error
}

// ManagedSecret is a secret a service asks for.
type ManagedSecret struct {
	Owner        string // the OwningService: "rds"
	Name         string // "rds!db-<uuid>"
	Description  string
	KmsKeyID     string
	Value        string // a JSON document: {"username":"…","password":"…"}
	RotationDays int64
	Tags         map[string]string
}

// ManagedSecretOwner is the service that owns managed secrets, told of the new values
// Secrets Manager makes for them: RDS sets a new master password in the real database
// server behind an instance (--real-engines) when a rotation asked of Secrets Manager
// (RotateSecret, its schedule) promotes one. Users cannot put values into an owned
// secret (Secrets Manager refuses), and the owner's own writes need no telling. RDS
// provides it; Secrets Manager wants it.
type ManagedSecretOwner interface {
	// ManagedValueChanged tells the owner, in the transaction that makes it so, that a
	// secret it owns (OwningService owner) has a new AWSCURRENT value.
	ManagedValueChanged(tx kit.Tx, owner, account, region, secretARN, value string) error
}
