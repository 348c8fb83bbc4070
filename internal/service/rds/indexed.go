package rds

import "github.com/xregion/xregion/internal/service/kit"

// indexed is a table of records by identifier with an index by the resource id that
// survives renames (DbiResourceId, DbClusterResourceId): DB instances and DB clusters.
// The record and its index entry are written and removed together.
type indexed[T any] struct {
	table kit.Table[T]
	index kit.Blobs
	ids   func(*T) (id, resourceID string)
}

func (x indexed[T]) put(v kit.View, rec *T) error {
	id, rid := x.ids(rec)
	if err := x.table.Put(v, rec, id); err != nil {
		return err
	}
	return x.index.Put(v, []byte(id), rid)
}

func (x indexed[T]) delete(v kit.View, rec *T) error {
	id, rid := x.ids(rec)
	if err := x.table.Delete(v, id); err != nil {
		return err
	}
	return x.index.Delete(v, rid)
}

// byResourceID follows the index; a resource id it does not hold is no record.
func (x indexed[T]) byResourceID(v kit.View, rid string) (*T, error) {
	id := x.index.Get(v, rid)
	if id == nil {
		return nil, nil
	}
	return x.table.Get(v, string(id))
}

var (
	indexedInstances = indexed[instanceRec]{table: instances, index: instanceIDs, ids: func(r *instanceRec) (string, string) { return r.ID, r.ResourceID }}
	indexedClusters  = indexed[clusterRec]{table: clusters, index: clusterIDs, ids: func(r *clusterRec) (string, string) { return r.ID, r.ResourceID }}
)
