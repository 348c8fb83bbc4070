package dynamodb

import (
	"github.com/xregion/xregion/internal/awsmodel"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is DynamoDB.
type Service struct {
	*kit.Kit
	keys       port.KeyRing
	cache      *keyCache
	tableCache *kit.Cache[tableRecord]
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Resetter  = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
)

// tableCacheSize bounds the decoded table records kept for the item path.
const tableCacheSize = 10_000

// New builds the service, registers its jobs and asks for the key ring.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k, cache: newKeyCache(), tableCache: kit.NewCache(tables, tableCacheSize)}
	s.registerJobs()
	service.Need(d.Ports, &s.keys)
	service.Provide[port.Protected](d.Ports, protector{s})
	return s, nil
}

// Reset forgets the cached keys and records when the admin API wipes the store.
func (s *Service) Reset() {
	s.cache.reset()
	s.tableCache.Reset()
}

// Validation answers input that breaks the model with DynamoDB's ValidationException,
// whose message member is "message".
func (s *Service) Validation() awsmodel.Validation { return awsmodel.CoralValidation(attr.Validation) }

// Model is the DynamoDB API model.
func (s *Service) Model() *awsmodel.API { return ddb.Model() }

// Handlers binds the operations xregion serves; the others (PartiQL, exports and
// imports, Kinesis destinations, contributor insights, resource policies, version
// 2017.11.29 global tables, auto scaling) answer an error that names them.
func (s *Service) Handlers() []awsmodel.Handler {
	return ddb.Bind(s)
}
