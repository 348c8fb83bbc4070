package xtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"testing"
)

// SAMLEncryption is how EncryptedResponse encrypts an assertion for a service provider
// (XML Encryption, as SAML 2.0 identity providers do).
type SAMLEncryption struct {
	Key *rsa.PublicKey // the service provider's key, which the content key is wrapped for
	// Content is the content cipher: aes128-gcm, aes256-gcm, aes128-cbc or aes256-cbc
	// ("" means aes256-gcm).
	Content string
	// Transport is the key transport: rsa-oaep-mgf1p ("", SHA-1), rsa-oaep (XML
	// Encryption 1.1, SHA-256 digest and MGF1 with SHA-256) or rsa-1_5.
	Transport string
	// KeyBeside puts the EncryptedKey beside the EncryptedData, in the
	// EncryptedAssertion, rather than in the EncryptedData's KeyInfo.
	KeyBeside bool
	// SignResponse signs the Response over the encrypted assertion instead of signing
	// the assertion before it is encrypted.
	SignResponse bool
}

// EncryptedResponse is a base64 SAMLResponse whose assertion is an EncryptedAssertion.
func (p *SAMLIdP) EncryptedResponse(t testing.TB, c SAMLClaims, e SAMLEncryption) string {
	t.Helper()
	c = c.withDefaults()
	assertion := p.assertion(c)
	if !e.SignResponse {
		assertion = p.sign(t, assertion)
	}
	response := wrapResponse(c, encryptAssertion(t, assertion, e))
	if e.SignResponse {
		response = p.sign(t, response)
	}
	return base64.StdEncoding.EncodeToString([]byte(response))
}

const (
	xencNS   = "http://www.w3.org/2001/04/xmlenc#"
	xenc11NS = "http://www.w3.org/2009/xmlenc11#"
)

func encryptAssertion(t testing.TB, assertion string, e SAMLEncryption) string {
	t.Helper()
	if e.Content == "" {
		e.Content = "aes256-gcm"
	}
	size := map[string]int{"aes128-gcm": 16, "aes256-gcm": 32, "aes128-cbc": 16, "aes256-cbc": 32}[e.Content]
	gcm := e.Content == "aes128-gcm" || e.Content == "aes256-gcm"
	contentNS := xencNS
	if gcm {
		contentNS = xenc11NS
	}
	cek := random(t, size)
	data := encryptContent(t, cek, gcm, []byte(assertion))
	key := `<xenc:EncryptedKey xmlns:xenc="` + xencNS + `">` + keyTransport(t, e) + `<xenc:CipherData><xenc:CipherValue>` +
		base64.StdEncoding.EncodeToString(wrapped(t, cek, e)) + `</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>`
	keyInfo, beside := `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">`+key+`</ds:KeyInfo>`, ""
	if e.KeyBeside {
		keyInfo, beside = "", key
	}
	return `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` +
		`<xenc:EncryptedData xmlns:xenc="` + xencNS + `" Type="` + xencNS + `Element">` +
		`<xenc:EncryptionMethod Algorithm="` + contentNS + e.Content + `"/>` + keyInfo +
		`<xenc:CipherData><xenc:CipherValue>` + base64.StdEncoding.EncodeToString(data) + `</xenc:CipherValue></xenc:CipherData>` +
		`</xenc:EncryptedData>` + beside + `</saml:EncryptedAssertion>`
}

// keyTransport is the EncryptedKey's EncryptionMethod.
func keyTransport(t testing.TB, e SAMLEncryption) string {
	t.Helper()
	switch e.Transport {
	case "", "rsa-oaep-mgf1p":
		return `<xenc:EncryptionMethod Algorithm="` + xencNS + `rsa-oaep-mgf1p"><ds:DigestMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod>`
	case "rsa-oaep":
		return `<xenc:EncryptionMethod Algorithm="` + xenc11NS + `rsa-oaep"><ds:DigestMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>` +
			`<xenc11:MGF xmlns:xenc11="` + xenc11NS + `" Algorithm="` + xenc11NS + `mgf1sha256"/></xenc:EncryptionMethod>`
	case "rsa-1_5":
		return `<xenc:EncryptionMethod Algorithm="` + xencNS + `rsa-1_5"/>`
	}
	t.Fatalf("unknown key transport %q", e.Transport)
	return ""
}

// wrapped is the content key encrypted for e.Key.
func wrapped(t testing.TB, cek []byte, e SAMLEncryption) []byte {
	t.Helper()
	var out []byte
	var err error
	switch e.Transport {
	case "", "rsa-oaep-mgf1p":
		out, err = rsa.EncryptOAEP(sha1.New(), rand.Reader, e.Key, cek, nil)
	case "rsa-oaep":
		out, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, e.Key, cek, nil)
	case "rsa-1_5":
		out, err = rsa.EncryptPKCS1v15(rand.Reader, e.Key, cek)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// encryptContent is XML Encryption's AES content: the IV, then the cipher text (GCM's
// tag at its end; CBC's plain text padded as ISO 10126 does).
func encryptContent(t testing.TB, key []byte, gcm bool, plain []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	if gcm {
		aead, err := cipher.NewGCM(block)
		if err != nil {
			t.Fatal(err)
		}
		nonce := random(t, aead.NonceSize())
		return aead.Seal(nonce, nonce, plain, nil)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(append([]byte{}, plain...), random(t, pad)...)
	padded[len(padded)-1] = byte(pad)
	iv := random(t, aes.BlockSize)
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, padded)
	return append(iv, out...)
}

func random(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// NewSAMLDecryptionKey is a service provider's private key for encrypted assertions,
// and its PEM (PKCS #8), as IAM's AddPrivateKey takes it.
func NewSAMLDecryptionKey(t testing.TB) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
