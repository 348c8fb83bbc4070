// Package sigv4 parses and verifies AWS Signature Version 4 on incoming requests.
//
// The gateway calls Parse on every request to learn the access key, Region and service
// from the credential scope, and, in strict auth mode, Verify to check the signature
// against the caller's secret key. The two are split because routing needs only the
// scope, and a request that cannot be verified (no credentials configured) must still be
// routed.
//
// Verification follows the signing rules for every service but S3: the path is
// normalised and each segment URI-encoded twice, the query string sorted and
// RFC 3986-encoded, and the payload hashed — by the server, as AWS does outside S3, so
// UNSIGNED-PAYLOAD stands only for an empty body. Where the AWS SDKs themselves disagree
// on a rule (the SDK for Go does not normalise paths; presigned URLs sign either
// UNSIGNED-PAYLOAD or the empty body's hash), Verify accepts each form a real SDK
// produces; each such place says so.
//
// Errors are *Error values whose Kind maps, through Wire, to the code, status and message
// AWS answers in the query, JSON and REST-JSON protocols.
package sigv4

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	// Algorithm is the only signing algorithm accepted.
	Algorithm = "AWS4-HMAC-SHA256"
	// UnsignedPayload is the payload hash a client sends when it does not sign the body.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// MaxSkew is how far the request time may be from the server's clock. AWS documents
	// 15 minutes (Common Errors, RequestExpired; SigV4 "Elements of a signature").
	MaxSkew = 15 * time.Minute
	// MaxPresignExpiry bounds X-Amz-Expires: a signing key is valid for seven days.
	MaxPresignExpiry = 7 * 24 * time.Hour

	// TimeFormat is the ISO 8601 basic format of X-Amz-Date.
	TimeFormat = "20060102T150405Z"
	// DateFormat is the format of the credential scope's date.
	DateFormat = "20060102"

	scopeTerminator = "aws4_request"
)

// Auth is the SigV4 authentication information of a request.
type Auth struct {
	AccessKeyID string
	// Date, Region and Service are the credential scope (Date as yyyymmdd).
	Date    string
	Region  string
	Service string
	// SignedHeaders are the header names as the client listed them (lower-case for every
	// conforming client).
	SignedHeaders []string
	// Signature is the client's signature, lower-cased hex.
	Signature string
	// Time is the request time: X-Amz-Date (header, or query parameter for a presigned
	// URL), else the Date header, as AWS accepts for header-signed requests.
	Time time.Time
	// Presigned is true when the authentication came from the query string.
	Presigned bool
	// Expires is X-Amz-Expires of a presigned URL; zero when absent, in which case the
	// URL is valid within MaxSkew of its X-Amz-Date like a header-signed request (STS
	// does so: aws/aws-sdk-go#2167).
	Expires time.Duration
	// SecurityToken is X-Amz-Security-Token (header, or query parameter for a presigned
	// URL); empty for long-term credentials.
	SecurityToken string

	terminator string // fifth element of the credential scope
	hasExpires bool   // X-Amz-Expires was present, possibly "0"
}

// scope is the credential scope as it appears in the string to sign.
func (a *Auth) scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + a.terminator
}

// Parse extracts SigV4 authentication from the Authorization header or, for presigned
// URLs, from the X-Amz-* query parameters. It checks syntax only (what is needed to read
// the fields); whether the scope, time and signature are right is Verify's business, so
// that a gateway not enforcing authentication can still route on a stale signature.
//
// Errors are *Error of KindMissingAuthentication or KindIncompleteSignature, or
// KindSignatureMismatch when a request carries both forms.
func Parse(r *http.Request) (*Auth, error) {
	header := r.Header.Get("Authorization")
	// Most requests (every JSON and query-protocol call) have no query string and cost
	// nothing here.
	params := splitQuery(r.URL.RawQuery)
	presigned := slices.ContainsFunc(params, func(p queryParam) bool { return p.key == "X-Amz-Algorithm" })
	switch {
	case strings.TrimSpace(header) != "" && presigned:
		// dacut/scratchstack-aws-signature ("AWS Auth Error Ordering", rule 5) answers
		// SignatureDoesNotMatch; the message is S3's, which says what is wrong.
		return nil, newError(KindSignatureMismatch, "Only one auth mechanism allowed; only the X-Amz-Algorithm "+
			"query parameter, Signature query string parameter or the Authorization header should be specified")
	case presigned:
		return parseQuery(params)
	case strings.TrimSpace(header) != "":
		return parseHeader(r, header)
	}
	return nil, newError(KindMissingAuthentication, msgMissingAuthQuery)
}

