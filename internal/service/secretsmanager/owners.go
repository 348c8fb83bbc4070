package secretsmanager

import (
	"github.com/xregion/xregion/internal/service/kit"
)

// tellOwner tells the service that owns rec (port.ManagedSecretOwner) of a new
// AWSCURRENT value, before rec is written: RDS sets the master password it manages in
// the database server behind its instance. Only a change of the AWSCURRENT version is
// told, however it came (a new value, a rotation's promotion, a moved label).
func (s *Service) tellOwner(tx kit.Tx, v kit.View, rec *secretRecord) error {
	if rec.OwningService == "" || s.owner == nil {
		return nil
	}
	current := rec.Stages[stageCurrent]
	old, err := secrets.Get(v, rec.Name)
	if err != nil || current == "" || (old != nil && old.Stages[stageCurrent] == current) {
		return err
	}
	ver, err := versions.Get(v, rec.Name, current)
	if err != nil || ver == nil {
		return err
	}
	val, err := s.loadValue(tx, v, rec, ver)
	if err != nil || val.String == nil {
		return err // a binary value is no password
	}
	return s.owner.ManagedValueChanged(tx, rec.OwningService, v.Account(), v.Region(), rec.arn(v), *val.String)
}
