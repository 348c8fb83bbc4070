package secretsmanager

import (
	"errors"
	"fmt"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// secretValue is a version's value in plain text; it only lives in memory.
type secretValue struct {
	String *string
	Binary []byte
}

func (v secretValue) bytes() []byte {
	if v.String != nil {
		return []byte(*v.String)
	}
	return v.Binary
}

func (v secretValue) equal(o secretValue) bool {
	if (v.String == nil) != (o.String == nil) {
		return false
	}
	if v.String != nil {
		return *v.String == *o.String
	}
	return string(v.Binary) == string(o.Binary)
}

// inputValue checks the SecretString/SecretBinary pair of a request.
func inputValue(str *string, bin []byte) (secretValue, bool, error) {
	switch {
	case str != nil && bin != nil:
		return secretValue{}, false, msgBothValues.New()
	case str != nil:
		return secretValue{String: str}, true, nil
	case bin != nil:
		return secretValue{Binary: bin}, true, nil
	}
	return secretValue{}, false, nil
}

// encryptionContext binds a value to its secret and version, as AWS does.
func encryptionContext(secretARN, versionID string) map[string]string {
	return map[string]string{"SecretARN": secretARN, "SecretVersionId": versionID}
}

// keyIdent is the identifier handed to KMS for a secret's KmsKeyId.
func keyIdent(kmsKeyID string) string {
	if kmsKeyID == "" {
		return defaultKeyAlias
	}
	return kmsKeyID
}

// keyLabel is how ListSecretVersionIds shows the key of a version.
func keyLabel(kmsKeyID string) string {
	if kmsKeyID == "" || kmsKeyID == defaultKeyAlias {
		return "DefaultEncryptionKey"
	}
	return kmsKeyID
}

// keyError maps a key ring failure to Secrets Manager's answer; encrypting tells which
// side.
func keyError(err error, encrypting bool) error {
	switch {
	case port.KeyUnavailable(err), errors.Is(err, port.ErrInvalidKeyUsage),
		errors.Is(err, port.ErrInvalidCiphertext), errors.Is(err, port.ErrIncorrectKey):
		if encrypting {
			return msgEncryption.New()
		}
		return msgDecryption.New()
	}
	return fmt.Errorf("secretsmanager: KMS: %w", err)
}

// checkKey resolves a key for a secret in the Region of v and refuses one that cannot
// encrypt, before anything is written. It needs a writable transaction for
// aws/secretsmanager, which KMS creates on first use.
func (s *Service) checkKey(tx kit.Tx, v kit.View, kmsKeyID string) (port.KeyInfo, error) {
	ki, err := s.keys.Resolve(tx, v.Account(), v.Region(), keyIdent(kmsKeyID))
	if err != nil {
		return port.KeyInfo{}, keyError(err, true)
	}
	if !ki.Enabled {
		return port.KeyInfo{}, keyError(port.ErrKeyDisabled, true)
	}
	return ki, nil
}

// storeValue encrypts a value under the secret's key and writes the version record (whose
// ID, Created and Accessed the caller set) and its value. The caller attaches labels.
func (s *Service) storeValue(tx kit.Tx, v kit.View, rec *secretRecord, ver *versionRecord, val secretValue) error {
	ct, ki, err := s.keys.Encrypt(tx, v.Account(), v.Region(), keyIdent(rec.KmsKeyID), val.bytes(), encryptionContext(rec.arn(v), ver.ID))
	if err != nil {
		return keyError(err, true)
	}
	ver.KeyARN, ver.KeyLabel, ver.Binary = ki.ARN, keyLabel(rec.KmsKeyID), val.String == nil
	if err := versions.Put(v, ver, rec.Name, ver.ID); err != nil {
		return err
	}
	return values.Put(v, ct, rec.Name, ver.ID)
}

// loadValue decrypts a version's value. It works in a read-only transaction.
func (s *Service) loadValue(tx kit.Tx, v kit.View, rec *secretRecord, ver *versionRecord) (secretValue, error) {
	return s.openValue(tx, v, rec, ver, encryptionContext(rec.arn(v), ver.ID))
}

// openValue is loadValue with the version's encryption context already built.
func (s *Service) openValue(tx kit.Tx, v kit.View, rec *secretRecord, ver *versionRecord, encCtx map[string]string) (secretValue, error) {
	ct := values.Get(v, rec.Name, ver.ID)
	if ct == nil {
		return secretValue{}, fmt.Errorf("secretsmanager: version %s of %s has no value", ver.ID, rec.Name)
	}
	pt, _, err := s.keys.Decrypt(tx, v.Account(), v.Region(), ct, encCtx)
	if err != nil {
		return secretValue{}, keyError(err, false)
	}
	if ver.Binary {
		return secretValue{Binary: pt}, nil
	}
	return secretValue{String: new(string(pt))}, nil
}

// reencrypt moves a version's value under the secret's current key, for UpdateSecret's
// KmsKeyId.
func (s *Service) reencrypt(tx kit.Tx, v kit.View, rec *secretRecord, ver *versionRecord) error {
	val, err := s.loadValue(tx, v, rec, ver)
	if err != nil {
		return err
	}
	nv := *ver
	return s.storeValue(tx, v, rec, &nv, val)
}
