package auth

import (
	"crypto/rsa"
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
	dsigNS          = dsig.Namespace
)

// SAMLKeys is what a provider holds to read its responses: the certificates whose keys
// sign them, and the private keys encrypted assertions are encrypted for.
type SAMLKeys struct {
	Certificates []*x509.Certificate
	// DecryptionKeys open EncryptedAssertions; none means the provider cannot read one.
	DecryptionKeys []*rsa.PrivateKey
	// RequireEncryption refuses a response whose assertion is not encrypted
	// (ErrSAMLNotEncrypted).
	RequireEncryption bool
}

// VerifySAMLResponse decodes a base64 SAMLResponse, decrypts its assertion if it is an
// EncryptedAssertion, checks the enveloped signature (on the Response or on its
// Assertion) against keys' certificates at now, and reads the signed assertion.
func VerifySAMLResponse(encoded string, keys SAMLKeys, now time.Time) (*SAMLAssertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return nil, ErrSAMLMalformed
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return nil, ErrSAMLMalformed
	}
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: keys.Certificates})
	ctx.Clock = dsig.NewFakeClockAt(now)
	assertion, err := signedAssertion(ctx, doc.Root(), keys)
	if err != nil {
		return nil, err
	}
	return readAssertion(assertion), nil
}

// signedAssertion returns the assertion as the signature covers it: inside a signed
// Response (whose signature covers an encrypted assertion as it was encrypted), or a
// signed Assertion itself, once decrypted. An unsigned one is refused.
func signedAssertion(ctx *dsig.ValidationContext, root *etree.Element, keys SAMLKeys) (*etree.Element, error) {
	switch {
	case root.Tag == "Response" && root.NamespaceURI() == samlProtocolNS:
		signed := hasSignature(root)
		if signed {
			verified, err := ctx.Validate(root)
			if err != nil {
				return nil, ErrSAMLSignature
			}
			root = verified
		}
		assertion, err := onlyAssertion(root, keys)
		if err != nil || signed {
			return assertion, err
		}
		return signedElement(ctx, assertion)
	case root.Tag == "Assertion" && root.NamespaceURI() == samlAssertionNS:
		if keys.RequireEncryption {
			return nil, ErrSAMLNotEncrypted
		}
		return signedElement(ctx, root)
	}
	return nil, ErrSAMLMalformed
}

// signedElement is el as its own enveloped signature covers it.
func signedElement(ctx *dsig.ValidationContext, el *etree.Element) (*etree.Element, error) {
	if !hasSignature(el) {
		return nil, ErrSAMLSignature
	}
	verified, err := ctx.Validate(el)
	if err != nil {
		return nil, ErrSAMLSignature
	}
	return verified, nil
}

func hasSignature(el *etree.Element) bool {
	return child(el, dsigNS, "Signature") != nil
}

// onlyAssertion is the one Assertion of a Response, decrypted if it is an
// EncryptedAssertion: several would let an unsigned one ride beside a signed one.
func onlyAssertion(response *etree.Element, keys SAMLKeys) (*etree.Element, error) {
	plain, encrypted := children(response, samlAssertionNS, "Assertion"), children(response, samlAssertionNS, "EncryptedAssertion")
	switch {
	case len(plain)+len(encrypted) != 1:
		return nil, ErrSAMLMalformed
	case len(encrypted) == 1:
		return decryptAssertion(encrypted[0], keys.DecryptionKeys)
	case keys.RequireEncryption:
		return nil, ErrSAMLNotEncrypted
	}
	return plain[0], nil
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
