package kms

import (
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
)

// MaterialForTest returns the plain material of every version of a key, read from the
// store and unsealed, so that tests can look for it where it must not be.
func MaterialForTest(st store.Store, sealer *seal.Sealer, account, region, id string) ([][]byte, error) {
	var out [][]byte
	err := st.View(func(tx store.Tx) error {
		k, err := loadKey(tx, scopeOf(account, region), id)
		if err != nil || k == nil {
			return err
		}
		for _, v := range k.Versions {
			raw, err := sealer.Open(tx.Get(materialKey(k.scope(), k.ID, v.N)), materialAAD(account, region, id, v.N))
			if err != nil {
				return err
			}
			out = append(out, raw)
		}
		return nil
	})
	return out, err
}
