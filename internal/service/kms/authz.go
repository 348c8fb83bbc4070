package kms

import (
	"github.com/xregion/xregion/internal/service/kit"
)

// authorize decides whether the caller may run action on key k: GrantTokens must be
// tokens xregion issued, and an AWS managed key allows only what its policy lets the
// account do directly.
func (s *Service) authorize(tx kit.Tx, c kit.Call, k *keyRecord, action string, encCtx map[string]string, tokens []string) error {
	if err := s.checkGrantTokens(c, tokens); err != nil {
		return err
	}
	return checkManaged(c, k, action)
}
