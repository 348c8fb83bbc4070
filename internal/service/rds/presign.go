package rds

import (
	"net/http"
	"net/url"
	"time"

	"github.com/xregion/xregion/internal/sigv4"
	"github.com/xregion/xregion/internal/store"
)

// checkPresignedURL accepts a PreSignedUrl when it is a SigV4 presigned request for
// action, signed for RDS in the source Region, that names the same source (params) and,
// when it says so, this destination Region. The AWS CLI and boto3 build it from
// --source-region / SourceRegion, the SDK for Go v2 from SourceRegion. In strict
// authentication mode the signature must also verify with the secret of the URL's
// access key. AWS answers every failure the same way.
func (s *Service) checkPresignedURL(tx store.Tx, raw, action, sourceRegion, destRegion string, params map[string]string) error {
	bad := invalidValue("PreSignedUrl could not be authenticated.")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad
	}
	r, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return bad
	}
	a, err := sigv4.Parse(r)
	if err != nil || !a.Presigned || a.Service != serviceName || a.Region != sourceRegion {
		return bad
	}
	q := u.Query()
	if q.Get("Action") != action {
		return bad
	}
	for k, v := range params {
		if q.Get(k) != v {
			return bad
		}
	}
	if d := q.Get("DestinationRegion"); d != "" && d != destRegion {
		return bad
	}
	if s.auth == nil || !s.auth.Strict() {
		return nil
	}
	id, ok, err := s.auth.Lookup(tx, a.AccessKeyID)
	if err != nil {
		return err
	}
	if !ok {
		return bad
	}
	// Signatures are checked against real time, as the gateway checks requests: clients
	// sign with the wall clock, whatever the engine clock says.
	if err := sigv4.Verify(r, nil, a, id.SecretKey, time.Now()); err != nil {
		return bad
	}
	return nil
}
