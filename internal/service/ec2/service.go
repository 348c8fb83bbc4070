// Package ec2 is xregion's slice of Amazon EC2: the Regions and zones, the default VPC
// AWS gives every account in every Region, VPCs, subnets, security groups, route tables,
// internet gateways and network ACLs enough for a Terraform network module, and EBS —
// volumes that hold data, encryption by default, incremental snapshots, their sharing
// and their copies across Regions. It provides port.Network (where RDS and EFS place
// their resources) and port.Protected for AWS Backup's EBS resource type.
package ec2

import (
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is EC2.
type Service struct {
	*kit.Kit
	keys    port.KeyRing
	presign port.PresignedURLs
	pages   kit.Pager
	// authz seals the details of UnauthorizedOperation answers (STS's); nil without STS.
	authz port.AuthorizationMessages
	// keyAccess makes and retires the grants of encrypted volumes (KMS's).
	keyAccess port.KeyAccess
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
	_ port.Network      = (*Service)(nil)
)

// New builds the service, registers its jobs, provides the network and asks for the key
// ring and the presigned-URL checks.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.pages = k.Pager(func(token string) error { return msgBadNextToken.New(token) })
	s.registerJobs()
	service.Provide[port.Network](d.Ports, s)
	service.Provide[port.SnapshotHolds](d.Ports, s)
	service.Provide[port.VolumeData](d.Ports, s)
	service.Provide[port.Protected](d.Ports, s.AWSBackup())
	service.Need(d.Ports, &s.keys)
	service.Need(d.Ports, &s.presign)
	service.Want(d.Ports, &s.authz)
	service.Want(d.Ports, &s.keyAccess)
	return s, nil
}

// Model is the EC2 API model (the slice listed in internal/gen/ec2.operations).
func (s *Service) Model() *awsmodel.API { return ec2api.Model() }

// Validation is EC2's: an absent required parameter is MissingParameter. The EC2 codec
// checks the wire first, with EC2's texts for every constraint; this is what callers
// inside the process (the tests of the service alone) meet.
func (s *Service) Validation() awsmodel.Validation {
	return awsmodel.Validation{
		Invalid: awserr.InvalidParameterValue,
		Missing: awserr.MissingParameter,
		MissingText: func(wirePath string) string {
			parts := strings.Split(wirePath, ".")
			for i, p := range parts {
				parts[i] = awsmodel.GoName(p)
			}
			return msgNoAttribute.New(strings.Join(parts, ".")).Message
		},
		SkipEnums: true,
	}
}

// Handlers binds every operation of the model's slice.
func (s *Service) Handlers() []awsmodel.Handler {
	return ec2api.Bind(s)
}

// read runs fn on the caller's records in a read-only transaction, once the Region's
// default network exists.
func read[T any](s *Service, c kit.Call, fn func(v kit.View) (T, error)) (T, error) {
	if err := s.ensureDefaults(c.Account, c.Region); err != nil {
		var zero T
		return zero, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (T, error) { return fn(c.In(tx)) })
}

// write runs fn on the caller's records in a read-write transaction, making the Region's
// default network first if this is the account's first call there.
func write[T any](s *Service, c kit.Call, fn func(tx kit.Tx, v kit.View) (T, error)) (T, error) {
	return kit.Write(s.Kit, func(tx kit.Tx) (T, error) {
		v := c.In(tx)
		if err := makeDefaults(v, s.Clock.Now()); err != nil {
			var zero T
			return zero, err
		}
		return fn(tx, v)
	})
}

// dryRun answers a request with DryRun set, once it is known to be one that would
// succeed: its input is valid, what it names exists and the caller may act on it. A
// dry run writes nothing.
func dryRun(flag *bool) error {
	if flag != nil && *flag {
		return msgDryRun.New()
	}
	return nil
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
