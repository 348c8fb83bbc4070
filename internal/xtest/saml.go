package xtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// SAMLIdP is a SAML 2.0 identity provider for tests: a signing key, its self-signed
// certificate, the metadata IAM's CreateSAMLProvider takes, and signed responses for
// AssumeRoleWithSAML.
type SAMLIdP struct {
	EntityID string
	key      *rsa.PrivateKey
	cert     []byte // DER
}

// NewSAMLIdP makes an identity provider with a fresh 2048-bit key.
func NewSAMLIdP(t testing.TB, entityID string) *SAMLIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: entityID},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &SAMLIdP{EntityID: entityID, key: key, cert: der}
}

// Metadata is the provider's EntityDescriptor with its signing certificate.
func (p *SAMLIdP) Metadata() string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + p.EntityID + `">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + base64.StdEncoding.EncodeToString(p.cert) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + p.EntityID + `/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
}

// SAMLClaims is what a test response asserts.
type SAMLClaims struct {
	Subject      string
	Audience     string    // "" means https://signin.aws.amazon.com/saml
	Recipient    string    // "" means the audience
	NotOnOrAfter time.Time // zero means in five minutes
	Roles        []string  // values of the Role attribute: "ROLE_ARN,PROVIDER_ARN"
	SessionName  string    // the RoleSessionName attribute, when not ""
	// SessionDuration is the SessionDuration attribute, when not "".
	SessionDuration string
	// SessionNotOnOrAfter ends the session in an AuthnStatement, when not zero.
	SessionNotOnOrAfter time.Time
}

// Response is a base64 SAMLResponse whose Assertion the provider signed (enveloped,
// exclusive canonicalisation, RSA-SHA256).
func (p *SAMLIdP) Response(t testing.TB, c SAMLClaims) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString([]byte(p.response(t, c, true)))
}

// UnsignedResponse is Response without a signature.
func (p *SAMLIdP) UnsignedResponse(t testing.TB, c SAMLClaims) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString([]byte(p.response(t, c, false)))
}

func (p *SAMLIdP) response(t testing.TB, c SAMLClaims, sign bool) string {
	t.Helper()
	c = c.withDefaults()
	assertion := p.assertion(c)
	if sign {
		assertion = p.sign(t, assertion)
	}
	return wrapResponse(c, assertion)
}

func (c SAMLClaims) withDefaults() SAMLClaims {
	if c.Audience == "" {
		c.Audience = "https://signin.aws.amazon.com/saml"
	}
	if c.Recipient == "" {
		c.Recipient = c.Audience
	}
	if c.NotOnOrAfter.IsZero() {
		c.NotOnOrAfter = time.Now().UTC().Add(5 * time.Minute)
	}
	return c
}

func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// assertion is the unsigned Assertion of c (with defaults).
func (p *SAMLIdP) assertion(c SAMLClaims) string {
	now := time.Now().UTC()
	var attrs strings.Builder
	attrs.WriteString(`<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">`)
	for _, r := range c.Roles {
		attrs.WriteString(`<saml:AttributeValue>` + r + `</saml:AttributeValue>`)
	}
	attrs.WriteString(`</saml:Attribute>`)
	if c.SessionDuration != "" {
		attrs.WriteString(`<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><saml:AttributeValue>` + c.SessionDuration + `</saml:AttributeValue></saml:Attribute>`)
	}
	if c.SessionName != "" {
		attrs.WriteString(`<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>` + c.SessionName + `</saml:AttributeValue></saml:Attribute>`)
	}
	return fmt.Sprintf(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a%d" Version="2.0" IssueInstant="%s">`+
		`<saml:Issuer>%s</saml:Issuer>`+
		`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">%s</saml:NameID>`+
		`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="%s" Recipient="%s"/></saml:SubjectConfirmation></saml:Subject>`+
		`<saml:Conditions NotBefore="%s" NotOnOrAfter="%s"><saml:AudienceRestriction><saml:Audience>%s</saml:Audience></saml:AudienceRestriction></saml:Conditions>`+
		`%s<saml:AttributeStatement>%s</saml:AttributeStatement></saml:Assertion>`,
		now.UnixNano(), samlTime(now), p.EntityID, c.Subject, samlTime(c.NotOnOrAfter), c.Recipient, samlTime(now.Add(-time.Minute)), samlTime(c.NotOnOrAfter), c.Audience,
		authnStatement(c, samlTime(now)), attrs.String())
}

// wrapResponse is the Response that carries assertion (plain or encrypted).
func wrapResponse(c SAMLClaims, assertion string) string {
	return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="` + samlTime(time.Now()) +
		`" Destination="` + c.Recipient + `"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
		assertion + `</samlp:Response>`
}

// authnStatement is the AuthnStatement of a response that ends the session.
func authnStatement(c SAMLClaims, now string) string {
	if c.SessionNotOnOrAfter.IsZero() {
		return ""
	}
	return `<saml:AuthnStatement AuthnInstant="` + now + `" SessionNotOnOrAfter="` + c.SessionNotOnOrAfter.UTC().Format("2006-01-02T15:04:05Z") +
		`"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
}

// sign signs the root element of doc (an Assertion or a Response), enveloped.
func (p *SAMLIdP) sign(t testing.TB, xml string) string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	ctx, err := dsig.NewSigningContext(p.key, [][]byte{p.cert})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	out := etree.NewDocument()
	out.SetRoot(signed)
	s, err := out.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
