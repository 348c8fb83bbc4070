package dynamodb

import (
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// managedKey is the AWS managed key DynamoDB uses when SSE is enabled without a key.
const managedKey = "alias/aws/dynamodb"

// sseChoice is what an SSESpecification asks for: KMS encryption under key (the
// managed key when key is ""), or the AWS owned key when kms is false.
type sseChoice struct {
	kms bool
	key string
}

func sseOf(spec *ddb.SSESpecification) (sseChoice, error) {
	if spec == nil {
		return sseChoice{}, nil
	}
	enabled := spec.Enabled != nil && *spec.Enabled
	if spec.SSEType != nil && *spec.SSEType != ddb.SSETypeKms {
		return sseChoice{}, msgSSEType.New(*spec.SSEType)
	}
	if !enabled && spec.KMSMasterKeyId != nil {
		return sseChoice{}, msgKeyWithoutSSE.New()
	}
	ch := sseChoice{kms: enabled}
	if spec.KMSMasterKeyId != nil {
		ch.key = *spec.KMSMasterKeyId
	}
	return ch, nil
}

// resolveSSE finds the key of a KMS choice in the Region of v: it must be an enabled
// symmetric encryption key.
func (s *Service) resolveSSE(tx kit.Tx, v kit.View, ch sseChoice) (*sseRecord, error) {
	if !ch.kms {
		return nil, nil
	}
	id := ch.key
	if id == "" {
		id = managedKey
	}
	ki, err := s.keys.Resolve(tx, v.Account(), v.Region(), id)
	if err != nil {
		return nil, msgKMSKey.New(id, err.Error())
	}
	if !ki.Enabled || ki.Usage != "ENCRYPT_DECRYPT" || ki.Spec != "SYMMETRIC_DEFAULT" {
		return nil, msgKMSKey.New(id, "the key is not an enabled symmetric encryption key")
	}
	return &sseRecord{KeyARN: ki.ARN, Managed: ch.key == "" || ki.AWSManaged, Status: ddb.SSEStatusEnabled}, nil
}

// encryptTable gives a new table its encryption and its data key.
func (s *Service) encryptTable(tx kit.Tx, v kit.View, rec *tableRecord, spec *ddb.SSESpecification) error {
	ch, err := sseOf(spec)
	if err != nil {
		return err
	}
	if rec.SSE, err = s.resolveSSE(tx, v, ch); err != nil {
		return err
	}
	rec.DataKey, err = s.newDataKey(tx, v, rec)
	return err
}

// rewrap puts a table's data key under new encryption (UpdateTable's SSESpecification):
// the key itself, and so every item, stays as it is.
func (s *Service) rewrap(tx kit.Tx, v kit.View, rec *tableRecord, sse *sseRecord) error {
	dk, err := s.unwrap(tx, v.Account(), v.Region(), rec)
	if err != nil {
		return err
	}
	return s.wrapKey(tx, v, rec, sse, dk)
}

// wrapKey wraps the data key dk for the table rec of v under sse (the root key when
// sse is nil) and records both.
func (s *Service) wrapKey(tx kit.Tx, v kit.View, rec *tableRecord, sse *sseRecord, dk []byte) error {
	rec.SSE = sse
	if sse == nil {
		rec.DataKey = s.Sealer.Seal(dk, ownedAAD(v.Account(), v.Region(), rec.ID))
		return nil
	}
	wrapped, _, err := s.keys.Encrypt(tx, v.Account(), v.Region(), sse.KeyARN, dk, encryptionContext(v.Account(), rec.Name))
	if err != nil {
		return msgKMSKey.New(sse.KeyARN, err.Error())
	}
	rec.DataKey = wrapped
	return nil
}
