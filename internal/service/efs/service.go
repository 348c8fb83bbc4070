// Package efs is xregion's Amazon Elastic File System: file systems whose files hold
// real data (sealed with each file system's data key), mount targets on the subnets of
// EC2's network, access points, lifecycle, backup and file system policies, tags, EFS
// replication to another Region (EFS's own cross-Region protection, with its failover),
// and AWS Backup's EFS resource type.
package efs

import (
	"github.com/xregion/xregion/internal/awsmodel"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is EFS.
type Service struct {
	*kit.Kit
	keys    port.KeyRing
	network port.Network
	// plans creates AWS Backup's plan of automatic backups; nil in a server built
	// without AWS Backup.
	plans   port.ManagedBackupPlans
	markers kit.Pager // DescribeFileSystems, DescribeMountTargets, DescribeTags: Marker
	tokens  kit.Pager // the newer operations: NextToken
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
	_ port.FileData     = (*Service)(nil)
)

// New builds the service, registers its jobs and asks for the key ring and the network.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.markers = k.Pager(func(m string) error { return msgBadMarker.New(m) })
	s.tokens = k.Pager(func(m string) error { return msgBadToken.New(m) })
	s.registerJobs()
	service.Provide[port.FileData](d.Ports, s)
	service.Provide[port.Protected](d.Ports, s.AWSBackup())
	service.Need(d.Ports, &s.keys)
	service.Need(d.Ports, &s.network)
	service.Want(d.Ports, &s.plans)
	return s, nil
}

// Model is the EFS API model.
func (s *Service) Model() *awsmodel.API { return efsapi.Model() }

// Validation is EFS's: input that breaks the model's constraints is a BadRequest.
func (s *Service) Validation() awsmodel.Validation {
	return awsmodel.CoralValidation(efsapi.ErrBadRequest)
}

// Handlers binds every operation of EFS.
func (s *Service) Handlers() []awsmodel.Handler {
	return awsmodel.MapErrors(efsapi.Bind(s), withErrorCode)
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// optional is s, or nil when it is empty: what AWS leaves out of its answers.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
