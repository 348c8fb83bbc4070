package port

// PresignedURLs checks the presigned URLs a request carries for the service it names: an
// RDS CopyDBSnapshot or StartDBInstanceAutomatedBackupsReplication in one Region carries
// a URL presigned for the same call in the source Region. The provider (package auth)
// knows SigV4 and the credentials; the consumer never sees HTTP.
type PresignedURLs interface {
	// Verify accepts url when it is a SigV4 request presigned for want: the service and
	// Region in its credential scope, the action, each of the parameters, and the
	// destination Region when the URL names one. With strict authentication the
	// signature must also verify with the secret of the URL's access key. Every failure
	// is ErrPresignRefused: AWS answers them all the same way.
	Verify(url string, want Presigned) error
}

// Presigned is the call a presigned URL must be.
type Presigned struct {
	Service, Region, Action string
	Params                  map[string]string
	DestinationRegion       string
}