// parseHeader reads "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
//
// The grammar is AWS's, not the SDKs': components may be separated by commas, spaces or
// both (scylladb test_authorization.py test_authorization_no_whitespace, run against
// DynamoDB), a later duplicate wins (scratchstack rule 6c), and the checks and messages
// come in the order dynalite and scratchstack recorded from AWS.
func parseHeader(r *http.Request, header string) (*Auth, error) {
	alg, rest := cutSpace(strings.TrimSpace(header))
	if strings.Contains(alg, "=") {
		// API Gateway's wording; the first token must be the algorithm.
		return nil, incomplete("Authorization header must begin with the algorithm name, which cannot include an equal-sign")
	}
	var credential, signature, signedHeaders string
	haveSignedHeaders := false
	for rest != "" {
		var tok string
		tok, rest = nextToken(rest)
		if tok == "" {
			continue
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			// AWS no longer echoes the header (it may hold a token); it quotes its hash.
			return nil, incomplete("Invalid key=value pair (missing equal-sign) in Authorization header "+
				"(hashed with SHA-256 and encoded with Base64): '%s'.", hashForMessage(header))
		}
		switch k {
		case "Credential":
			credential = v
		case "Signature":
			signature = v
		case "SignedHeaders":
			signedHeaders, haveSignedHeaders = v, true
		}
	}

	amzDate := r.Header.Get("X-Amz-Date")
	dateHeader := ""
	if amzDate == "" {
		dateHeader = r.Header.Get("Date")
	}
	var missing []string
	if credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSignedHeaders {
		// An empty SignedHeaders is present (dynalite's note); it fails later, on host.
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if amzDate == "" && dateHeader == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, incomplete("%s (Hashed with SHA-256 and encoded with Base64) Authorization=%s",
			strings.Join(missing, " "), hashForMessage(header))
	}

	a := &Auth{SecurityToken: r.Header.Get("X-Amz-Security-Token")}
	var err error
	if amzDate != "" {
		a.Time, err = parseAmzDate(amzDate)
	} else {
		a.Time, err = parseHTTPDate(dateHeader)
	}
	if err != nil {
		return nil, err
	}
	if alg != Algorithm {
		// scratchstack's wording; dynalite recorded the same text with
		// " (only AWS4-HMAC-SHA256 for now). " appended, from 2013.
		return nil, incomplete("Unsupported AWS 'algorithm': '%s'.", alg)
	}
	if err := a.setCredential(credential); err != nil {
		return nil, err
	}
	a.SignedHeaders = splitSignedHeaders(signedHeaders)
	a.Signature = strings.ToLower(signature)
	return a, nil
}

