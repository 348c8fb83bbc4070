package auth

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1"   // OAEP's default digest and MGF
	_ "crypto/sha256" // digests an EncryptedKey may name
	_ "crypto/sha512"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/beevik/etree"
)

// Encrypted SAML assertions (XML Encryption 1.1, as SAML 2.0 uses it): an
// EncryptedAssertion holds an EncryptedData whose content key is wrapped for the service
// provider's RSA key in an EncryptedKey, inside the EncryptedData's KeyInfo or beside it.
// The standard library does the cryptography; nothing here trusts what it decrypts — the
// assertion then goes through the signature checks of a plain one.
//
// Key transport is RSA-OAEP, in both its XML Encryption 1.0 form (rsa-oaep-mgf1p: MGF1
// with SHA-1, the digest SHA-1 unless DigestMethod names another) and its 1.1 form
// (rsa-oaep, with DigestMethod and MGF). RSA PKCS#1 v1.5 key transport (rsa-1_5) is
// refused: it is open to padding-oracle attacks, XML Encryption 1.1 made it optional to
// implement for that reason, and AWS names only RSA-OAEP-capable identity providers'
// defaults. The content is AES-GCM or AES-CBC (128, 192 or 256), as AWS requires of the
// identity provider.

// ErrSAMLDecrypt means an encrypted assertion could not be decrypted with any of the
// provider's private keys, or names algorithms that are not served.
var ErrSAMLDecrypt = errors.New("saml: the encrypted assertion cannot be decrypted with the provider's private keys")

// ErrSAMLNotEncrypted means the provider requires encrypted assertions and the response
// carries a plain one.
var ErrSAMLNotEncrypted = errors.New("saml: the provider requires encrypted assertions")

// XML Encryption's namespaces and algorithm identifiers.
const (
	xencNS   = "http://www.w3.org/2001/04/xmlenc#"
	xenc11NS = "http://www.w3.org/2009/xmlenc11#"

	algRSAOAEPMGF1P = xencNS + "rsa-oaep-mgf1p"
	algRSAOAEP      = xenc11NS + "rsa-oaep"
	algRSA15        = xencNS + "rsa-1_5"
)

// contentCiphers are the block ciphers of EncryptedData: key size, and whether GCM.
var contentCiphers = map[string]struct {
	keySize int
	gcm     bool
}{
	xencNS + "aes128-cbc":   {16, false},
	xencNS + "aes192-cbc":   {24, false},
	xencNS + "aes256-cbc":   {32, false},
	xenc11NS + "aes128-gcm": {16, true},
	xenc11NS + "aes192-gcm": {24, true},
	xenc11NS + "aes256-gcm": {32, true},
}

// digests are the DigestMethod and MGF identifiers of RSA-OAEP.
var digests = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
	xenc11NS + "mgf1sha1":                           crypto.SHA1,
	xenc11NS + "mgf1sha256":                         crypto.SHA256,
	xenc11NS + "mgf1sha384":                         crypto.SHA384,
	xenc11NS + "mgf1sha512":                         crypto.SHA512,
}

// decryptAssertion returns the Assertion an EncryptedAssertion holds, parsed under a
// wrapper that declares the namespaces in scope where the EncryptedAssertion stood, so
// that a prefix the plain text borrows from the Response still resolves.
func decryptAssertion(enc *etree.Element, keys []*rsa.PrivateKey) (*etree.Element, error) {
	data := child(enc, xencNS, "EncryptedData")
	if data == nil {
		return nil, ErrSAMLMalformed
	}
	plain, err := decryptData(enc, data, keys)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(namespaceWrapper(enc) + string(plain) + "</xregion-wrapper>"); err != nil {
		return nil, ErrSAMLDecrypt
	}
	var found *etree.Element
	for _, c := range doc.Root().ChildElements() {
		if found != nil || c.Tag != "Assertion" || c.NamespaceURI() != samlAssertionNS {
			return nil, ErrSAMLMalformed
		}
		found = c
	}
	if found == nil {
		return nil, ErrSAMLMalformed
	}
	return found, nil
}

// decryptData unwraps the content key with one of keys and decrypts data.
func decryptData(enc, data *etree.Element, keys []*rsa.PrivateKey) ([]byte, error) {
	method := child(data, xencNS, "EncryptionMethod")
	if method == nil {
		return nil, ErrSAMLDecrypt
	}
	alg, ok := contentCiphers[method.SelectAttrValue("Algorithm", "")]
	if !ok {
		return nil, ErrSAMLDecrypt
	}
	ciphertext, err := cipherValue(data)
	if err != nil {
		return nil, err
	}
	for _, ek := range encryptedKeys(enc, data) {
		for _, k := range keys {
			cek, err := unwrapKey(ek, k)
			if err != nil || len(cek) != alg.keySize {
				continue
			}
			if plain, err := decryptContent(cek, alg.gcm, ciphertext); err == nil {
				return plain, nil
			}
		}
	}
	return nil, ErrSAMLDecrypt
}

