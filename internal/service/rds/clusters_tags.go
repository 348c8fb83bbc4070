package rds

import (
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/service/kit"
)

// clusterTaggable resolves the ARN of a DB cluster or cluster snapshot of the caller's
// Region, or of a global cluster of the caller's account; ok is false for any other ARN.
func clusterTaggable(tx kit.Tx, v kit.View, name string) (taggable, bool, error) {
	a, err := arn.Parse(name)
	if err != nil || a.Service != serviceName || a.Account != v.Account() {
		return taggable{}, false, nil
	}
	kind, id, _ := strings.Cut(a.Resource, ":")
	id = strings.ToLower(id)
	if kind == "global-cluster" && a.Region == "" {
		gv := globalsView(tx, v)
		g, err := globals.Get(gv, id)
		if err != nil || g == nil {
			return taggable{}, true, firstErr(err, msgGlobalNotFound.New(id))
		}
		return taggable{tags: &g.Tags, save: func() error { return globals.Put(gv, g, g.ID) }}, true, nil
	}
	if a.Region != v.Region() {
		return taggable{}, false, nil
	}
	switch kind {
	case "cluster":
		cl, err := clusters.Get(v, id)
		if err != nil || cl == nil {
			return taggable{}, true, firstErr(err, msgClusterNotFound.New(id))
		}
		return taggable{tags: &cl.Tags, save: func() error { return putCluster(v, cl) }}, true, nil
	case "cluster-snapshot":
		sn, err := clusterSnapshots.Get(v, id)
		if err != nil || sn == nil {
			return taggable{}, true, firstErr(err, msgClusterSnapshotNotFound.New(id))
		}
		return taggable{tags: &sn.Tags, save: func() error { return putClusterSnapshot(v, sn) }}, true, nil
	}
	return taggable{}, false, nil
}