// parseQuery reads a presigned URL's X-Amz-* parameters from the decoded query. The
// first of duplicate parameters wins (scratchstack rule 7c).
func parseQuery(params []queryParam) (*Auth, error) {
	get := func(name string) (string, bool) {
		for _, p := range params {
			if p.key == name {
				return p.value, true
			}
		}
		return "", false
	}
	if alg, _ := get("X-Amz-Algorithm"); alg != Algorithm {
		// scratchstack rule 7a; versitygw's IAM records the shorter message for it.
		return nil, newError(KindMissingAuthentication, msgMissingAuthJSON)
	}
	credential, okCred := get("X-Amz-Credential")
	signature, okSig := get("X-Amz-Signature")
	signedHeaders, okSH := get("X-Amz-SignedHeaders")
	amzDate, okDate := get("X-Amz-Date")
	var missing []string
	for _, m := range []struct {
		ok   bool
		name string
	}{{okCred, "X-Amz-Credential"}, {okSig, "X-Amz-Signature"}, {okSH, "X-Amz-SignedHeaders"}, {okDate, "X-Amz-Date"}} {
		if !m.ok {
			missing = append(missing, "AWS query-string parameters must include '"+m.name+"'.")
		}
	}
	if len(missing) > 0 {
		return nil, incomplete("%s Re-examine the query-string parameters.", strings.Join(missing, " "))
	}

	a := &Auth{Presigned: true}
	a.SecurityToken, _ = get("X-Amz-Security-Token")
	var err error
	if a.Time, err = parseAmzDate(amzDate); err != nil {
		return nil, err
	}
	if err := a.setCredential(credential); err != nil {
		return nil, err
	}
	if v, ok := get("X-Amz-Expires"); ok {
		// S3's messages: AWS documents no other for X-Amz-Expires. The upper bound is
		// checked by Verify, with the other limits on time.
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, incomplete("X-Amz-Expires should be a number")
		}
		if n < 0 {
			return nil, incomplete("X-Amz-Expires must be non-negative")
		}
		if n > int64(MaxPresignExpiry/time.Second) {
			n = int64(MaxPresignExpiry/time.Second) + 1 // keep the Duration from overflowing
		}
		a.Expires, a.hasExpires = time.Duration(n)*time.Second, true
	}
	a.SignedHeaders = splitSignedHeaders(signedHeaders)
	a.Signature = strings.ToLower(signature)
	return a, nil
}

// setCredential splits "AKID/yyyymmdd/region/service/aws4_request". Trailing slashes are
// ignored, as dynalite records of DynamoDB.
func (a *Auth) setCredential(credential string) error {
	c := strings.TrimRight(credential, "/")
	if strings.Count(c, "/") != 4 {
		return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", credential)
	}
	// Cut by cut rather than strings.Split: no slice to allocate on every request.
	a.AccessKeyID, c, _ = strings.Cut(c, "/")
	a.Date, c, _ = strings.Cut(c, "/")
	a.Region, c, _ = strings.Cut(c, "/")
	a.Service, a.terminator, _ = strings.Cut(c, "/")
	return nil
}

// parseAmzDate reads an X-Amz-Date (TimeFormat).
//
// Every signed request carries one, and time.Parse's general layout machinery was a
// visible share of a read's CPU, so the fixed format is read by hand: it takes what
// time.Parse(TimeFormat) takes, digits at their places and every field in range (a date
// that time.Date would have to normalise, such as February 30th, is refused), except a
// year written with a sign, which time.Parse read and no clock sends.
func parseAmzDate(v string) (time.Time, error) {
	if len(v) != len(TimeFormat) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, badDate(v)
	}
	var f [6]int // year, month, day, hour, minute, second
	for i, span := range [6][2]int{{0, 4}, {4, 6}, {6, 8}, {9, 11}, {11, 13}, {13, 15}} {
		for _, c := range []byte(v[span[0]:span[1]]) {
			if c < '0' || c > '9' {
				return time.Time{}, badDate(v)
			}
			f[i] = f[i]*10 + int(c-'0')
		}
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC)
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	if [6]int{year, int(month), day, hour, minute, second} != f {
		return time.Time{}, badDate(v)
	}
	return t, nil
}

// parseHTTPDate reads the Date header, which clients send in one of HTTP's date formats.
// Its precision is a second, like X-Amz-Date's, so the string to sign is the same.
func parseHTTPDate(v string) (time.Time, error) {
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, badDate(v)
	}
	return t.UTC(), nil
}

func badDate(v string) *Error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", v)
}

func splitSignedHeaders(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// hashForMessage is how AWS quotes an Authorization header in an error: SHA-256, base64.
func hashForMessage(header string) string {
	sum := sha256.Sum256([]byte(header))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// cutSpace splits s at its first run of spaces.
func cutSpace(s string) (before, after string) {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	before = s[:i]
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return before, s[i:]
}

// nextToken returns the next component of an Authorization header, separated by commas
// and spaces.
func nextToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) && (isSpace(s[i]) || s[i] == ',') {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) && s[j] != ',' {
		j++
	}
	return s[i:j], s[j:]
}
