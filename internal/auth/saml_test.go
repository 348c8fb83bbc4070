package auth_test

import (
	"crypto/rsa"
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
	a, err := auth.VerifySAMLResponse(good, auth.SAMLKeys{Certificates: certs}, time.Now())
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
		if _, err := auth.VerifySAMLResponse(c.resp, auth.SAMLKeys{Certificates: c.certs}, time.Now()); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestVerifyEncryptedSAMLResponse(t *testing.T) {
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	certs := samlCerts(t, idp)
	key, _ := xtest.NewSAMLDecryptionKey(t)
	other, _ := xtest.NewSAMLDecryptionKey(t)
	keys := auth.SAMLKeys{Certificates: certs, DecryptionKeys: []*rsa.PrivateKey{other, key}}
	claims := xtest.SAMLClaims{Subject: "alice", Roles: []string{"r,p"}, SessionName: "alice"}
	for _, e := range []xtest.SAMLEncryption{
		{Content: "aes128-gcm"}, {Content: "aes256-gcm"}, {Content: "aes128-cbc"}, {Content: "aes256-cbc"},
		{Transport: "rsa-oaep"}, {KeyBeside: true}, {SignResponse: true, Content: "aes128-cbc"},
	} {
		e.Key = &key.PublicKey
		a, err := auth.VerifySAMLResponse(idp.EncryptedResponse(t, claims, e), keys, time.Now())
		if err != nil || a.Subject != "alice" || a.Issuer != "https://idp.example.com" {
			t.Errorf("%+v: %+v, %v", e, a, err)
		}
	}

	encrypted := idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey})
	// The assertion encrypted for the provider but signed by another identity provider.
	forged := xtest.NewSAMLIdP(t, "https://idp.example.com").EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey})
	cases := map[string]struct {
		resp string
		keys auth.SAMLKeys
		want error
	}{
		"no private key":                {encrypted, auth.SAMLKeys{Certificates: certs}, auth.ErrSAMLDecrypt},
		"another private key":           {encrypted, auth.SAMLKeys{Certificates: certs, DecryptionKeys: []*rsa.PrivateKey{other}}, auth.ErrSAMLDecrypt},
		"RSA PKCS#1 v1.5 key transport": {idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey, Transport: "rsa-1_5"}), keys, auth.ErrSAMLDecrypt},
		"signed by another provider":    {forged, keys, auth.ErrSAMLSignature},
		"plain, encryption required":    {idp.Response(t, claims), auth.SAMLKeys{Certificates: certs, DecryptionKeys: keys.DecryptionKeys, RequireEncryption: true}, auth.ErrSAMLNotEncrypted},
		"changed cipher text":           {tamperCipher(t, encrypted), keys, auth.ErrSAMLDecrypt},
	}
	for name, c := range cases {
		if _, err := auth.VerifySAMLResponse(c.resp, c.keys, time.Now()); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := auth.VerifySAMLResponse(encrypted, auth.SAMLKeys{Certificates: certs, DecryptionKeys: keys.DecryptionKeys, RequireEncryption: true}, time.Now()); err != nil {
		t.Errorf("encrypted, encryption required: %v", err)
	}
}

// tamperCipher flips a bit of the last CipherValue (the assertion's) of a response.
func tamperCipher(t *testing.T, resp string) string {
	t.Helper()
	raw, _ := base64.StdEncoding.DecodeString(resp)
	s := string(raw)
	end := strings.LastIndex(s, "</xenc:CipherValue>")
	start := strings.LastIndex(s[:end], ">") + 1
	ct, err := base64.StdEncoding.DecodeString(s[start:end])
	if err != nil {
		t.Fatal(err)
	}
	ct[len(ct)/2] ^= 1
	return base64.StdEncoding.EncodeToString([]byte(s[:start] + base64.StdEncoding.EncodeToString(ct) + s[end:]))
}
