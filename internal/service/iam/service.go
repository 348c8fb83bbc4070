// Package iam serves the slice of AWS Identity and Access Management that clients of the
// other services need: roles with their trust policies, inline and managed policies and
// their attachments, tags, the instance profiles a role delete has to look at, and the
// OpenID Connect providers web identities come from. It also evaluates trust policies
// (trust.go) for the services that assume roles: STS, and the service principals of
// other services' jobs (port.Roles).
//
// IAM is global: its state lives under the global scope whatever Region a client signed for,
// and its ARNs carry no Region (arn:aws:iam::ACCOUNT:role/path/name).
package iam

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// serviceName is IAM's signing name, and the service part of its records' keys.
const serviceName = "iam"

func init() {
	service.Register(service.Module{Name: serviceName, New: New})
}

// Service is IAM.
type Service struct {
	*kit.Kit
	pages kit.Pager
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
	_ port.Roles        = (*Service)(nil)
	_ port.ServiceRoles = (*Service)(nil)
)

// New builds IAM.
func New(d service.Deps) (service.Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.pages = k.Pager(func(marker string) error { return msgInvalidMarker.New(marker) })
	service.Provide[port.Roles](d.Ports, s)
	service.Provide[port.ServiceRoles](d.Ports, s)
	service.Provide[port.Permissions](d.Ports, s)
	return s, nil
}

// Validation is the query services' default, except that paths and path prefixes are
// checked by IAM itself (paths.go), with AWS's own texts.
func (s *Service) Validation() awsmodel.Validation {
	v := service.DefaultValidation(iamapi.Model())
	v.OwnPatterns = map[string]bool{"pathType": true, "pathPrefixType": true}
	return v
}

// Model is the IAM model.
func (s *Service) Model() *awsmodel.API { return iamapi.Model() }

// Handlers are the implemented operations.
func (s *Service) Handlers() []awsmodel.Handler {
	return iamapi.Bind(s)
}

// call is what every operation needs about its request: where its state lives, how its
// ARNs are spelled, and who asks.
type call struct {
	kit.Call
	home   string // the Region part of the keys of the account's IAM records: see homeOf
	caller string // the caller's ARN; the account's root for callers without one
	pages  kit.Pager
}

func (s *Service) newCall(ctx context.Context) call {
	c := s.Kit.Call(ctx)
	caller := c.Caller.ARN
	if caller == "" {
		caller = arn.New(c.Partition, "iam", "", c.Account, "root")
	}
	return call{Call: c, home: homeOf(c.Partition), caller: caller, pages: s.pages}
}

// accountCall is the call of another account's records, for the ports other services
// ask.
func accountCall(account, partition string) call {
	return call{Call: kit.Call{Account: account, Partition: partition}, home: homeOf(partition)}
}

// in returns the records of the call's account.
func (c call) in(tx kit.Tx) kit.View { return tx.In(c.Account, c.home) }

// homeOf is where an account's IAM state lives. IAM is global within a partition, and
// partitions are separate worlds in AWS (an aws-cn account is not an aws account), so the
// commercial partition keeps the plain global scope and every other partition gets its
// own.
func homeOf(partition string) string {
	if partition != "" && partition != "aws" {
		return kit.Global + "-" + partition
	}
	return kit.Global
}

// RoleByARN finds the role an ARN names, for STS and AWS Backup. Role names are not
// distinguished by case in IAM, the path must match exactly.
func (s *Service) RoleByARN(ktx kit.Tx, roleARN string) (port.RoleInfo, bool, error) {
	a, err := arn.Parse(roleARN)
	if err != nil || a.Service != "iam" || a.Region != "" || !auth.IsAccountID(a.Account) || !strings.HasPrefix(a.Resource, "role/") {
		return port.RoleInfo{}, false, nil
	}
	path, name := splitPathName(strings.TrimPrefix(a.Resource, "role"))
	c := accountCall(a.Account, a.Partition)
	r, ok, err := loadRole(c.in(s.Join(ktx)), name)
	if err != nil || !ok || r.Path != path {
		return port.RoleInfo{}, false, err
	}
	return port.RoleInfo{
		ARN: r.arn(c), RoleID: r.ID, Name: r.Name, Path: r.Path, Account: a.Account,
		MaxSessionDuration: r.MaxSessionDuration, AssumeRolePolicyDocument: r.TrustPolicy,
	}, true, nil
}

// splitPathName splits "/path/to/name" into "/path/to/" and "name".
func splitPathName(s string) (path, name string) {
	i := strings.LastIndexByte(s, '/')
	return s[:i+1], s[i+1:]
}
