package rds

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/sigv4"
)

// checkPresignedURL accepts a PreSignedUrl when it is a SigV4 presigned request for
// action, signed for RDS in the source Region, that names the same source (params) and,
// when it says so, this destination Region. The AWS CLI and boto3 build it from
// --source-region / SourceRegion, the SDK for Go v2 from SourceRegion. In strict
// authentication mode the signature must also verify with the secret of the URL's
// access key. AWS answers every failure the same way.
func (s *Service) checkPresignedURL(tx kit.Tx, raw, action, sourceRegion, destRegion string, params map[string]string) error {
	bad := msgPresignedURL.New()
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
	id, ok, err := s.auth.Lookup(kit.Raw(tx), a.AccessKeyID)
	if err != nil {
		return err
	}
	if !ok {
		return bad
	}
	// Signatures are checked against real time, as the gateway checks requests: clients
	// sign with the wall clock, whatever the engine clock says.
	for _, v := range signedForms(r) {
		if sigv4.Verify(v, nil, a, id.SecretKey, time.Now()) == nil {
			return nil
		}
	}
	return bad
}

// signedForms are the readings of a presigned request that its signature may cover. The
// SDKs presign for the real RDS host of the source Region, and two details of the URL
// they then write are not what they signed: the port of a local endpoint, which the SDK
// for JavaScript puts in the URL but not in the signed host, and a parameter it has no
// value for (KmsKeyId), which it writes without "=" but leaves out of the signature.
// Neither changes what the URL asks for, so each reading is tried.
func signedForms(r *http.Request) []*http.Request {
	forms := []*http.Request{r}
	if host, _, err := net.SplitHostPort(r.Host); err == nil {
		c := r.Clone(r.Context())
		c.Host = host
		forms = append(forms, c)
	}
	var kept []string
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		if strings.Contains(p, "=") {
			kept = append(kept, p)
		}
	}
	if q := strings.Join(kept, "&"); q != r.URL.RawQuery {
		for _, f := range forms {
			c := f.Clone(f.Context())
			c.URL.RawQuery = q
			forms = append(forms, c)
		}
	}
	return forms
}
