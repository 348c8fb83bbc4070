package server

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/sigv4"
)

// presignedURLs provides port.PresignedURLs to the services on the kit (EC2's
// CopySnapshot): the server knows SigV4 and the credentials, the services never see HTTP.
type presignedURLs struct{ resolver *auth.Resolver }

var _ port.PresignedURLs = presignedURLs{}

// Verify implements port.PresignedURLs. Signatures are checked against real time, as
// the gateway checks requests: clients sign with the wall clock, whatever the engine
// clock says.
func (p presignedURLs) Verify(tx kit.Tx, raw string, want port.Presigned) error {
	r, a, err := parsePresigned(raw, want)
	if err != nil {
		return err
	}
	if p.resolver == nil || !p.resolver.Strict() {
		return nil
	}
	id, ok, err := p.resolver.Lookup(kit.Raw(tx), a.AccessKeyID)
	if err != nil {
		return err
	}
	if !ok {
		return port.ErrPresignRefused
	}
	for _, form := range signedForms(r) {
		if sigv4.Verify(form, nil, a, id.SecretKey, time.Now()) == nil {
			return nil
		}
	}
	return port.ErrPresignRefused
}

// parsePresigned reads raw as a GET request and checks that it asks for want.
func parsePresigned(raw string, want port.Presigned) (*http.Request, *sigv4.Auth, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, port.ErrPresignRefused
	}
	r, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return nil, nil, port.ErrPresignRefused
	}
	a, err := sigv4.Parse(r)
	if err != nil || !a.Presigned || a.AccessKeyID == "" || a.Service != want.Service || a.Region != want.Region {
		return nil, nil, port.ErrPresignRefused
	}
	q := u.Query()
	if q.Get("Action") != want.Action {
		return nil, nil, port.ErrPresignRefused
	}
	for k, v := range want.Params {
		if q.Get(k) != v {
			return nil, nil, port.ErrPresignRefused
		}
	}
	for k, v := range want.IfPresent {
		if got := q.Get(k); got != "" && got != v {
			return nil, nil, port.ErrPresignRefused
		}
	}
	return r, a, nil
}

// signedForms are the readings of a presigned request that its signature may cover: the
// SDKs may leave a local endpoint's port out of the signed host, and write a parameter
// they have no value for without "=", which they leave out of the signature.
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
