package secretsmanager

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

const serviceName = "secretsmanager"

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is Secrets Manager.
type Service struct {
	st     store.Store
	jobs   *jobs.Engine
	clock  *jobs.Clock
	faults *faults.Registry
	keys   port.KeyRing
	log    *slog.Logger
	// secrets and versions keep decoded records for GetSecretValue's read-only path.
	secrets  *store.Decoded[secretRecord]
	versions *store.Decoded[versionRecord]
	access   *accessLog
}

// recordCacheSize bounds each record cache; a miss costs one JSON decode.
const recordCacheSize = 100_000

var (
	_ service.Service  = (*Service)(nil)
	_ service.Resetter = (*Service)(nil)
	_ service.Stopper  = (*Service)(nil)
)

// Reset drops the record caches and pending access dates when the admin API wipes the
// store. The caches could not serve stale records anyway (entries are checked against the
// stored bytes); this frees them.
func (s *Service) Reset() {
	s.secrets.Reset()
	s.versions.Reset()
	s.access.forget()
}

// Stop writes the LastAccessedDate updates still pending.
func (s *Service) Stop(context.Context) error { return s.access.flush() }

// New builds the service and registers its jobs with the engine.
func New(d service.Deps) (*Service, error) {
	if d.Store == nil || d.Jobs == nil || d.Clock == nil {
		return nil, fmt.Errorf("secretsmanager: Store, Jobs and Clock are required")
	}
	s := &Service{st: d.Store, jobs: d.Jobs, clock: d.Clock, faults: d.Faults, log: d.Logger,
		secrets: store.NewDecoded[secretRecord](recordCacheSize), versions: store.NewDecoded[versionRecord](recordCacheSize)}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.access = newAccessLog(s.st, s.log)
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.faults == nil {
		s.faults = &faults.Registry{}
	}
	s.registerJobs()
	service.Need(d.Ports, &s.keys)
	return s, nil
}

// Model is the Secrets Manager API model.
func (s *Service) Model() *awsmodel.API { return secretsmanagerapi.Model() }

// Handlers binds all 23 operations.
func (s *Service) Handlers() []awsmodel.Handler {
	return []awsmodel.Handler{
		secretsmanagerapi.OpCreateSecret.Handle(s.createSecret),
		secretsmanagerapi.OpDescribeSecret.Handle(s.describeSecret),
		secretsmanagerapi.OpGetSecretValue.Handle(s.getSecretValue),
		secretsmanagerapi.OpBatchGetSecretValue.Handle(s.batchGetSecretValue),
		secretsmanagerapi.OpPutSecretValue.Handle(s.putSecretValue),
		secretsmanagerapi.OpUpdateSecret.Handle(s.updateSecret),
		secretsmanagerapi.OpUpdateSecretVersionStage.Handle(s.updateSecretVersionStage),
		secretsmanagerapi.OpListSecrets.Handle(s.listSecrets),
		secretsmanagerapi.OpListSecretVersionIds.Handle(s.listSecretVersionIds),
		secretsmanagerapi.OpDeleteSecret.Handle(s.deleteSecret),
		secretsmanagerapi.OpRestoreSecret.Handle(s.restoreSecret),
		secretsmanagerapi.OpRotateSecret.Handle(s.rotateSecret),
		secretsmanagerapi.OpCancelRotateSecret.Handle(s.cancelRotateSecret),
		secretsmanagerapi.OpGetRandomPassword.Handle(s.getRandomPassword),
		secretsmanagerapi.OpTagResource.Handle(s.tagResource),
		secretsmanagerapi.OpUntagResource.Handle(s.untagResource),
		secretsmanagerapi.OpPutResourcePolicy.Handle(s.putResourcePolicy),
		secretsmanagerapi.OpGetResourcePolicy.Handle(s.getResourcePolicy),
		secretsmanagerapi.OpDeleteResourcePolicy.Handle(s.deleteResourcePolicy),
		secretsmanagerapi.OpValidateResourcePolicy.Handle(s.validateResourcePolicy),
		secretsmanagerapi.OpReplicateSecretToRegions.Handle(s.replicateSecretToRegions),
		secretsmanagerapi.OpRemoveRegionsFromReplication.Handle(s.removeRegionsFromReplication),
		secretsmanagerapi.OpStopReplicationToReplica.Handle(s.stopReplicationToReplica),
	}
}

// Job kinds.
const (
	jobSync   = "secretsmanager.sync"
	jobDelete = "secretsmanager.delete"
	jobRotate = "secretsmanager.rotate"
)

func (s *Service) registerJobs() {
	s.jobs.Register(jobSync, jobs.Handler{Run: s.runSync, GiveUp: s.giveUpSync})
	s.jobs.Register(jobDelete, jobs.Handler{Run: s.runDelete})
	s.jobs.Register(jobRotate, jobs.Handler{Run: s.runRotate})
}
