package secretsmanager

import (
	"errors"
	"fmt"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
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
		return secretValue{}, false, invalidParam(msgBothValues)
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

// keyError maps a Keyring failure to Secrets Manager's answer; encrypting tells which side.
func keyError(err error, encrypting bool) error {
	switch {
	case errors.Is(err, port.ErrKeyNotFound), errors.Is(err, port.ErrKeyDisabled),
		errors.Is(err, port.ErrKeyPendingDeletion), errors.Is(err, port.ErrKeyInvalidState),
		errors.Is(err, port.ErrInvalidKeyUsage), errors.Is(err, port.ErrInvalidCiphertext),
		errors.Is(err, port.ErrIncorrectKey):
		if encrypting {
			return sm.ErrEncryptionFailure.New(msgEncryption)
		}
		return sm.ErrDecryptionFailure.New(msgDecryption)
	}
	return fmt.Errorf("secretsmanager: KMS: %w", err)
}

// checkKey resolves a key for a secret and refuses one that cannot encrypt, before
// anything is written. It needs a writable transaction for aws/secretsmanager, which KMS
// creates on first use.
func (s *Service) checkKey(tx store.Tx, account, region, kmsKeyID string) (port.KeyInfo, error) {
	ki, err := s.keys.Resolve(kit.Adopt(tx), account, region, keyIdent(kmsKeyID))
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
func (s *Service) storeValue(tx store.Tx, account, region string, rec *secretRecord, ver *versionRecord, v secretValue) error {
	sc := scopeOf(account, region)
	ct, ki, err := s.keys.Encrypt(kit.Adopt(tx), account, region, keyIdent(rec.KmsKeyID), v.bytes(),
		encryptionContext(arnOf(account, region, rec.Name, rec.Suffix), ver.ID))
	if err != nil {
		return keyError(err, true)
	}
	ver.KeyARN, ver.KeyLabel, ver.Binary = ki.ARN, keyLabel(rec.KmsKeyID), v.String == nil
	if err := store.PutJSON(tx, versionKey(sc, rec.Name, ver.ID), ver); err != nil {
		return err
	}
	return tx.Put(valueKey(sc, rec.Name, ver.ID), ct)
}

// loadValue decrypts a version's value. It works in a read-only transaction.
func (s *Service) loadValue(tx store.Tx, account, region string, rec *secretRecord, ver *versionRecord) (secretValue, error) {
	ct := tx.Get(valueKey(scopeOf(account, region), rec.Name, ver.ID))
	if ct == nil {
		return secretValue{}, fmt.Errorf("secretsmanager: version %s of %s has no value", ver.ID, rec.Name)
	}
	pt, _, err := s.keys.Decrypt(kit.Adopt(tx), account, region, ct, encryptionContext(arnOf(account, region, rec.Name, rec.Suffix), ver.ID))
	if err != nil {
		return secretValue{}, keyError(err, false)
	}
	if ver.Binary {
		return secretValue{Binary: pt}, nil
	}
	str := string(pt)
	return secretValue{String: &str}, nil
}

// reencrypt moves a version's value under the secret's current key, for UpdateSecret's
// KmsKeyId.
func (s *Service) reencrypt(tx store.Tx, account, region string, rec *secretRecord, ver *versionRecord) error {
	v, err := s.loadValue(tx, account, region, rec, ver)
	if err != nil {
		return err
	}
	nv := *ver
	return s.storeValue(tx, account, region, rec, &nv, v)
}
