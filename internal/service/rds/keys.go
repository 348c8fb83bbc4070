package rds

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// defaultKey is the AWS managed key RDS encrypts with when a request names none.
const defaultKey = "alias/aws/rds"

// resolveKey finds a KMS key RDS may encrypt with in the account and Region and returns
// its ARN, which is how RDS reports KmsKeyId whatever form the request used. A key of
// another Region or account, a missing key and a key that is not enabled are all
// KMSKeyNotAccessibleFault naming the key as the request did. It needs a writable
// transaction for alias/aws/rds, which KMS creates on first use.
func (s *Service) resolveKey(tx kit.Tx, account, region, keyID string) (string, error) {
	if keyID == "" {
		keyID = defaultKey
	}
	info, err := s.keys.Resolve(tx, account, region, keyID)
	switch {
	case port.KeyUnavailable(err):
		return "", msgKeyNotAccessible.New(keyID)
	case err != nil:
		return "", err
	}
	if !info.Enabled || info.Usage != "ENCRYPT_DECRYPT" || info.Spec != "SYMMETRIC_DEFAULT" {
		return "", msgKeyNotAccessible.New(keyID)
	}
	return info.ARN, nil
}

// keyUsable reports whether a key RDS already encrypts with can still be used: a
// replication stops when either of its keys is disabled or scheduled for deletion.
func (s *Service) keyUsable(tx kit.Tx, account, region, keyARN string) (bool, error) {
	if keyARN == "" {
		return true, nil
	}
	info, err := s.keys.Resolve(tx, account, region, keyARN)
	switch {
	case port.KeyUnavailable(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return info.Enabled, nil
}

// requireKey answers refused, naming the key, when a key RDS encrypts with can no longer
// be used.
func (s *Service) requireKey(tx kit.Tx, account, region, keyARN string, refused awserr.Message) error {
	ok, err := s.keyUsable(tx, account, region, keyARN)
	if err != nil {
		return err
	}
	if !ok {
		return refused.New(keyARN)
	}
	return nil
}
