package port

import (
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/service/kit"
)

// Credentials is the server's store of access keys, as STS meets it: the temporary
// credentials it hands out live there, in the same transaction as the rest of the call,
// and the mode of authentication decides how much STS checks. The server's credential
// resolver provides it (internal/auth/authport).
type Credentials interface {
	// Strict reports whether every request's signature is verified (and trust policies
	// and web identity tokens with it).
	Strict() bool
	// DefaultAccount is the account of keys that name none, in permissive mode.
	DefaultAccount() string
	// Lookup finds a key, static or temporary; ok is false for an unknown one.
	Lookup(tx kit.Tx, accessKeyID string) (id auth.Identity, ok bool, err error)
	// PutTemporary stores session credentials STS issued.
	PutTemporary(tx kit.Tx, id auth.Identity) error
	// ForgetTemporary removes session credentials; an unknown key is not an error.
	ForgetTemporary(tx kit.Tx, accessKeyID string) error
	// VerifyWebToken checks a web identity token's signature with the keys configured
	// for its issuer (auth.ErrNoVerificationKey when there are none).
	VerifyWebToken(t *auth.WebToken) error
}
