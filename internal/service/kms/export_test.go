package kms

import (
	"encoding/json"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
)

// MaterialForTest returns the plain material of every version of a key, read from the
// store and unsealed, so that tests can look for it where it must not be. It reads the
// store's own layout (account, Region, "kms", kind, id...), the one the kit's views write.
func MaterialForTest(st store.Store, sealer *seal.Sealer, account, region, id string) ([][]byte, error) {
	var out [][]byte
	err := st.View(func(tx store.Tx) error {
		raw := tx.Get(store.Key(account, region, serviceName, keys.Kind, id))
		if raw == nil {
			return nil
		}
		var k keyRecord
		if err := json.Unmarshal(raw, &k); err != nil {
			return err
		}
		for _, v := range k.Versions {
			sealed := tx.Get(store.Key(account, region, serviceName, materials.Kind, id, versionPos(v.N)))
			plain, err := sealer.Open(sealed, materialAAD(account, region, id, v.N))
			if err != nil {
				return err
			}
			out = append(out, plain)
		}
		return nil
	})
	return out, err
}
