package rds

import (
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// RDS holds a KMS grant on the key of each encrypted DB instance, as AWS's RDS does: the
// grantee and retiring principal are rds.REGION.amazonaws.com, the grant is named after
// the instance's DbiResourceId and constrained to its encryption context (aws:rds:db-id),
// and it is retired when the instance is deleted. ListGrants on the key shows it.

// instanceGrantOperations are the operations RDS's grants allow.
var instanceGrantOperations = []string{"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
	"ReEncryptFrom", "ReEncryptTo", "CreateGrant", "RetireGrant", "DescribeKey"}

// grantInstanceKey makes the grant of a new encrypted instance.
func (s *Service) grantInstanceKey(tx kit.Tx, v kit.View, inst *instanceRec) error {
	if s.keyAccess == nil || inst.KmsKey == "" {
		return nil
	}
	_, err := s.keyAccess.CreateServiceGrant(tx, port.ServiceGrant{
		Account: v.Account(), Region: v.Region(), KeyID: inst.KmsKey, Service: serviceName, Name: inst.ResourceID,
		Operations: instanceGrantOperations, Context: map[string]string{"aws:rds:db-id": inst.ResourceID},
	})
	if port.KeyUnavailable(err) {
		return msgKeyNotAccessible.New(inst.KmsKey)
	}
	return err
}

// retireInstanceGrant retires the grant of a deleted instance.
func (s *Service) retireInstanceGrant(tx kit.Tx, v kit.View, inst *instanceRec) error {
	if s.keyAccess == nil || inst.KmsKey == "" {
		return nil
	}
	return s.keyAccess.RetireServiceGrants(tx, v.Account(), v.Region(), inst.KmsKey, serviceName, inst.ResourceID)
}
