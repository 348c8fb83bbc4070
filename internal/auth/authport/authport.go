// Package authport provides the credential resolver to the services as port.Credentials
// and port.PresignedURLs: the resolver works in store transactions, the services in the
// kit's.
package authport

import (
	"errors"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/auth/presign"
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

// PresignedURLs is presign.Verify with r as port.PresignedURLs. Signatures are checked
// against real time, as the gateway checks requests: clients sign with the wall clock,
// whatever the engine clock says.
func PresignedURLs(r *auth.Resolver) port.PresignedURLs { return presignedURLs{r} }

type presignedURLs struct{ r *auth.Resolver }

func (p presignedURLs) Verify(tx kit.Tx, url string, want port.Presigned) error {
	err := presign.Verify(p.r, kit.Raw(tx), url, presign.Call(want), time.Now())
	if errors.Is(err, presign.ErrRefused) {
		return port.ErrPresignRefused
	}
	return err
}
