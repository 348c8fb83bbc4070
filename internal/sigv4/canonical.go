package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// queryParam is one decoded name=value pair of a query string.
type queryParam struct{ key, value string }

// splitQuery decodes a raw query string into its pairs, in order. It is deliberately more
// tolerant than url.ParseQuery, which drops pairs containing ';' or bad escapes: a pair
// the client sent is a pair the client signed, so dropping it could only turn a good
// signature into a mismatch. '+' is a space, as in the form encoding query services use
// and as the SDK for Go signs it (it canonicalises url.Values).
func splitQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		params = append(params, queryParam{unescape(k), unescape(v)})
	}
	return params
}

// unescape percent-decodes s with '+' as space. A malformed escape is kept literally (its
// '%' will be encoded as %25), so a request with one still canonicalises the same way
// every time and simply fails to match.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// uriEncode is SigV4's UriEncode: every byte but the RFC 3986 unreserved characters (and
// '/', when keepSlash) becomes %XX with upper-case hex.
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isUnreserved(c) && !(keepSlash && c == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

// canonicalQuery is the canonical query string: every pair decoded, then RFC 3986
// encoded, sorted by encoded name and then encoded value ("the sorting occurs after
// encoding", AWS "Create a signed AWS API request"), X-Amz-Signature left out of a
// presigned URL's. A pair without '=' has an empty value.
func canonicalQuery(raw string, presigned bool) string {
	params := splitQuery(raw)
	if len(params) == 0 {
		return ""
	}
	enc := params[:0]
	for _, p := range params {
		if presigned && p.key == "X-Amz-Signature" {
			continue
		}
		enc = append(enc, queryParam{uriEncode(p.key, false), uriEncode(p.value, false)})
	}
	slices.SortFunc(enc, func(a, b queryParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var sb strings.Builder
	for i, p := range enc {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(p.key)
		sb.WriteByte('=')
		sb.WriteString(p.value)
	}
	return sb.String()
}

// canonicalURI is the canonical URI of a request path as it was sent (still
// percent-encoded). Every byte outside the unreserved set and '/' is encoded again, so an
// encoded path is encoded twice, as every service but S3 expects. With normalize, the path
// is first normalised as botocore (remove_dot_segments) and the SDK for JavaScript v3
// (getCanonicalPath) do: empty and "." segments dropped, ".." removing the segment
// before it (never above the root), and a trailing slash kept when anything remains.
func canonicalURI(path string, normalize bool) string {
	if path == "" {
		return "/"
	}
	if normalize {
		if path = removeDotSegments(path); path == "" {
			path = "/"
		}
	}
	return uriEncode(path, true)
}

func removeDotSegments(path string) string {
	if !needsNormalizing(path) {
		return path
	}
	segs := make([]string, 0, strings.Count(path, "/")+1)
	for s := range strings.SplitSeq(path, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	var sb strings.Builder
	if path[0] == '/' {
		sb.WriteByte('/')
	}
	sb.WriteString(strings.Join(segs, "/"))
	if len(segs) > 0 && path[len(path)-1] == '/' {
		sb.WriteByte('/')
	}
	return sb.String()
}

// needsNormalizing reports whether path has an empty, "." or ".." segment.
func needsNormalizing(path string) bool {
	if path == "/" || path == "" {
		return false
	}
	if strings.Contains(path, "//") {
		return true
	}
	for s := range strings.SplitSeq(path, "/") {
		if s == "." || s == ".." {
			return true
		}
	}
	return path[0] != '/'
}

// requestPath is the path as the client sent it, still encoded. The request line
// (RequestURI) is the truth on a server: url.URL.EscapedPath re-encodes a path whose raw
// form it finds invalid, and the client signed the raw form. Requests built in process
// have no RequestURI; for them this reads the URL as the SDK for Go's signer does
// (Opaque "//host/path", else EscapedPath).
func requestPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if o := r.URL.Opaque; o != "" {
		if i := strings.IndexByte(o, '?'); i >= 0 {
			o = o[:i]
		}
		o = strings.TrimPrefix(o, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			return o[i:]
		}
		return "/"
	}
	return r.URL.EscapedPath()
}

// requestHost is the Host the client sent.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// headerValues returns the values of the named header as received.
func headerValues(r *http.Request, name string) []string {
	if v := r.Header.Values(name); len(v) > 0 {
		return v
	}
	// Servers canonicalise header keys, but a request built in process may hold any
	// spelling.
	for k, v := range r.Header {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	// net/http moves these out of the header map.
	switch strings.ToLower(name) {
	case "content-length":
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
	}
	return nil
}

// writeCanonicalHeaders writes "name:value\n" for each signed header, values trimmed,
// inner runs of spaces collapsed to one, repeated headers joined by commas. A signed
// header absent from the request is left out (it cannot match anyway; scratchstack does
// the same). "host" comes from the request's Host, which net/http keeps apart from the
// header map.
func writeCanonicalHeaders(sb *strings.Builder, r *http.Request, signed []string) {
	for _, name := range signed {
		var values []string
		if strings.EqualFold(name, "host") {
			values = []string{requestHost(r)}
		} else {
			values = headerValues(r, name)
		}
		if len(values) == 0 {
			continue
		}
		sb.WriteString(name)
		sb.WriteByte(':')
		for i, v := range values {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeTrimmed(sb, v)
		}
		sb.WriteByte('\n')
	}
}

// writeTrimmed writes v without leading and trailing whitespace and with each inner run of
// spaces as one space ("sequential spaces", AWS "Create a canonical request"; the SDK for
// Go's StripExcessSpaces does the same and leaves tabs inside a value alone).
func writeTrimmed(sb *strings.Builder, v string) {
	v = strings.Trim(v, " \t")
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		sb.WriteByte(c)
	}
}
