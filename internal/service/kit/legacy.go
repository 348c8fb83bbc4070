package kit

import "github.com/xregion/xregion/internal/store"

// The two functions below let the services that are not on the kit yet (rds, backup,
// iam, sts: the allow-list of the architecture test) meet the ports, whose methods take a
// Tx. They go when that allow-list is empty; the architecture test refuses them in the
// services that are on the kit.

// Adopt returns the store transaction of a service not on the kit as a Tx, to hand to a
// port. It has no records of its own (In panics): the provider Joins it.
func Adopt(raw store.Tx) Tx { return Tx{raw: raw} }

// Raw returns the store transaction behind tx, for a provider not on the kit.
func Raw(tx Tx) store.Tx { return tx.raw }
