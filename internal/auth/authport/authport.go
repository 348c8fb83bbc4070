// Package authport provides the credential resolver to the services as port.Credentials:
// the resolver works in store transactions, the services in the kit's.
package authport

import (
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Credentials is r as port.Credentials.
func Credentials(r *auth.Resolver) port.Credentials { return credentials{r} }

type credentials struct{ *auth.Resolver }

func (c credentials) Lookup(tx kit.Tx, accessKeyID string) (auth.Identity, bool, error) {
	return c.Resolver.Lookup(kit.Raw(tx), accessKeyID)
}

func (c credentials) PutTemporary(tx kit.Tx, id auth.Identity) error {
	return c.Resolver.PutTemporary(kit.Raw(tx), id)
}

func (c credentials) ForgetTemporary(tx kit.Tx, accessKeyID string) error {
	return c.Resolver.ForgetTemporary(kit.Raw(tx), accessKeyID)
}
