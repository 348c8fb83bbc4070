package sigv4

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	goodCred  = "AKIDEXAMPLE/20240501/eu-west-1/kms/aws4_request"
	goodSig   = "ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c"
	goodDate  = "20240501T120000Z"
	goodAuthz = "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host;x-amz-date, Signature=" + goodSig
)

func headerRequest(authz string, headers ...string) *http.Request {
	r := &http.Request{Method: "POST", Host: "localhost:4566", URL: &url.URL{Path: "/"}, Header: http.Header{}}
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func queryRequest(rawQuery string) *http.Request {
	return &http.Request{Method: "GET", Host: "localhost:4566", URL: &url.URL{Path: "/", RawQuery: rawQuery}, Header: http.Header{}}
}

func TestParseHeader(t *testing.T) {
	hash := func(h string) string { return hashForMessage(h) }
	cases := []struct {
		name    string
		authz   string
		headers []string
		want    Kind
		msg     string // exact message, when set
		check   func(t *testing.T, a *Auth)
	}{
		{name: "good", authz: goodAuthz, headers: []string{"X-Amz-Date", goodDate}, check: func(t *testing.T, a *Auth) {
			want := &Auth{AccessKeyID: "AKIDEXAMPLE", Date: "20240501", Region: "eu-west-1", Service: "kms",
				SignedHeaders: []string{"host", "x-amz-date"}, Signature: goodSig, Time: signTime, terminator: "aws4_request"}
			if !reflect.DeepEqual(a, want) {
				t.Errorf("got %+v\nwant %+v", a, want)
			}
		}},
		{name: "commas without spaces", authz: "AWS4-HMAC-SHA256 Credential=" + goodCred + ",SignedHeaders=host,Signature=" + goodSig,
			headers: []string{"X-Amz-Date", goodDate}},
		{name: "spaces without commas", authz: "AWS4-HMAC-SHA256 Credential=" + goodCred + " SignedHeaders=host Signature=" + goodSig,
			headers: []string{"X-Amz-Date", goodDate}},
		{name: "tabs and extra separators", authz: "  AWS4-HMAC-SHA256\tCredential=" + goodCred + " ,, SignedHeaders=host ,\tSignature=" + goodSig + " , ",
			headers: []string{"X-Amz-Date", goodDate}},
		{name: "later duplicate wins", authz: goodAuthz + ", Credential=AKID2/20240501/us-east-1/sts/aws4_request",
			headers: []string{"X-Amz-Date", goodDate}, check: func(t *testing.T, a *Auth) {
				if a.AccessKeyID != "AKID2" || a.Service != "sts" || a.Region != "us-east-1" {
					t.Errorf("got %+v", a)
				}
			}},
		{name: "unknown component ignored", authz: goodAuthz + ", Foo=bar", headers: []string{"X-Amz-Date", goodDate}},
		{name: "credential with trailing slash", authz: strings.Replace(goodAuthz, "aws4_request", "aws4_request/", 1),
			headers: []string{"X-Amz-Date", goodDate}},
		{name: "upper-case signature", authz: strings.Replace(goodAuthz, goodSig, strings.ToUpper(goodSig), 1),
			headers: []string{"X-Amz-Date", goodDate}, check: func(t *testing.T, a *Auth) {
				if a.Signature != goodSig {
					t.Errorf("signature %q", a.Signature)
				}
			}},
		{name: "session token", authz: goodAuthz, headers: []string{"X-Amz-Date", goodDate, "X-Amz-Security-Token", "tok"},
			check: func(t *testing.T, a *Auth) {
				if a.SecurityToken != "tok" {
					t.Errorf("token %q", a.SecurityToken)
				}
			}},
		{name: "Date header", authz: goodAuthz, headers: []string{"Date", "Wed, 01 May 2024 12:00:00 GMT"}, check: func(t *testing.T, a *Auth) {
			if !a.Time.Equal(signTime) {
				t.Errorf("time %v", a.Time)
			}
		}},
		{name: "X-Amz-Date preferred to Date", authz: goodAuthz, headers: []string{"Date", "Thu, 02 May 2024 12:00:00 GMT", "X-Amz-Date", goodDate},
			check: func(t *testing.T, a *Auth) {
				if !a.Time.Equal(signTime) {
					t.Errorf("time %v", a.Time)
				}
			}},
		{name: "empty SignedHeaders is present", authz: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=, Signature=" + goodSig,
			headers: []string{"X-Amz-Date", goodDate}, check: func(t *testing.T, a *Auth) {
				if len(a.SignedHeaders) != 0 {
					t.Errorf("signed headers %q", a.SignedHeaders)
				}
			}},

		{name: "no header", want: KindMissingAuthentication, msg: "Request is missing Authentication Token"},
		{name: "blank header", authz: "   ", want: KindMissingAuthentication},
		{name: "algorithm only", authz: "AWS4-HMAC-SHA256", headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. (Hashed with SHA-256 and encoded with Base64) Authorization=" +
				hash("AWS4-HMAC-SHA256")},
		{name: "missing Credential", authz: "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + goodSig, headers: []string{"X-Amz-Date", goodDate},
			want: KindIncompleteSignature, msg: "Authorization header requires 'Credential' parameter. (Hashed with SHA-256 and encoded with Base64) Authorization=" +
				hash("AWS4-HMAC-SHA256 SignedHeaders=host, Signature="+goodSig)},
		{name: "missing SignedHeaders", authz: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", Signature=" + goodSig,
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "missing Signature", authz: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host",
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "empty Signature", authz: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host, Signature=",
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "missing date", authz: goodAuthz, want: KindIncompleteSignature,
			msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. (Hashed with SHA-256 and encoded with Base64) Authorization=" + hash(goodAuthz)},
		{name: "lower-case component names", authz: "AWS4-HMAC-SHA256 credential=" + goodCred + ", signedheaders=host, signature=" + goodSig,
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "component without equal-sign", authz: "AWS4-HMAC-SHA256 Credential= " + goodCred + ", SignedHeaders=host, Signature=" + goodSig,
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature,
			msg: "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" +
				hash("AWS4-HMAC-SHA256 Credential= "+goodCred+", SignedHeaders=host, Signature="+goodSig) + "'."},
		{name: "Bearer token", authz: "Bearer abc.def.ghi", headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "Basic auth", authz: "Basic dXNlcjpwYXNzd29yZA==", headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "SigV2 header", authz: "AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=", headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "algorithm with equal-sign", authz: "Credential=" + goodCred + ", SignedHeaders=host, Signature=" + goodSig,
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature,
			msg: "Authorization header must begin with the algorithm name, which cannot include an equal-sign"},
		{name: "wrong algorithm", authz: strings.Replace(goodAuthz, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1),
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{name: "lower-case algorithm", authz: strings.Replace(goodAuthz, "AWS4-HMAC-SHA256", "aws4-hmac-sha256", 1),
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "SigV4a", authz: strings.Replace(goodAuthz, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1),
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "scope with four elements", authz: strings.Replace(goodAuthz, "/kms/aws4_request", "/kms", 1),
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature,
			msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240501/eu-west-1/kms'"},
		{name: "scope with six elements", authz: strings.Replace(goodAuthz, "/kms/", "/kms/x/", 1),
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "scope without slashes", authz: strings.Replace(goodAuthz, goodCred, "AKIDEXAMPLE", 1),
			headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "extended ISO date", authz: goodAuthz, headers: []string{"X-Amz-Date", "2024-05-01T12:00:00Z"}, want: KindIncompleteSignature,
			msg: "Date must be in ISO-8601 'basic format'. Got '2024-05-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "date without zone", authz: goodAuthz, headers: []string{"X-Amz-Date", "20240501T120000"}, want: KindIncompleteSignature},
		{name: "junk date", authz: goodAuthz, headers: []string{"X-Amz-Date", "201"}, want: KindIncompleteSignature},
		{name: "junk Date header", authz: goodAuthz, headers: []string{"Date", "yesterday"}, want: KindIncompleteSignature},
		{name: "binary junk", authz: "\x00\xff\xfe=", headers: []string{"X-Amz-Date", goodDate}, want: KindIncompleteSignature},
		{name: "both header and presigned", authz: goodAuthz, headers: []string{"X-Amz-Date", goodDate}, want: KindSignatureMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := headerRequest(c.authz, c.headers...)
			if c.name == "both header and presigned" {
				r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
			}
			a, err := Parse(r)
			wantKind(t, err, c.want)
			if c.msg != "" && err.(*Error).Message != c.msg {
				t.Errorf("message:\n%s\nwant:\n%s", err.(*Error).Message, c.msg)
			}
			if c.check != nil {
				c.check(t, a)
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	good := url.Values{
		"X-Amz-Algorithm":     {"AWS4-HMAC-SHA256"},
		"X-Amz-Credential":    {"AKIDEXAMPLE/20240501/us-east-1/sts/aws4_request"},
		"X-Amz-Date":          {goodDate},
		"X-Amz-Expires":       {"900"},
		"X-Amz-SignedHeaders": {"content-type;host"},
		"X-Amz-Signature":     {goodSig},
	}
	with := func(edit func(v url.Values)) string {
		v := url.Values{}
		for k, vs := range good {
			v[k] = append([]string(nil), vs...)
		}
		edit(v)
		return v.Encode()
	}
	cases := []struct {
		name  string
		query string
		want  Kind
		msg   string
		check func(t *testing.T, a *Auth)
	}{
		{name: "good", query: good.Encode(), check: func(t *testing.T, a *Auth) {
			want := &Auth{AccessKeyID: "AKIDEXAMPLE", Date: "20240501", Region: "us-east-1", Service: "sts",
				SignedHeaders: []string{"content-type", "host"}, Signature: goodSig, Time: signTime, Presigned: true,
				Expires: 900 * time.Second, terminator: "aws4_request", hasExpires: true}
			if !reflect.DeepEqual(a, want) {
				t.Errorf("got %+v\nwant %+v", a, want)
			}
		}},
		{name: "session token", query: with(func(v url.Values) { v.Set("X-Amz-Security-Token", "a+b/c=") }), check: func(t *testing.T, a *Auth) {
			if a.SecurityToken != "a+b/c=" {
				t.Errorf("token %q", a.SecurityToken)
			}
		}},
		{name: "no expiry", query: with(func(v url.Values) { v.Del("X-Amz-Expires") }), check: func(t *testing.T, a *Auth) {
			if a.Expires != 0 || a.hasExpires {
				t.Errorf("expires %v %v", a.Expires, a.hasExpires)
			}
		}},
		{name: "first duplicate wins", query: good.Encode() + "&X-Amz-Credential=AKID2%2F20240501%2Feu-west-1%2Fkms%2Faws4_request",
			check: func(t *testing.T, a *Auth) {
				if a.AccessKeyID != "AKIDEXAMPLE" {
					t.Errorf("access key %q", a.AccessKeyID)
				}
			}},
		{name: "unencoded slashes and semicolons", query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE/20240501/us-east-1/sts/aws4_request" +
			"&X-Amz-Date=" + goodDate + "&X-Amz-SignedHeaders=content-type;host&X-Amz-Signature=" + goodSig,
			check: func(t *testing.T, a *Auth) {
				if a.Service != "sts" || len(a.SignedHeaders) != 2 {
					t.Errorf("got %+v", a)
				}
			}},
		{name: "wrong algorithm", query: with(func(v url.Values) { v.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA1") }),
			want: KindMissingAuthentication, msg: "Missing Authentication Token"},
		{name: "missing credential and signature", query: with(func(v url.Values) { v.Del("X-Amz-Credential"); v.Del("X-Amz-Signature") }),
			want: KindIncompleteSignature, msg: "AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{name: "missing signed headers", query: with(func(v url.Values) { v.Del("X-Amz-SignedHeaders") }), want: KindIncompleteSignature},
		{name: "missing date", query: with(func(v url.Values) { v.Del("X-Amz-Date") }), want: KindIncompleteSignature,
			msg: "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{name: "bad date", query: with(func(v url.Values) { v.Set("X-Amz-Date", "20240501") }), want: KindIncompleteSignature},
		{name: "bad credential", query: with(func(v url.Values) { v.Set("X-Amz-Credential", "AKID/20240501/us-east-1/sts") }), want: KindIncompleteSignature},
		{name: "expires not a number", query: with(func(v url.Values) { v.Set("X-Amz-Expires", "1h") }), want: KindIncompleteSignature,
			msg: "X-Amz-Expires should be a number"},
		{name: "negative expires", query: with(func(v url.Values) { v.Set("X-Amz-Expires", "-1") }), want: KindIncompleteSignature,
			msg: "X-Amz-Expires must be non-negative"},
		{name: "huge expires", query: with(func(v url.Values) { v.Set("X-Amz-Expires", "99999999999999") }), check: func(t *testing.T, a *Auth) {
			if a.Expires <= MaxPresignExpiry {
				t.Errorf("expires %v", a.Expires)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Parse(queryRequest(c.query))
			wantKind(t, err, c.want)
			if c.msg != "" && err.(*Error).Message != c.msg {
				t.Errorf("message:\n%s\nwant:\n%s", err.(*Error).Message, c.msg)
			}
			if c.check != nil {
				c.check(t, a)
			}
		})
	}
}

// TestVerifyChecksBeforeSignature covers the checks Verify makes before computing
// anything, on hand-made requests.
func TestVerifyChecksBeforeSignature(t *testing.T) {
	r := headerRequest(goodAuthz, "X-Amz-Date", goodDate)
	a, err := Parse(r)
	wantKind(t, err, 0)

	err = Verify(r, nil, a, testSecret, signTime.Add(20*time.Minute))
	wantKind(t, err, KindRequestTimeTooSkewed)
	if want := "Signature expired: 20240501T120000Z is now earlier than 20240501T120500Z (20240501T122000Z - 15 min.)"; err.(*Error).Message != want {
		t.Errorf("message %q, want %q", err.(*Error).Message, want)
	}
	err = Verify(r, nil, a, testSecret, signTime.Add(-20*time.Minute))
	wantKind(t, err, KindRequestTimeTooSkewed)
	if want := "Signature not yet current: 20240501T120000Z is still later than 20240501T115500Z (20240501T114000Z + 15 min.)"; err.(*Error).Message != want {
		t.Errorf("message %q, want %q", err.(*Error).Message, want)
	}

	bad := *a
	bad.terminator, bad.Date = "aws4_requests", "20240502"
	err = Verify(r, nil, &bad, testSecret, signTime)
	wantKind(t, err, KindInvalidCredentialScope)
	if want := "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requests'. " +
		"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240502' != '20240501', from '20240501T120000Z'."; err.(*Error).Message != want {
		t.Errorf("message %q, want %q", err.(*Error).Message, want)
	}

	bad = *a
	bad.SignedHeaders = []string{"x-amz-date"}
	wantKind(t, Verify(r, nil, &bad, testSecret, signTime), KindHostNotSigned)

	wantKind(t, Verify(r, nil, nil, testSecret, signTime), KindMissingAuthentication)

	// A signature that is not hex never matches, and is still reported as a mismatch.
	bad = *a
	bad.Signature = "zz"
	wantKind(t, Verify(r, nil, &bad, testSecret, signTime), KindSignatureMismatch)
}

func TestCanonicalURI(t *testing.T) {
	cases := []struct{ in, normalized, raw string }{
		{"", "/", "/"},
		{"/", "/", "/"},
		{"/a/b", "/a/b", "/a/b"},
		{"/a%20b/c", "/a%2520b/c", "/a%2520b/c"},
		{"/documents and settings/", "/documents%20and%20settings/", "/documents%20and%20settings/"},
		{"/%C3%BC", "/%25C3%25BC", "/%25C3%25BC"},
		{"/a:b@c!$&'()*+,;=", "/a%3Ab%40c%21%24%26%27%28%29%2A%2B%2C%3B%3D", "/a%3Ab%40c%21%24%26%27%28%29%2A%2B%2C%3B%3D"},
		{"/-_.~", "/-_.~", "/-_.~"},
		{"//", "/", "//"},
		{"//example//", "/example/", "//example//"},
		{"/example1/example2/../..", "/", "/example1/example2/../.."},
		{"/./", "/", "/./"},
		{"/./example", "/example", "/./example"},
		{"/a/../../b", "/b", "/a/../../b"},
		{"/a/b/..", "/a", "/a/b/.."},
		{"/a/.../b", "/a/.../b", "/a/.../b"},
		{"/a/%2E%2E/b", "/a/%252E%252E/b", "/a/%252E%252E/b"},
	}
	for _, c := range cases {
		if got := canonicalURI(c.in, true); got != c.normalized {
			t.Errorf("canonicalURI(%q, normalize) = %q, want %q", c.in, got, c.normalized)
		}
		if got := canonicalURI(c.in, false); got != c.raw {
			t.Errorf("canonicalURI(%q, raw) = %q, want %q", c.in, got, c.raw)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		in        string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"Version=2010-05-08&Action=ListUsers", false, "Action=ListUsers&Version=2010-05-08"},
		{"a=2&a=1&b=", false, "a=1&a=2&b="},
		{"flag", false, "flag="},
		{"&&a=1&&", false, "a=1"},
		{"sp=a+b&pct=a%20b&plus=a%2Bb", false, "pct=a%20b&plus=a%2Bb&sp=a%20b"},
		{"k=%c3%bc&l=ü", false, "k=%C3%BC&l=%C3%BC"},
		{"x=a/b:c@d*e", false, "x=a%2Fb%3Ac%40d%2Ae"},
		{"t=~-._", false, "t=~-._"},
		{"bad=%zz&end=%4", false, "bad=%25zz&end=%254"},
		{"a=x;y", false, "a=x%3By"},
		{"e=a=b", false, "e=a%3Db"},
		// "the sorting occurs after encoding": '%' sorts before '-', '/' after it.
		{"v=a-b&v=a/b", false, "v=a%2Fb&v=a-b"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
	}
	for _, c := range cases {
		if got := canonicalQuery(c.in, c.presigned); got != c.want {
			t.Errorf("canonicalQuery(%q, %v) = %q, want %q", c.in, c.presigned, got, c.want)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := &http.Request{Host: "example.com", URL: &url.URL{}, Header: http.Header{
		"X-Spaced":  {"  a   b \t c  "},
		"X-Multi":   {"1", " 2", "3 "},
		"X-Empty":   {""},
		"x-lower":   {"raw key"}, // a map key only a hand-built request has
		"X-Amz-Foo": {"bar"},
	}, ContentLength: 12, TransferEncoding: []string{"chunked"}}
	var sb strings.Builder
	writeCanonicalHeaders(&sb, r, []string{"content-length", "host", "transfer-encoding", "x-absent", "x-amz-foo", "x-empty", "x-lower", "x-multi", "x-spaced"})
	want := "content-length:12\nhost:example.com\ntransfer-encoding:chunked\nx-amz-foo:bar\nx-empty:\nx-lower:raw key\nx-multi:1,2,3\nx-spaced:a b \t c\n"
	if sb.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", sb.String(), want)
	}
}

func TestRequestPathAndHost(t *testing.T) {
	for _, c := range []struct {
		r    *http.Request
		path string
	}{
		{&http.Request{RequestURI: "/a%2Fb/c?x=1", URL: &url.URL{Path: "/a/b/c"}}, "/a%2Fb/c"},
		{&http.Request{RequestURI: "http://example.com/p?q", URL: &url.URL{Path: "/p q"}}, "/p%20q"},
		{&http.Request{URL: &url.URL{Opaque: "//example.com/a%2Fb?x"}}, "/a%2Fb"},
		{&http.Request{URL: &url.URL{Opaque: "//example.com"}}, "/"},
		{&http.Request{URL: &url.URL{}}, ""},
	} {
		if got := requestPath(c.r); got != c.path {
			t.Errorf("requestPath(%q, %+v) = %q, want %q", c.r.RequestURI, c.r.URL, got, c.path)
		}
	}
	if h := requestHost(&http.Request{URL: &url.URL{Host: "u:1"}}); h != "u:1" {
		t.Errorf("host %q", h)
	}
}

// parseAmzDate takes exactly the X-Amz-Date values time.Parse(TimeFormat) takes, and reads
// them as the same instant (but for a signed year, which only time.Parse took).
func TestAmzDateAsTimeParse(t *testing.T) {
	values := []string{goodDate, "20240229T235959Z", "20230229T120000Z", "20241301T000000Z", "20240001T000000Z",
		"20240100T000000Z", "20240431T000000Z", "20240501T240000Z", "20240501T236000Z", "20240501T235960Z",
		"00000101T000000Z", "99991231T235959Z", "20240501t120000Z", "20240501T120000z", "20240501T120000",
		"20240501T120000ZZ", "2024-05-01T12:00Z", "2024O501T120000Z", "20240501T12000Z0", "", "20240501 120000Z"}
	for day := range 400 { // every day of a leap year and beyond, at a time that varies
		at := time.Date(2024, 1, 1, day%24, day%60, (day*7)%60, 0, time.UTC).AddDate(0, 0, day)
		values = append(values, at.Format(TimeFormat))
	}
	for _, v := range values {
		want, wantErr := time.Parse(TimeFormat, v)
		if len(v) != len(TimeFormat) {
			wantErr = errBadLength
		}
		got, err := parseAmzDate(v)
		if (err != nil) != (wantErr != nil) || !got.Equal(want) {
			t.Errorf("%q: got %v, %v; time.Parse %v, %v", v, got, err, want, wantErr)
		}
	}
	if _, err := parseAmzDate("-0010101T000000Z"); err == nil {
		t.Error("a signed year was read")
	}
}

var errBadLength = &Error{}

func BenchmarkParseAmzDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseAmzDate(goodDate); err != nil {
			b.Fatal(err)
		}
	}
}
