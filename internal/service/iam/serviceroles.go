package iam

import (
	"fmt"
	"slices"

	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// EnsureServiceRole implements port.ServiceRoles: the role a service creates for its
// user (AWS Backup's default service role), created with its trust policy and managed
// policies when absent, left as it is when present. It skips the per-account quota checks
// of CreateRole: AWS's own service roles are made by the service.
func (s *Service) EnsureServiceRole(ktx kit.Tx, want port.ServiceRole) (port.RoleInfo, error) {
	tx := s.Join(ktx)
	c := accountCall(want.Account, want.Partition)
	roleARN := "arn:" + want.Partition + ":iam::" + want.Account + ":role" + want.Path + want.Name
	if info, ok, err := s.RoleByARN(tx, roleARN); err != nil || ok {
		return info, err
	}
	r := &roleRecord{
		Name: want.Name, ID: "AROA" + ids.Upper(17), Path: want.Path, Created: s.now(), TrustPolicy: want.TrustPolicy,
		Description: want.Description, MaxSessionDuration: defaultSessionDuration,
	}
	for _, policyARN := range want.ManagedPolicyARNs {
		m, ok, err := resolvePolicy(tx, c, policyARN)
		if err != nil {
			return port.RoleInfo{}, err
		}
		if !ok {
			return port.RoleInfo{}, fmt.Errorf("iam: service role %s: no policy %s", want.Name, policyARN)
		}
		r.Attached = append(r.Attached, m.arn)
		if err := attachmentIndex.Add(c.in(tx), m.arn, nameKey(r.Name)); err != nil {
			return port.RoleInfo{}, err
		}
	}
	slices.Sort(r.Attached)
	if err := saveRole(c.in(tx), r); err != nil {
		return port.RoleInfo{}, err
	}
	return port.RoleInfo{
		ARN: r.arn(c), RoleID: r.ID, Name: r.Name, Path: r.Path, Account: want.Account,
		MaxSessionDuration: r.MaxSessionDuration, AssumeRolePolicyDocument: r.TrustPolicy,
	}, nil
}
