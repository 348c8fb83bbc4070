package kms

import (
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is KMS. It implements Keyring for the other services.
type Service struct {
	st     store.Store
	jobs   *jobs.Engine
	clock  *jobs.Clock
	sealer *seal.Sealer
	faults *faults.Registry
	log    *slog.Logger

	recs recordCache
	mats materialCache
}

var (
	_ service.Service  = (*Service)(nil)
	_ service.Resetter = (*Service)(nil)
	_ port.KeyRing     = (*Service)(nil)
)

// New builds the service and registers its jobs with the engine.
func New(d service.Deps) (*Service, error) {
	if d.Store == nil || d.Jobs == nil || d.Clock == nil || d.Sealer == nil {
		return nil, fmt.Errorf("kms: Store, Jobs, Clock and Sealer are required")
	}
	s := &Service{st: d.Store, jobs: d.Jobs, clock: d.Clock, sealer: d.Sealer, faults: d.Faults, log: d.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.registerJobs()
	service.Provide[port.KeyRing](d.Ports, s)
	return s, nil
}

// Model is the KMS API model.
func (s *Service) Model() *awsmodel.API { return kmsapi.Model() }

// Reset drops the caches, after the admin API wiped the store.
func (s *Service) Reset() {
	s.recs.reset()
	s.mats.reset()
}

// Handlers binds every operation KMS implements. The custom key store, grant and key
// import operations are not among them: the gateway answers those with an error naming
// the operation.
func (s *Service) Handlers() []awsmodel.Handler {
	return []awsmodel.Handler{
		kmsapi.OpCreateKey.Handle(s.createKey),
		kmsapi.OpDescribeKey.Handle(s.describeKey),
		kmsapi.OpListKeys.Handle(s.listKeys),
		kmsapi.OpUpdateKeyDescription.Handle(s.updateKeyDescription),
		kmsapi.OpEnableKey.Handle(s.enableKey),
		kmsapi.OpDisableKey.Handle(s.disableKey),
		kmsapi.OpScheduleKeyDeletion.Handle(s.scheduleKeyDeletion),
		kmsapi.OpCancelKeyDeletion.Handle(s.cancelKeyDeletion),
		kmsapi.OpGetKeyPolicy.Handle(s.getKeyPolicy),
		kmsapi.OpPutKeyPolicy.Handle(s.putKeyPolicy),
		kmsapi.OpListKeyPolicies.Handle(s.listKeyPolicies),
		kmsapi.OpEnableKeyRotation.Handle(s.enableKeyRotation),
		kmsapi.OpDisableKeyRotation.Handle(s.disableKeyRotation),
		kmsapi.OpGetKeyRotationStatus.Handle(s.getKeyRotationStatus),
		kmsapi.OpListKeyRotations.Handle(s.listKeyRotations),
		kmsapi.OpRotateKeyOnDemand.Handle(s.rotateKeyOnDemand),
		kmsapi.OpTagResource.Handle(s.tagResource),
		kmsapi.OpUntagResource.Handle(s.untagResource),
		kmsapi.OpListResourceTags.Handle(s.listResourceTags),
		kmsapi.OpCreateAlias.Handle(s.createAlias),
		kmsapi.OpUpdateAlias.Handle(s.updateAlias),
		kmsapi.OpDeleteAlias.Handle(s.deleteAlias),
		kmsapi.OpListAliases.Handle(s.listAliases),
		kmsapi.OpEncrypt.Handle(s.encrypt),
		kmsapi.OpDecrypt.Handle(s.decrypt),
		kmsapi.OpReEncrypt.Handle(s.reEncrypt),
		kmsapi.OpGenerateDataKey.Handle(s.generateDataKey),
		kmsapi.OpGenerateDataKeyWithoutPlaintext.Handle(s.generateDataKeyWithoutPlaintext),
		kmsapi.OpGenerateDataKeyPair.Handle(s.generateDataKeyPair),
		kmsapi.OpGenerateDataKeyPairWithoutPlaintext.Handle(s.generateDataKeyPairWithoutPlaintext),
		kmsapi.OpGenerateRandom.Handle(s.generateRandom),
		kmsapi.OpSign.Handle(s.sign),
		kmsapi.OpVerify.Handle(s.verify),
		kmsapi.OpGetPublicKey.Handle(s.getPublicKey),
		kmsapi.OpDeriveSharedSecret.Handle(s.deriveSharedSecret),
		kmsapi.OpGenerateMac.Handle(s.generateMac),
		kmsapi.OpVerifyMac.Handle(s.verifyMac),
		kmsapi.OpReplicateKey.Handle(s.replicateKey),
		kmsapi.OpUpdatePrimaryRegion.Handle(s.updatePrimaryRegion),
	}
}

// newKeyID makes a key id: a random (version 4) UUID, or for multi-Region keys mrk-
// followed by 32 hex digits.
func newKeyID(multiRegion bool) string {
	b := randomBytes(16)
	if multiRegion {
		return "mrk-" + hex.EncodeToString(b)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// addFirstVersion gives a new key its material.
func (s *Service) addFirstVersion(tx store.Tx, k *keyRecord) error {
	raw, err := generateMaterial(k.Spec)
	if err != nil {
		return err
	}
	k.Versions = []keyVersion{{N: 1, Created: k.CreationDate}}
	return s.putMaterial(tx, k, 1, raw)
}
