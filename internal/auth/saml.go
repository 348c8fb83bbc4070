package auth

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// SAML 2.0 responses, for AssumeRoleWithSAML. The XML signature is checked with
// goxmldsig, the verifier gosaml2 and Dex use: an exclusive canonicalisation written by
// hand is where signature-wrapping bugs live, and goxmldsig hands back the element it
// verified, from which alone the assertion is read.

// Errors of ParseSAMLResponse and VerifySAMLResponse.
var (
	ErrSAMLMalformed = errors.New("saml: not a base64-encoded SAML response")
	ErrSAMLSignature = errors.New("saml: the response's signature does not verify with the provider's certificates")
	ErrSAMLNoCert    = errors.New("saml: the metadata names no signing certificate")
)

// SAMLAssertion is what a verified assertion says.
type SAMLAssertion struct {
	Issuer       string
	Subject      string // the NameID
	SubjectType  string // the NameID's Format, as AWS shortens it (persistent, transient, or the URI)
	Audiences    []string
	Recipient    string    // SubjectConfirmationData's Recipient: the saml:aud condition key
	NotBefore    time.Time // zero when the assertion sets none
	NotOnOrAfter time.Time // the earliest of Conditions' and SubjectConfirmationData's
	// SessionNotOnOrAfter is the AuthnStatement's end of the session the identity
	// provider allows; zero when it sets none.
	SessionNotOnOrAfter time.Time
	Attributes          map[string][]string
}

// samlNS are the namespaces of SAML 2.0 protocol and assertion elements.
const (
	samlProtocolNS  = "urn:oasis:names:tc:SAML:2.0:protocol"
	samlAssertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"
)

// VerifySAMLResponse decodes a base64 SAMLResponse, checks its enveloped signature (on
// the Response or on its Assertion) against certs at now, and reads the signed assertion.
func VerifySAMLResponse(encoded string, certs []*x509.Certificate, now time.Time) (*SAMLAssertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return nil, ErrSAMLMalformed
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return nil, ErrSAMLMalformed
	}
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: certs})
	ctx.Clock = dsig.NewFakeClockAt(now)
	assertion, err := signedAssertion(ctx, doc.Root())
	if err != nil {
		return nil, err
	}
	return readAssertion(assertion), nil
}

// signedAssertion returns the assertion as the signature covers it: inside a signed
// Response, or a signed Assertion itself. An unsigned one is refused.
func signedAssertion(ctx *dsig.ValidationContext, root *etree.Element) (*etree.Element, error) {
	switch {
	case root.Tag == "Response" && root.NamespaceURI() == samlProtocolNS:
		if hasSignature(root) {
			verified, err := ctx.Validate(root)
			if err != nil {
				return nil, ErrSAMLSignature
			}
			return onlyAssertion(verified)
		}
		assertion, err := onlyAssertion(root)
		if err != nil {
			return nil, err
		}
		return signedAssertion(ctx, assertion)
	case root.Tag == "Assertion" && root.NamespaceURI() == samlAssertionNS:
		if !hasSignature(root) {
			return nil, ErrSAMLSignature
		}
		verified, err := ctx.Validate(root)
		if err != nil {
			return nil, ErrSAMLSignature
		}
		return verified, nil
	}
	return nil, ErrSAMLMalformed
}

func hasSignature(el *etree.Element) bool {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == dsig.Namespace {
			return true
		}
	}
	return false
}

// onlyAssertion is the one Assertion of a Response: several would let an unsigned one
// ride beside a signed one.
func onlyAssertion(response *etree.Element) (*etree.Element, error) {
	var found *etree.Element
	for _, c := range response.ChildElements() {
		if c.Tag == "Assertion" && c.NamespaceURI() == samlAssertionNS {
			if found != nil {
				return nil, ErrSAMLMalformed
			}
			found = c
		}
	}
	if found == nil {
		return nil, ErrSAMLMalformed
	}
	return found, nil
}

// readAssertion reads the fields AssumeRoleWithSAML uses from a verified assertion.
func readAssertion(a *etree.Element) *SAMLAssertion {
	out := &SAMLAssertion{Attributes: map[string][]string{}}
	out.Issuer = text(a.FindElement("./Issuer"))
	if id := a.FindElement("./Subject/NameID"); id != nil {
		out.Subject = strings.TrimSpace(id.Text())
		out.SubjectType = subjectType(id.SelectAttrValue("Format", ""))
	}
	if scd := a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData"); scd != nil {
		out.Recipient = scd.SelectAttrValue("Recipient", "")
		out.NotOnOrAfter = earliest(out.NotOnOrAfter, samlTime(scd.SelectAttrValue("NotOnOrAfter", "")))
	}
	if cond := a.FindElement("./Conditions"); cond != nil {
		out.NotBefore = samlTime(cond.SelectAttrValue("NotBefore", ""))
		out.NotOnOrAfter = earliest(out.NotOnOrAfter, samlTime(cond.SelectAttrValue("NotOnOrAfter", "")))
		for _, aud := range cond.FindElements("./AudienceRestriction/Audience") {
			out.Audiences = append(out.Audiences, text(aud))
		}
	}
	for _, st := range a.FindElements("./AuthnStatement") {
		out.SessionNotOnOrAfter = earliest(out.SessionNotOnOrAfter, samlTime(st.SelectAttrValue("SessionNotOnOrAfter", "")))
	}
	for _, attr := range a.FindElements("./AttributeStatement/Attribute") {
		name := attr.SelectAttrValue("Name", "")
		for _, v := range attr.FindElements("./AttributeValue") {
			out.Attributes[name] = append(out.Attributes[name], text(v))
		}
	}
	return out
}

func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}

// subjectType is AWS's SubjectType: the NameID format's last word for the two SAML 2.0
// formats AWS names, the whole URI otherwise.
func subjectType(format string) string {
	switch format {
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":
		return "persistent"
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:transient":
		return "transient"
	case "":
		return "unspecified"
	}
	return format
}

func samlTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// earliest of two times, a zero time meaning none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// SAMLMetadata is what IAM keeps of an identity provider's metadata document.
type SAMLMetadata struct {
	EntityID     string
	ValidUntil   time.Time // zero when the document sets none
	Certificates [][]byte  // DER, of the signing keys of its IDPSSODescriptor
}

// ParseSAMLMetadata reads an EntityDescriptor: its entity id, validUntil, and the X.509
// certificates of its IdP signing keys (KeyDescriptors with use="signing" or no use).
func ParseSAMLMetadata(doc string) (*SAMLMetadata, error) {
	var md struct {
		XMLName    xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
		EntityID   string   `xml:"entityID,attr"`
		ValidUntil string   `xml:"validUntil,attr"`
		IDP        []struct {
			Keys []struct {
				Use   string   `xml:"use,attr"`
				Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
			} `xml:"KeyDescriptor"`
		} `xml:"IDPSSODescriptor"`
	}
	if err := xml.Unmarshal([]byte(doc), &md); err != nil || md.EntityID == "" {
		return nil, ErrSAMLMalformed
	}
	out := &SAMLMetadata{EntityID: md.EntityID, ValidUntil: samlTime(md.ValidUntil)}
	for _, idp := range md.IDP {
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.Certs {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
				if err != nil {
					return nil, ErrSAMLMalformed
				}
				if _, err := x509.ParseCertificate(der); err != nil {
					return nil, ErrSAMLMalformed
				}
				out.Certificates = append(out.Certificates, der)
			}
		}
	}
	if len(out.Certificates) == 0 {
		return nil, ErrSAMLNoCert
	}
	return out, nil
}
