package secretsmanager

import (
	"errors"

	"github.com/xregion/xregion/internal/awserr"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// The caller's use of a secret's KMS key. AWS's Secrets Manager holds no grants: it uses
// the key with the permissions of the caller whose request encrypts or decrypts a value
// (kms:GenerateDataKey to encrypt a new value, kms:Decrypt to read one), with
// kms:ViaService secretsmanager.REGION.amazonaws.com. In strict mode xregion asks KMS
// the same question before it writes anything; permissive mode, or a binary without
// KMS's evaluation, allows. Work Secrets Manager does on its own — scheduled rotations,
// replica syncs after the request that set them up, an owning service's rotations — is
// not checked against a caller.

// Actions Secrets Manager asks KMS about.
const (
	kmsEncrypt = "GenerateDataKey"
	kmsDecrypt = "Decrypt"
)

// mayUseKey asks KMS whether caller may use keyID for action through Secrets Manager in
// the Region of v, for a value bound to context. A refusal is AWS's
// AccessDeniedException. The zero Caller is Secrets Manager's own work for an owning
// service, which is not checked.
func (s *Service) mayUseKey(tx kit.Tx, v kit.View, caller kit.Caller, keyID, action string, context map[string]string) error {
	if s.keyAccess == nil || keyID == "" || caller.ARN == "" {
		return nil
	}
	err := s.keyAccess.AuthorizeVia(tx, port.KeyUse{
		Account: v.Account(), Region: v.Region(), KeyID: keyID, Action: action, Service: serviceName,
		Caller: caller, Context: context,
	})
	switch {
	case errors.Is(err, port.ErrKeyAccessDenied):
		return msgKMSAccessDenied.New()
	case err != nil:
		return keyError(err, action != kmsDecrypt)
	}
	return nil
}

// mayEncrypt checks that the caller may have a new version id of rec encrypted under the
// secret's key.
func (s *Service) mayEncrypt(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord, id string) error {
	return s.mayUseKey(tx, v, caller, keyIdent(rec.KmsKeyID), kmsEncrypt, encryptionContext(rec.arn(v), id))
}

// mayReencrypt tells whether UpdateSecret's caller may move ver under the secret's new
// key: decrypt it under the key it has, and encrypt it under the new one. AWS documents
// that a caller who may not leaves the version under its old key rather than failing the
// call ("If you don't have kms:Encrypt permission to the new key, Secrets Manager does
// not re-encrypt existing secret versions"); xregion asks kms:GenerateDataKey for the
// encryption, as for every other value Secrets Manager encrypts.
func (s *Service) mayReencrypt(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord, ver *versionRecord) (bool, error) {
	ctx := encryptionContext(rec.arn(v), ver.ID)
	for _, use := range []struct{ key, action string }{{ver.KeyARN, kmsDecrypt}, {keyIdent(rec.KmsKeyID), kmsEncrypt}} {
		err := s.mayUseKey(tx, v, caller, use.key, use.action, ctx)
		if err == nil {
			continue
		}
		if isKMSDenied(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func isKMSDenied(err error) bool { return awserr.Is(err, msgKMSAccessDenied.Kind.Code) }

// mayDecryptCurrent checks that the caller may decrypt rec's AWSCURRENT value, if it has
// one.
func (s *Service) mayDecryptCurrent(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord) error {
	id := rec.Stages[stageCurrent]
	if id == "" {
		return nil
	}
	ver, err := versions.Get(v, rec.Name, id)
	if err != nil || ver == nil {
		return err
	}
	return s.mayUseKey(tx, v, caller, ver.KeyARN, kmsDecrypt, encryptionContext(rec.arn(v), ver.ID))
}

// mayRotate checks that RotateSecret's caller may make the new AWSPENDING version the
// rotation writes at once: decrypt the AWSCURRENT value it starts from and encrypt the
// new one. An owning service rotates its secrets with its own rights.
func (s *Service) mayRotate(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord, token string) error {
	if rec.OwningService != "" {
		return nil
	}
	if err := s.mayDecryptCurrent(tx, v, caller, rec); err != nil {
		return err
	}
	return s.mayEncrypt(tx, v, caller, rec, token)
}

// mayReplicate checks the caller's keys for replicas being added to rec: the primary's
// values are decrypted with the caller's kms:Decrypt (a refusal fails the call, before
// anything is written), and each replica's key must allow the caller kms:GenerateDataKey
// through Secrets Manager in the replica's Region. A replica key that refuses fails that
// replica, as AWS reports a replica's key problems in its StatusMessage, and the others
// go on.
func (s *Service) mayReplicate(tx kit.Tx, v kit.View, caller kit.Caller, rec *secretRecord, added []*replicaState) error {
	if s.keyAccess == nil || len(added) == 0 {
		return nil
	}
	if err := s.mayDecryptCurrent(tx, v, caller, rec); err != nil {
		return err
	}
	for _, r := range added {
		err := s.keyAccess.AuthorizeVia(tx, port.KeyUse{
			Account: v.Account(), Region: r.Region, KeyID: r.KmsKeyID, Action: kmsEncrypt, Service: serviceName,
			Caller: caller, Context: encryptionContext(arnOf(v.Account(), r.Region, rec.Name, rec.Suffix), rec.Stages[stageCurrent]),
		})
		// A key that cannot be found or used is the sync's to report, as it does now.
		if errors.Is(err, port.ErrKeyAccessDenied) {
			r.Status, r.Message = sm.StatusTypeFailed, textKMSDenied.with(r.KmsKeyID, r.Region)
		}
	}
	return nil
}

// replicaRefs points at each replica of list, for mayReplicate to fail in place.
func replicaRefs(list []replicaState) []*replicaState {
	out := make([]*replicaState, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}
