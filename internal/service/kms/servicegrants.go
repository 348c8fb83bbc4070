package kms

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// KMS provides port.KeyAccess: the checks of keys used on a caller's behalf, and the
// grants services hold for their resources.

var _ port.KeyAccess = (*Service)(nil)

// servicePrincipal is the principal a service acts as towards KMS in a Region, as its
// grants name it (rds.us-east-1.amazonaws.com) and as kms:ViaService names it.
func servicePrincipal(service, region string) string {
	return service + "." + region + ".amazonaws.com"
}

// AuthorizeVia implements port.KeyAccess: the caller's request is evaluated as its own
// call of the operation would be, with kms:ViaService added, so that a key policy's or
// an IAM policy's ViaService condition and the caller's grants all apply.
func (s *Service) AuthorizeVia(tx kit.Tx, use port.KeyUse) error {
	if !s.strict() {
		return nil
	}
	tx = s.Join(tx)
	k, err := s.resolveKey(tx, use.Account, use.Region, use.KeyID)
	if err != nil {
		return err
	}
	c := kit.Call{Account: use.Account, Region: use.Region, Partition: k.partition(), Caller: use.Caller}
	keys := port.ConditionKeys{}
	keys.Set("kms:ViaService", servicePrincipal(use.Service, use.Region))
	err = s.allowWith(tx, c, k, use.Action, use.Context, keys)
	var refusal *awserr.Error
	if errors.As(err, &refusal) && refusal.Code == errAccessDenied.Code {
		return fmt.Errorf("%w: %v", port.ErrKeyAccessDenied, err)
	}
	return err
}

// CreateServiceGrant implements port.KeyAccess. The grant is the account's own (its
// issuing account), made without a policy check: AWS's services create theirs with the
// caller's kms:CreateGrant permission, which the caller's own request was already
// allowed to use when it chose the key.
func (s *Service) CreateServiceGrant(tx kit.Tx, sg port.ServiceGrant) (string, error) {
	tx = s.Join(tx)
	k, err := s.resolveKey(tx, sg.Account, sg.Region, sg.KeyID)
	if err != nil {
		return "", err
	}
	if err := requireGrantable(k); err != nil {
		return "", err
	}
	principal := servicePrincipal(sg.Service, sg.Region)
	g := &grantRecord{
		ID: hex.EncodeToString(randomBytes(32)), KeyID: k.ID, Name: sg.Name, Created: s.Clock.Now(),
		Grantee: principal, Retiring: principal, IssuingAccount: sg.Account,
		Operations: slices.Clone(sg.Operations), ContextSubset: sg.Context,
	}
	g, err = s.addGrant(tx, k, g)
	if err != nil {
		return "", err
	}
	return g.ID, nil
}

// RetireServiceGrants implements port.KeyAccess.
func (s *Service) RetireServiceGrants(tx kit.Tx, account, region, keyID, service, name string) error {
	tx = s.Join(tx)
	k, err := s.resolveKey(tx, account, region, keyID)
	if errors.Is(err, port.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v := k.in(tx)
	gs, err := grants.List(v, k.ID)
	if err != nil {
		return err
	}
	principal := servicePrincipal(service, region)
	for _, g := range gs {
		if g.Name == name && g.Grantee == principal {
			if err := grants.Delete(v, k.ID, g.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
