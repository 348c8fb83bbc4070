package authport

import (
	"errors"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/auth/presign"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// PresignedURLs is r's verification of presigned URLs as port.PresignedURLs (RDS's
// PreSignedUrl). A nil r checks the URLs' form only, as presign.Verify does.
func PresignedURLs(r *auth.Resolver) port.PresignedURLs { return presigned{r} }

type presigned struct{ r *auth.Resolver }

// Verify checks the signature at the real time: clients sign with the wall clock,
// whatever the engine clock says.
func (p presigned) Verify(tx kit.Tx, url string, want port.Presigned) error {
	err := presign.Verify(p.r, kit.Raw(tx), url, presign.Call{
		Service: want.Service, Region: want.Region, Action: want.Action, Params: want.Params, IfPresent: want.IfPresent,
	}, time.Now())
	if errors.Is(err, presign.ErrRefused) {
		return port.ErrPresignRefused
	}
	return err
}
