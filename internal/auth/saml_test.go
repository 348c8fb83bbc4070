package auth_test

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/xtest"
)

func samlCerts(t *testing.T, idp *xtest.SAMLIdP) []*x509.Certificate {
	t.Helper()
	md, err := auth.ParseSAMLMetadata(idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for _, der := range md.Certificates {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestParseSAMLMetadata(t *testing.T) {
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	md, err := auth.ParseSAMLMetadata(idp.Metadata())
	if err != nil || md.EntityID != "https://idp.example.com" || len(md.Certificates) != 1 {
		t.Fatalf("metadata %+v, %v", md, err)
	}
	for name, doc := range map[string]string{
		"not XML":         "<<<",
		"no entity":       `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>`,
		"no signing key":  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor/></md:EntityDescriptor>`,
		"bad certificate": strings.Replace(idp.Metadata(), "<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1),
	} {
		if _, err := auth.ParseSAMLMetadata(doc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestVerifySAMLResponse(t *testing.T) {
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	certs := samlCerts(t, idp)
	role := "arn:aws:iam::123456789012:role/ops,arn:aws:iam::123456789012:saml-provider/corp"
	good := idp.Response(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{role}, SessionName: "alice@example.com"})
	a, err := auth.VerifySAMLResponse(good, certs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a.Issuer != "https://idp.example.com" || a.Subject != "alice" || a.SubjectType != "persistent" ||
		!slices.Equal(a.Audiences, []string{"https://signin.aws.amazon.com/saml"}) || a.Recipient != "https://signin.aws.amazon.com/saml" ||
		a.NotOnOrAfter.IsZero() || !slices.Equal(a.Attributes["https://aws.amazon.com/SAML/Attributes/Role"], []string{role}) ||
		!slices.Equal(a.Attributes["https://aws.amazon.com/SAML/Attributes/RoleSessionName"], []string{"alice@example.com"}) {
		t.Errorf("assertion %+v", a)
	}

	other := samlCerts(t, xtest.NewSAMLIdP(t, "https://other.example.com"))
	raw, _ := base64.StdEncoding.DecodeString(good)
	tampered := base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), ">alice<", ">mallory<", 1)))
	// Signature wrapping: an unsigned assertion for mallory beside the signed one.
	unsignedRaw, _ := base64.StdEncoding.DecodeString(idp.UnsignedResponse(t, xtest.SAMLClaims{Subject: "mallory", Roles: []string{role}}))
	extra := string(unsignedRaw)[strings.Index(string(unsignedRaw), "<saml:Assertion"):strings.Index(string(unsignedRaw), "</samlp:Response>")]
	wrapped := base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), "</samlp:Response>", extra+"</samlp:Response>", 1)))
	cases := map[string]struct {
		resp  string
		certs []*x509.Certificate
		want  error
	}{
		"not base64":            {"%%%", certs, auth.ErrSAMLMalformed},
		"not XML":               {base64.StdEncoding.EncodeToString([]byte("<<")), certs, auth.ErrSAMLMalformed},
		"unsigned":              {idp.UnsignedResponse(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{role}}), certs, auth.ErrSAMLSignature},
		"another key":           {good, other, auth.ErrSAMLSignature},
		"changed after signing": {tampered, certs, auth.ErrSAMLSignature},
		"a second assertion":    {wrapped, certs, auth.ErrSAMLMalformed},
	}
	for name, c := range cases {
		if _, err := auth.VerifySAMLResponse(c.resp, c.certs, time.Now()); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}
