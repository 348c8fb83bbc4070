// Package presign verifies SigV4 presigned URLs that a request carries for another call
// (RDS's PreSignedUrl): that the URL asks for the expected call and, in strict mode, that
// its signature holds. It is apart from package auth, which services reach through their
// dependencies, so that only what checks URLs depends on HTTP and SigV4.
package presign

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/sigv4"
	"github.com/xregion/xregion/internal/store"
)

// Call is the call a presigned URL handed to a service (RDS's PreSignedUrl, say) must
// make for the service to accept it.
type Call struct {
	Service string // signing name the URL must be signed for, e.g. "rds"
	Region  string // Region the URL must be signed for
	Action  string // the query parameter Action
	// Params must be present with exactly these values.
	Params map[string]string
	// IfPresent must have these values when the URL carries them (RDS's
	// DestinationRegion, which the SDKs add only sometimes).
	IfPresent map[string]string
}

// ErrRefused means a presigned URL does not authenticate the call it was expected to
// make. AWS answers every such failure alike, so the reason is not told apart.
var ErrRefused = errors.New("presign: the presigned URL does not authenticate the expected call")

// Verify accepts raw when it is a SigV4 presigned request for want. In strict mode (as r
// says) its signature must also verify, at now, with the secret of the URL's access key,
// looked up in tx (the caller's transaction, so that temporary credentials are read
// consistently with the rest of its work). Callers pass real time for now, as the gateway
// checks requests: clients sign with the wall clock, whatever the engine clock says. A
// nil Resolver (a service built without one, in tests) checks the URL's form only.
func Verify(r *auth.Resolver, tx store.Tx, raw string, want Call, now time.Time) error {
	req, a, err := parsePresigned(raw, want)
	if err != nil {
		return err
	}
	if r == nil || !r.Strict() {
		return nil
	}
	id, ok, err := r.Lookup(tx, a.AccessKeyID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrRefused
	}
	for _, form := range signedForms(req) {
		if sigv4.Verify(form, nil, a, id.SecretKey, now) == nil {
			return nil
		}
	}
	return ErrRefused
}

// parsePresigned reads raw as a GET request and checks that it asks for want.
func parsePresigned(raw string, want Call) (*http.Request, *sigv4.Auth, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, ErrRefused
	}
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return nil, nil, ErrRefused
	}
	a, err := sigv4.Parse(req)
	if err != nil || !a.Presigned || a.AccessKeyID == "" || a.Service != want.Service || a.Region != want.Region {
		return nil, nil, ErrRefused
	}
	q := u.Query()
	if q.Get("Action") != want.Action {
		return nil, nil, ErrRefused
	}
	for k, v := range want.Params {
		if q.Get(k) != v {
			return nil, nil, ErrRefused
		}
	}
	for k, v := range want.IfPresent {
		if got := q.Get(k); got != "" && got != v {
			return nil, nil, ErrRefused
		}
	}
	return req, a, nil
}

// signedForms are the readings of a presigned request that its signature may cover. The
// SDKs presign for the real host of the source Region, and two details of the URL they
// then write are not what they signed: the port of a local endpoint, which the SDK for
// JavaScript puts in the URL but not in the signed host, and a parameter it has no value
// for (RDS's KmsKeyId), which it writes without "=" but leaves out of the signature.
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
