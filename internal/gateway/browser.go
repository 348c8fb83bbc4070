package gateway

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Browsers are the one client that visits xregion on someone else's behalf: any page the
// user opens may send requests to 127.0.0.1:4566, and with DNS rebinding may even read the
// answers. xregion's own web console (served on this listener, under /_xregion/console/)
// is the only page that may talk to it, so the gateway refuses, before anything else:
//
//   - a request whose Origin is another origin than the listener's own (the console's
//     requests carry its own origin, or none);
//   - a request a browser marks as made for another site (Sec-Fetch-Site cross-site or
//     same-site: a link, a form, an image or a script of another page, including another
//     port of localhost);
//   - on a connection that arrived on a loopback address, a Host that is not a loopback
//     name, an IP address or a name the operator allowed (--allowed-hosts): a page that
//     rebinds its own name to 127.0.0.1 still sends that name as Host. With
//     --allowed-hosts, every connection is held to the rule, so a shared deployment can
//     protect itself too.
//
// Clients that are not browsers (SDKs, the CLI, Terraform, curl) send neither Origin nor
// Sec-Fetch-Site and use the host they were pointed at, so they are not affected.

// hostPolicy decides which Host names a request may carry.
type hostPolicy struct {
	names     map[string]bool // exact names, lower case
	suffixes  []string        // ".example.com" for "*.example.com"
	allowlist bool            // the operator gave names: check every connection
}

func newHostPolicy(allowed []string) hostPolicy {
	p := hostPolicy{names: map[string]bool{}}
	for _, n := range allowed {
		n = strings.ToLower(strings.TrimSpace(n))
		switch {
		case n == "":
			continue
		case strings.HasPrefix(n, "*."):
			p.suffixes = append(p.suffixes, n[1:])
		default:
			p.names[n] = true
		}
		p.allowlist = true
	}
	return p
}

// browserCheck returns why a request is refused, or "" when it may proceed.
func (g *Gateway) browserCheck(r *http.Request) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return "xregion refuses requests that a browser made for another site (Sec-Fetch-Site: " + site + ")"
	}
	if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
		return fmt.Sprintf("xregion refuses requests from web pages of other origins (Origin: %s)", origin)
	}
	if g.hosts.allowlist || arrivedOnLoopback(r) {
		if !g.hosts.allows(r.Host) {
			return fmt.Sprintf("xregion does not serve the host name %q here: use localhost, an IP address, "+
				"or list the name with --allowed-hosts (this protects against DNS rebinding)", r.Host)
		}
	}
	return ""
}

// sameOrigin reports whether a browser's Origin is this listener as the request reached
// it: the same host and port, over http or https (a TLS-terminating proxy in front
// changes the scheme, not the page).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
		return false
	}
	return strings.EqualFold(u.Host, host) || strings.EqualFold(withDefaultPort(u.Host, u.Scheme), withDefaultPort(host, u.Scheme))
}

func withDefaultPort(hostport, scheme string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	if scheme == "https" {
		return net.JoinHostPort(strings.Trim(hostport, "[]"), "443")
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), "80")
}

// arrivedOnLoopback reports whether the request's connection was accepted on a loopback
// address. Requests built in process (tests calling ServeHTTP) carry no address and are
// treated as loopback, the default listener.
func arrivedOnLoopback(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true
	}
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || tcp.IP.IsLoopback()
}

// allows reports whether a Host header names this server acceptably: an IP address (a
// rebinding page cannot make the browser send one for its own name), localhost or a name
// under .localhost (which resolve to loopback by definition, RFC 6761), or a name the
// operator listed.
func (p hostPolicy) allows(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	switch {
	case host == "":
		return false
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return true // first: what SDKs pointed at localhost send, and no address to parse
	case isIP(host):
		return true
	case p.names[host]:
		return true
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// isIP reports whether host is an IP address as net.ParseIP reads one (no zone), without
// the allocation of its result: every request's Host is checked.
func isIP(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == ""
}
