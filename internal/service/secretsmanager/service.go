package secretsmanager

import (
	"context"
	"errors"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

const serviceName = "secretsmanager"

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is Secrets Manager.
type Service struct {
	*kit.Kit
	keys  port.KeyRing
	trail port.Trail              // nil in a binary without CloudTrail
	owner port.ManagedSecretOwner // RDS, told of new values of the secrets it owns; nil without it
	// keyAccess checks the caller's use of a secret's key in strict mode (KMS's).
	keyAccess port.KeyAccess
	pages     kit.Pager
	// secretCache and versionCache keep decoded records for GetSecretValue's read path.
	secretCache  *kit.Cache[secretRecord]
	versionCache *kit.Cache[versionRecord]
	access       *accessLog
}

// recordCacheSize bounds each record cache; a miss costs one JSON decode.
const recordCacheSize = 100_000

var (
	_ service.Service  = (*Service)(nil)
	_ service.Resetter = (*Service)(nil)
	_ service.Stopper  = (*Service)(nil)
)

// New builds the service, registers its jobs and asks for the key ring.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k, secretCache: kit.NewCache(secrets, recordCacheSize), versionCache: kit.NewCache(versions, recordCacheSize)}
	s.pages = k.Pager(func(string) error { return msgBadNextToken.New() })
	s.access = newAccessLog(k)
	s.registerJobs()
	service.Need(d.Ports, &s.keys)
	service.Want(d.Ports, &s.trail)
	service.Want(d.Ports, &s.owner)
	service.Want(d.Ports, &s.keyAccess)
	service.Provide[port.ManagedSecrets](d.Ports, s)
	return s, nil
}

// Reset drops the record caches and pending access dates when the admin API wipes the
// store. The caches could not serve stale records anyway (entries are checked against the
// stored bytes); this frees them.
func (s *Service) Reset() {
	s.secretCache.Reset()
	s.versionCache.Reset()
	s.access.forget()
}

// Stop writes the LastAccessedDate updates still pending. On a full disk they cannot be
// kept, as the timer's flushes could not keep them while serving: the dates are a
// day-resolution hint, the store already logged that it refuses writes, and losing them
// is no failure of the process (which would otherwise exit 1 on SIGTERM).
func (s *Service) Stop(context.Context) error {
	if err := s.access.flush(); err != nil {
		if !errors.Is(err, kit.ErrNoSpace) {
			return err
		}
		s.Log.Warn("secretsmanager: LastAccessedDate updates not kept: the store has no space", "error", err)
	}
	return nil
}

// Model is the Secrets Manager API model.
func (s *Service) Model() *awsmodel.API { return secretsmanagerapi.Model() }

// Handlers binds all 23 operations, each to the method named after it.
func (s *Service) Handlers() []awsmodel.Handler {
	return secretsmanagerapi.Bind(s)
}
