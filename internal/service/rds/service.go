// Package rds is xregion's Amazon RDS: DB instances with their asynchronous life cycle,
// automated backups and their restore windows, daily automated snapshots, manual
// snapshots and their copies (also across Regions), point-in-time restores, and the
// cross-Region replication of automated backups; Aurora DB clusters, their snapshots and
// backups, and Aurora global databases (clusters*.go, globalclusters*.go).
//
// # State
//
// Records live in the kit's views of an account and Region (records.go): DB instances by identifier (RDS
// identifiers are case-insensitive and kept in lower case), an index from DbiResourceId
// to identifier, automated backups by DbiResourceId with an index from their ab- id, and
// snapshots by identifier with an index of each instance's automated snapshots. Counters
// per account and Region enforce the quotas without scanning.
//
// A replicated automated backup is a record in the destination Region, keyed by the
// source's DbiResourceId (AWS gives it the same one). It points at the source instance in
// the other Region, whose record lists it in DBInstanceAutomatedBackupsReplications.
//
// # Time
//
// Every status change (creating → backing-up → available, modifying, rebooting,
// stopping, starting, deleting, snapshots creating → available, replications pending →
// replicating) is a job due at Jobs.After(). Restore windows are computed from
// timestamps: RDS ships transaction logs every five minutes, so the latest restorable
// time is the last five-minute boundary. A stopped instance ships no logs: each stop is a
// gap in its logs, recorded on the instance and shared with its automated backup and
// their replicas, so its window stays at the last upload before the stop and goes on
// after it starts again. Daily automated snapshots are one recurring job per instance,
// due at the start of its backup window; retained backups expire in one job per backup
// at the instant their window closes. A replicated backup's window is computed when it
// is read: it follows the source's log uploads, except that while either Region is
// unreachable (faults.Registry) it stops at the last upload before the outage began, and
// resumes after. An hourly job per account and destination Region records how far each
// replica got and stops replicas whose source is gone or whose keys broke.
package rds

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

const serviceName = "rds"

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is RDS.
type Service struct {
	*kit.Kit
	keys      port.KeyRing
	keyAccess port.KeyAccess // KMS's grants for encrypted instances (keygrants.go)
	secrets   port.ManagedSecrets
	presigned port.PresignedURLs
	pages     kit.Pager
	// network is EC2's, where DB subnet groups are (subnetgroups.go); nil when the server
	// has no EC2.
	network port.Network
	// engines, when xregion runs with --real-engines, makes PostgreSQL instances real
	// servers (realdata.go).
	engines port.DatabaseEngines
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
)

// New builds the service, registers its jobs, asks for the key ring and provides AWS
// Backup with its DB instances.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.pages = k.Pager(func(marker string) error { return msgBadMarker.New(marker) })
	s.registerJobs()
	s.registerClusterJobs()
	service.Need(d.Ports, &s.keys)
	service.Need(d.Ports, &s.secrets)
	service.Need(d.Ports, &s.presigned)
	service.Want(d.Ports, &s.engines)
	service.Want(d.Ports, &s.network)
	service.Want(d.Ports, &s.keyAccess)
	service.Provide[port.Protected](d.Ports, protector{s})
	service.Provide[port.ManagedSecretOwner](d.Ports, secretOwner{s})
	return s, nil
}

// Model is the RDS model.
func (s *Service) Model() *awsmodel.API { return rdsapi.Model() }

// Validation reports invalid input the way RDS does: an absent required parameter is
// MissingParameter naming it, any other broken constraint InvalidParameterValue.
func (s *Service) Validation() awsmodel.Validation {
	return awsmodel.Validation{
		Invalid:     awserr.InvalidParameterValue,
		Missing:     awserr.MissingParameter,
		MissingText: func(wirePath string) string { return textMissingParameter.with(wirePath) },
	}
}

// Handlers binds the operations RDS implements, instances and clusters alike: each is the
// method named after it (rdsapi.Bind).
// Proxies, blue/green deployments and the other operations of the model answer an error
// naming them.
func (s *Service) Handlers() []awsmodel.Handler {
	return rdsapi.Bind(s)
}
