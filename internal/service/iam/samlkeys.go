package iam

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/port"
)

// The private keys of a SAML provider, with which AssumeRoleWithSAML decrypts encrypted
// assertions, and its AssertionEncryptionMode. A key is kept sealed under the server's
// root key, bound to its account, provider and key id; GetSAMLProvider shows its id and
// upload time, never the key. AWS keeps at most two, so that a key can be rotated (add
// the new one, then remove the old one in a separate request).

// samlKeysPerProvider is AWS's limit (the model's privateKeyList has at most two).
const samlKeysPerProvider = 2

// The AssertionEncryptionMode values. A provider that never set one is Allowed.
const (
	encryptionAllowed  = "Allowed"
	encryptionRequired = "Required"
)

type samlPrivateKey struct {
	ID       string
	Uploaded time.Time
	Sealed   []byte // PKCS #8 DER, sealed with samlKeyAAD
}

// samlKeyAAD binds a sealed key to where it belongs, so that it cannot be moved to
// another provider's record.
func samlKeyAAD(account, provider, keyID string) []byte {
	return []byte("iam/saml-private-key/" + account + "/" + provider + "/" + keyID)
}

// parseSAMLPrivateKey reads AddPrivateKey: one PEM block of an RSA private key, PKCS #8
// ("PRIVATE KEY") or PKCS #1 ("RSA PRIVATE KEY"), returned as PKCS #8. RSA alone: the
// identity provider wraps each assertion's content key with RSA-OAEP.
func parseSAMLPrivateKey(text string) ([]byte, error) {
	block, rest := pem.Decode([]byte(text))
	if block == nil || strings.TrimSpace(string(rest)) != "" {
		return nil, msgSAMLKeyMalformed.New()
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, msgSAMLKeyMalformed.New()
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if err != nil || !ok || rsaKey.N.BitLen() < 2048 {
		return nil, msgSAMLKeyMalformed.New()
	}
	return x509.MarshalPKCS8PrivateKey(rsaKey)
}

// setEncryption applies a request's AssertionEncryptionMode, AddPrivateKey and
// RemovePrivateKey to p, which belongs to account, and checks what results: at most two
// keys, and a key whenever encryption is Required. Nothing is stored until it returns nil.
func (s *Service) setEncryption(account string, p *samlRecord, mode, add, remove *string) error {
	if remove != nil {
		i := slices.IndexFunc(p.PrivateKeys, func(k samlPrivateKey) bool { return k.ID == *remove })
		if i < 0 {
			return msgSAMLNoSuchKey.New(*remove)
		}
		p.PrivateKeys = slices.Delete(p.PrivateKeys, i, i+1)
	}
	if add != nil {
		der, err := parseSAMLPrivateKey(*add)
		if err != nil {
			return err
		}
		if len(p.PrivateKeys) >= samlKeysPerProvider {
			return msgSAMLTooManyKeys.New(samlKeysPerProvider)
		}
		id := ids.Upper(26)
		p.PrivateKeys = append(p.PrivateKeys, samlPrivateKey{ID: id, Uploaded: s.now(), Sealed: s.Sealer.Seal(der, samlKeyAAD(account, p.Name, id))})
	}
	if mode != nil {
		p.EncryptionMode = *mode
	}
	if p.encryptionMode() == encryptionRequired && len(p.PrivateKeys) == 0 {
		return msgSAMLRequiredNoKey.New()
	}
	return nil
}

func (p *samlRecord) encryptionMode() string {
	if p.EncryptionMode == "" {
		return encryptionAllowed
	}
	return p.EncryptionMode
}

// apiPrivateKeys is GetSAMLProvider's PrivateKeyList: ids and upload times only.
func (p *samlRecord) apiPrivateKeys() []iamapi.SAMLPrivateKey {
	var out []iamapi.SAMLPrivateKey
	for _, k := range p.PrivateKeys {
		out = append(out, iamapi.SAMLPrivateKey{KeyId: ptr(k.ID), Timestamp: ptr(k.Uploaded)})
	}
	return out
}

// provider is what STS needs of p: its certificates, and its private keys opened.
func (s *Service) provider(c call, p *samlRecord) (port.SAMLProvider, error) {
	out := port.SAMLProvider{ARN: p.arn(c), Name: p.Name, Certificates: p.Certificates, RequireEncryption: p.encryptionMode() == encryptionRequired}
	for _, k := range p.PrivateKeys {
		der, err := s.Sealer.Open(k.Sealed, samlKeyAAD(c.Account, p.Name, k.ID))
		if err != nil {
			return out, err
		}
		key, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return out, err
		}
		if rsaKey, ok := key.(*rsa.PrivateKey); ok {
			out.DecryptionKeys = append(out.DecryptionKeys, rsaKey)
		}
	}
	return out, nil
}
