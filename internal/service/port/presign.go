package port

import "github.com/xregion/xregion/internal/service/kit"

// PresignedURLs checks the presigned URLs a request carries for a call in another Region:
// an RDS CopyDBSnapshot or StartDBInstanceAutomatedBackupsReplication carries a URL
// presigned for the same call in the source Region. The provider (internal/auth, which
// knows SigV4 and the credentials) answers; the consumer never sees HTTP.
type PresignedURLs interface {
	// Verify accepts url when it is a SigV4 request presigned for want. With strict
	// authentication its signature must also verify, at the real time, with the secret of
	// the URL's access key, read in tx (temporary credentials are records of the store).
	// Every failure is ErrPresignRefused: AWS answers them all the same way.
	Verify(tx kit.Tx, url string, want Presigned) error
}

// Presigned is the call a presigned URL must be.
type Presigned struct {
	Service string // the signing name the URL must be signed for ("rds")
	Region  string // the Region the URL must be signed for
	Action  string // the query parameter Action
	// Params must be present with exactly these values.
	Params map[string]string
	// IfPresent must have these values when the URL carries them (RDS's
	// DestinationRegion, which the SDKs add only sometimes).
	IfPresent map[string]string
}
