package sns

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// Message signing. SNS signs every message it delivers to an HTTP/S endpoint with the
// private key of its Region's certificate, which anyone can fetch from the message's
// SigningCertURL: SignatureVersion 1 is SHA1withRSA, 2 SHA256withRSA, both over AWS's
// canonical string. xregion makes one key and self-signed certificate per Region on first
// need, keeps the key sealed with the server's root key, and serves the certificate on
// its own endpoint.

// signerRecord is a Region's signing certificate and key.
type signerRecord struct {
	Name string `json:"name"` // the certificate file's name: SimpleNotificationService-<hash>.pem
	Cert []byte `json:"cert"` // DER
	Key  []byte `json:"key"`  // PKCS #8 DER, sealed with the root key
}

// signerID is the id of the one signer record of a Region.
const signerID = "current"

func signerAAD(region string) []byte { return []byte("xregion/sns/signing-key\x00" + region) }

// newSignerRecord makes an RSA key and a self-signed certificate for it. The validity is
// on the real clock, not the engine's: the clients that verify a signature check the
// certificate against their own time.
func (s *Service) newSignerRecord(region string) (*signerRecord, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"xregion"}},
		DNSNames:     []string{"sns." + region + ".amazonaws.com"},
		NotBefore:    now.Add(-24 * time.Hour), NotAfter: now.AddDate(20, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	name := "SimpleNotificationService-" + hex.EncodeToString(sum[:16]) + ".pem"
	return &signerRecord{Name: name, Cert: der, Key: s.Sealer.Seal(pkcs8, signerAAD(region))}, nil
}

// prepareSigner makes the Region's signer if it has none, generating the key outside
// any transaction.
func (s *Service) prepareSigner(region string) error {
	exists := false
	if err := s.View(func(tx kit.Tx) error {
		exists = signers.Has(tx.In(signerAccount, region), signerID)
		return nil
	}); err != nil || exists {
		return err
	}
	rec, err := s.newSignerRecord(region)
	if err != nil {
		return err
	}
	return s.Update(func(tx kit.Tx) error {
		v := tx.In(signerAccount, region)
		if signers.Has(v, signerID) {
			return nil
		}
		return signers.Put(v, rec, signerID)
	})
}

// signer signs a Region's messages.
type signer struct {
	name string
	cert []byte
	key  *rsa.PrivateKey
}

// signerIn returns the Region's signer, making it in tx if the Region has none yet
// (CreateTopic makes it beforehand; this is for a store wiped under a running delivery).
func (s *Service) signerIn(tx kit.Tx, region string) (*signer, error) {
	v := tx.In(signerAccount, region)
	rec, err := signers.Get(v, signerID)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		if rec, err = s.newSignerRecord(region); err != nil {
			return nil, err
		}
		if err := signers.Put(v, rec, signerID); err != nil {
			return nil, err
		}
	}
	return s.keys.get(s, region, rec)
}

// sign signs a canonical string with SignatureVersion version ("1" or "2") and returns
// the signature in base64, as a message carries it.
func (sg *signer) sign(version, canonical string) (string, error) {
	hash, digest := crypto.SHA1, sha1Sum(canonical)
	if version == "2" {
		sum := sha256.Sum256([]byte(canonical))
		hash, digest = crypto.SHA256, sum[:]
	}
	sig, err := rsa.SignPKCS1v15(nil, sg.key, hash, digest)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

func sha1Sum(s string) []byte {
	sum := sha1.Sum([]byte(s))
	return sum[:]
}

// certPEM is the certificate as SigningCertURL serves it.
func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// keyCache keeps each Region's unsealed signing key, so that a delivery does not unseal
// and parse it again. An entry is used only while the stored sealed key is exactly the
// one it was made from.
type keyCache struct {
	mu      sync.Mutex
	signers map[string]cachedSigner
}

type cachedSigner struct {
	sealed []byte
	signer *signer
}

func (c *keyCache) get(s *Service, region string, rec *signerRecord) (*signer, error) {
	c.mu.Lock()
	hit, ok := c.signers[region]
	c.mu.Unlock()
	if ok && bytes.Equal(hit.sealed, rec.Key) {
		return hit.signer, nil
	}
	pkcs8, err := s.Sealer.Open(rec.Key, signerAAD(region))
	if err != nil {
		return nil, fmt.Errorf("sns: opening the signing key of %s: %w", region, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(pkcs8)
	key, ok := parsed.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("sns: the signing key of %s is not an RSA key: %v", region, err)
	}
	sg := &signer{name: rec.Name, cert: rec.Cert, key: key}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.signers == nil {
		c.signers = map[string]cachedSigner{}
	}
	c.signers[region] = cachedSigner{sealed: bytes.Clone(rec.Key), signer: sg}
	return sg, nil
}

func (c *keyCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.signers = nil
}
