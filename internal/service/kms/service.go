package kms

import (
	"encoding/hex"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is KMS. It provides port.KeyRing to the other services.
type Service struct {
	*kit.Kit
	pages kit.Pager
	// cache holds decoded key records and mats unsealed material, so that the
	// cryptographic path neither decodes nor unseals after a key's first use.
	cache *kit.Cache[keyRecord]
	mats  materialCache
	// creds says whether the server runs in strict mode, and perms evaluates key
	// policies and IAM policies there (authz.go). Either may be absent (unit tests):
	// then nothing is evaluated.
	creds port.Credentials
	perms port.Permissions
}

var (
	_ service.Service  = (*Service)(nil)
	_ service.Resetter = (*Service)(nil)
)

// cacheLimit bounds each cache. When full, an arbitrary entry makes room: keys in use come
// back at once, and a server with more hot keys than this still works, only slower.
const cacheLimit = 8192

// New builds the service, registers its jobs and provides the key ring.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k, cache: kit.NewCache(keys, cacheLimit)}
	s.pages = k.Pager(func(string) error { return msgInvalidMarker.New() })
	s.registerJobs()
	service.Provide[port.KeyRing](d.Ports, keyRing{s})
	service.Provide[port.KeyAccess](d.Ports, s)
	service.Want(d.Ports, &s.creds)
	service.Want(d.Ports, &s.perms)
	return s, nil
}

// Model is the KMS API model.
func (s *Service) Model() *awsmodel.API { return kmsapi.Model() }

// Reset drops the caches, after the admin API wiped the store.
func (s *Service) Reset() {
	s.cache.Reset()
	s.mats.reset()
}

// Handlers binds every operation KMS implements. The custom key store operations are not
// among them: the gateway answers those with an error naming
// the operation.
func (s *Service) Handlers() []awsmodel.Handler {
	return kmsapi.Bind(s)
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