// encryptedKeys are the EncryptedKeys that may wrap data's key: in its KeyInfo, or
// beside it in the EncryptedAssertion (where a RetrievalMethod points).
func encryptedKeys(enc, data *etree.Element) []*etree.Element {
	var out []*etree.Element
	if ki := child(data, dsigNS, "KeyInfo"); ki != nil {
		out = append(out, children(ki, xencNS, "EncryptedKey")...)
	}
	return append(out, children(enc, xencNS, "EncryptedKey")...)
}

// unwrapKey decrypts an EncryptedKey's content key with k.
func unwrapKey(ek *etree.Element, k *rsa.PrivateKey) ([]byte, error) {
	method := child(ek, xencNS, "EncryptionMethod")
	if method == nil {
		return nil, ErrSAMLDecrypt
	}
	wrapped, err := cipherValue(ek)
	if err != nil {
		return nil, err
	}
	opts := &rsa.OAEPOptions{Hash: crypto.SHA1, MGFHash: crypto.SHA1}
	switch method.SelectAttrValue("Algorithm", "") {
	case algRSAOAEPMGF1P:
	case algRSAOAEP:
		if mgf := child(method, xenc11NS, "MGF"); mgf != nil {
			if opts.MGFHash, err = digest(mgf); err != nil {
				return nil, err
			}
		}
	default: // algRSA15 among them: see the file's comment
		return nil, ErrSAMLDecrypt
	}
	if dm := child(method, dsigNS, "DigestMethod"); dm != nil {
		if opts.Hash, err = digest(dm); err != nil {
			return nil, err
		}
	}
	if p := child(method, xencNS, "OAEPparams"); p != nil {
		if opts.Label, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(p.Text()), "")); err != nil {
			return nil, ErrSAMLDecrypt
		}
	}
	return k.Decrypt(rand.Reader, wrapped, opts)
}

func digest(el *etree.Element) (crypto.Hash, error) {
	h, ok := digests[el.SelectAttrValue("Algorithm", "")]
	if !ok {
		return 0, ErrSAMLDecrypt
	}
	return h, nil
}

// decryptContent decrypts XML Encryption's AES content: the IV first, then the
// ciphertext (with GCM's tag at its end); CBC's plain text ends in ISO 10126 padding,
// whose last byte counts the padding bytes.
func decryptContent(key []byte, gcm bool, data []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, ErrSAMLDecrypt
	}
	if gcm {
		aead, err := cipher.NewGCM(block)
		if err != nil || len(data) < aead.NonceSize()+aead.Overhead() {
			return nil, ErrSAMLDecrypt
		}
		n := aead.NonceSize()
		return aead.Open(nil, data[:n], data[n:], nil)
	}
	bs := block.BlockSize()
	if len(data) < 2*bs || len(data)%bs != 0 {
		return nil, ErrSAMLDecrypt
	}
	plain := make([]byte, len(data)-bs)
	cipher.NewCBCDecrypter(block, data[:bs]).CryptBlocks(plain, data[bs:])
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > bs {
		return nil, ErrSAMLDecrypt
	}
	return plain[:len(plain)-pad], nil
}

// cipherValue is the base64 CipherData/CipherValue of el (a CipherReference is not
// served: a SAML response carries its cipher text inline).
func cipherValue(el *etree.Element) ([]byte, error) {
	cd := child(el, xencNS, "CipherData")
	if cd == nil {
		return nil, ErrSAMLDecrypt
	}
	cv := child(cd, xencNS, "CipherValue")
	if cv == nil {
		return nil, ErrSAMLDecrypt
	}
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(cv.Text()), ""))
	if err != nil {
		return nil, ErrSAMLDecrypt
	}
	return b, nil
}

// namespaceWrapper opens an element that declares every namespace prefix in scope at el.
func namespaceWrapper(el *etree.Element) string {
	declared := map[string]string{}
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			name := ""
			switch {
			case a.Space == "xmlns":
				name = "xmlns:" + a.Key
			case a.Space == "" && a.Key == "xmlns":
				name = "xmlns"
			default:
				continue
			}
			if _, inner := declared[name]; !inner {
				declared[name] = a.Value
			}
		}
	}
	var b strings.Builder
	b.WriteString("<xregion-wrapper")
	for name, uri := range declared {
		b.WriteString(" " + name + `="` + xmlEscape(uri) + `"`)
	}
	b.WriteString(">")
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;").Replace(s)
}

func child(el *etree.Element, ns, tag string) *etree.Element {
	if c := children(el, ns, tag); len(c) > 0 {
		return c[0]
	}
	return nil
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}
