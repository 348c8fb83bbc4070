package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// Aurora global databases: a global cluster is an account's, not a Region's (its ARN has
// no Region), so its record lives in the account's "global" scope, as IAM's records do.
// Its members are clusters in distinct Regions: one primary (the writer) and read-only
// secondaries, which replicate from the primary while both Regions are reachable
// (globalclusters_failover.go).

type globalMember struct {
	Region  string `json:"region"`
	Cluster string `json:"cluster"` // identifier in its Region
	Writer  bool   `json:"writer,omitempty"`
	// Rejoin: an old primary a failover with data loss left behind in an unreachable
	// Region; it rejoins as a secondary when its Region is back.
	Rejoin bool `json:"rejoin,omitempty"`
}

type failoverRec struct {
	Status   string `json:"status"`
	From     string `json:"from"` // cluster ARNs
	To       string `json:"to"`
	DataLoss bool   `json:"dataLoss,omitempty"`
}

type globalRec struct {
	ID                 string         `json:"id"`
	ResourceID         string         `json:"resourceId"`
	Status             string         `json:"status"`
	Engine             string         `json:"engine"`
	EngineVersion      string         `json:"engineVersion"`
	DatabaseName       string         `json:"databaseName,omitempty"`
	Encrypted          bool           `json:"encrypted,omitempty"`
	DeletionProtection bool           `json:"deletionProtection,omitempty"`
	Members            []globalMember `json:"members,omitempty"`
	Failover           *failoverRec   `json:"failover,omitempty"`
	Tags               []tagRec       `json:"tags,omitempty"`
	primaryUser        string         // the primary's MasterUsername, for a joining secondary; not stored
}

var globals = kit.Table[globalRec]{Kind: "global"} // global/<identifier>, in the account's global scope

const quotaGlobals = 100

// globalScope is the pseudo-Region of an account's global clusters in a partition.
func globalScope(region string) string {
	if p := partitionOf(region); p != "aws" && p != "" {
		return "global-" + p
	}
	return "global"
}

func globalsView(tx kit.Tx, v kit.View) kit.View { return tx.In(v.Account(), globalScope(v.Region())) }

func globalARN(region, account, id string) string {
	return arn.New(partitionOf(region), serviceName, "", account, "global-cluster:"+id)
}

func (g *globalRec) primary() *globalMember {
	for i := range g.Members {
		if g.Members[i].Writer {
			return &g.Members[i]
		}
	}
	return nil
}

func (g *globalRec) member(region string) *globalMember {
	for i := range g.Members {
		if g.Members[i].Region == region {
			return &g.Members[i]
		}
	}
	return nil
}

// findGlobal finds a global cluster by identifier or ARN.
func findGlobal(tx kit.Tx, v kit.View, ident string) (*globalRec, error) {
	id := ident
	if arn.IsARN(ident) {
		a, err := arn.Parse(ident)
		if err != nil || !strings.HasPrefix(a.Resource, "global-cluster:") {
			return nil, msgGlobalNotFound.New(ident)
		}
		id = strings.TrimPrefix(a.Resource, "global-cluster:")
	}
	g, err := globals.Get(globalsView(tx, v), strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, msgGlobalNotFound.New(ident)
	}
	return g, nil
}

// clusterByARN finds a cluster named by ARN in any Region of the caller's account, or by
// identifier in the caller's Region, with the view it lives in.
func clusterByARN(tx kit.Tx, v kit.View, ident string) (*clusterRec, kit.View, error) {
	if !arn.IsARN(ident) {
		cl, err := findCluster(v, ident)
		return cl, v, err
	}
	a, err := arn.Parse(ident)
	if err != nil || a.Service != serviceName || a.Account != v.Account() || !strings.HasPrefix(a.Resource, "cluster:") {
		return nil, v, nil
	}
	src := tx.In(a.Account, a.Region)
	cl, err := clusters.Get(src, strings.ToLower(strings.TrimPrefix(a.Resource, "cluster:")))
	return cl, src, err
}

func (s *Service) CreateGlobalCluster(ctx context.Context, in *rdsapi.CreateGlobalClusterMessage) (*rdsapi.CreateGlobalClusterResult, error) {
	c := s.Call(ctx)
	id := deref(in.GlobalClusterIdentifier)
	if !validIdentifier(id, maxClusterID) {
		return nil, msgInvalidIdentifier.New(paramGlobalClusterID)
	}
	if in.SourceDBClusterIdentifier != nil && (in.Engine != nil || in.EngineVersion != nil || in.DatabaseName != nil || in.StorageEncrypted != nil) {
		return nil, msgGlobalSourceAndEngine.New()
	}
	if in.SourceDBClusterIdentifier == nil && in.Engine == nil {
		return nil, msgGlobalNeedsEngine.New()
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateGlobalClusterResult, error) {
		v := c.In(tx)
		g := &globalRec{ID: strings.ToLower(id), ResourceID: "cluster-" + ids.Hex(8), Status: statusAvailable,
			DeletionProtection: deref(in.DeletionProtection), Tags: tags}
		if in.SourceDBClusterIdentifier != nil {
			if err := s.globalFromCluster(tx, v, g, *in.SourceDBClusterIdentifier); err != nil {
				return nil, err
			}
		} else if err := newGlobalEngine(g, in); err != nil {
			return nil, err
		}
		if err := insertGlobal(globalsView(tx, v), g); err != nil {
			return nil, err
		}
		return &rdsapi.CreateGlobalClusterResult{GlobalCluster: new(s.globalOut(tx, v, g))}, nil
	})
}

func newGlobalEngine(g *globalRec, in *rdsapi.CreateGlobalClusterMessage) error {
	e, err := lookupAurora(*in.Engine)
	if err != nil {
		return err
	}
	ver, ok := e.resolveVersion(deref(in.EngineVersion))
	if !ok {
		return msgNoVersion.New(deref(in.EngineVersion), e.Name)
	}
	if err := checkDBName(e, in.DatabaseName); err != nil {
		return err
	}
	g.Engine, g.EngineVersion, g.DatabaseName, g.Encrypted = e.Name, ver.Version, deref(in.DatabaseName), deref(in.StorageEncrypted)
	return nil
}

// globalFromCluster makes an existing cluster the primary of a new global cluster.
func (s *Service) globalFromCluster(tx kit.Tx, v kit.View, g *globalRec, source string) error {
	cl, cv, err := clusterByARN(tx, v, source)
	if err != nil {
		return err
	}
	if cl == nil {
		return msgClusterNotFound.New(source)
	}
	if cl.Global != "" {
		return msgAlreadyInGlobal.New(cl.ID, cl.Global)
	}
	if err := requireAvailable(cl); err != nil {
		return err
	}
	g.Engine, g.EngineVersion, g.DatabaseName, g.Encrypted = cl.Engine, cl.EngineVersion, cl.DatabaseName, cl.Encrypted
	g.Members = []globalMember{{Region: cv.Region(), Cluster: cl.ID, Writer: true}}
	cl.Global = g.ID
	if err := recordEvent(cv, s.Clock.Now(), evGlobalJoined, cl.ID, g.ID, "primary"); err != nil {
		return err
	}
	return putCluster(cv, cl)
}

func insertGlobal(gv kit.View, g *globalRec) error {
	if globals.Has(gv, g.ID) {
		return msgGlobalExists.New(g.ID)
	}
	n := 0
	if err := globals.Keys(gv, "", func(kit.Entry) bool { n++; return true }); err != nil {
		return err
	}
	if n >= quotaGlobals {
		return msgGlobalQuota.New(quotaGlobals)
	}
	return globals.Put(gv, g, g.ID)
}

// joined is what a cluster joining a global cluster learns of it.
type joined struct {
	*globalRec
	Primary *globalMember
}

// joinableGlobal checks that cl may join the global cluster ident: same engine and
// version, and no other member in its Region. A global cluster without members takes it
// as its primary; otherwise it is a secondary, which takes the primary's user.
func (s *Service) joinableGlobal(tx kit.Tx, v kit.View, cl *clusterRec, ident string) (joined, error) {
	g, err := findGlobal(tx, v, ident)
	if err != nil {
		return joined{}, err
	}
	if g.Engine != cl.Engine || g.EngineVersion != cl.EngineVersion {
		return joined{}, msgGlobalEngine.New(cl.Engine, cl.EngineVersion, cl.ID, g.Engine, g.EngineVersion, g.ID)
	}
	if g.member(v.Region()) != nil {
		return joined{}, msgGlobalRegionTaken.New(g.ID, v.Region())
	}
	p := g.primary()
	if p != nil {
		pc, err := clusters.Get(tx.In(v.Account(), p.Region), p.Cluster)
		if err != nil {
			return joined{}, err
		}
		if pc != nil {
			g.primaryUser = pc.MasterUsername
		}
		cl.PrimaryRegion = p.Region
	}
	return joined{globalRec: g, Primary: p}, nil
}

// addGlobalMember records a new cluster in its global cluster.
func (s *Service) addGlobalMember(tx kit.Tx, v kit.View, cl *clusterRec) error {
	gv := globalsView(tx, v)
	g, err := globals.Get(gv, cl.Global)
	if err != nil || g == nil {
		return firstErr(err, msgGlobalNotFound.New(cl.Global))
	}
	g.Members = append(g.Members, globalMember{Region: v.Region(), Cluster: cl.ID, Writer: !cl.Secondary})
	role := "primary"
	if cl.Secondary {
		role = "secondary"
	}
	if err := recordEvent(v, s.Clock.Now(), evGlobalJoined, cl.ID, g.ID, role); err != nil {
		return err
	}
	return globals.Put(gv, g, g.ID)
}

func (s *Service) DescribeGlobalClusters(ctx context.Context, in *rdsapi.DescribeGlobalClustersMessage) (*rdsapi.GlobalClustersMessage, error) {
	c := s.Call(ctx)
	// The provider finds a cluster's global cluster with db-cluster-id and the cluster's ARN.
	f, err := parseFilters(in.Filters, "region", "db-cluster-id")
	if err != nil {
		return nil, err
	}
	pg, err := s.describePage(c, c.Operation, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.GlobalClustersMessage, error) {
		v := c.In(tx)
		out := &rdsapi.GlobalClustersMessage{GlobalClusters: []rdsapi.GlobalCluster{}}
		keep := func(g *globalRec) bool {
			regions, arns := make([]string, len(g.Members)), make([]string, len(g.Members))
			for i, m := range g.Members {
				regions[i], arns[i] = m.Region, clusterARN(partitionOf(m.Region), m.Region, v.Account(), m.Cluster)
			}
			return f.match("region", regions...) && f.match("db-cluster-id", arns...)
		}
		if in.GlobalClusterIdentifier != nil {
			g, err := findGlobal(tx, v, *in.GlobalClusterIdentifier)
			if err != nil {
				return nil, err
			}
			if keep(g) {
				out.GlobalClusters = append(out.GlobalClusters, s.globalOut(tx, v, g))
			}
			return out, nil
		}
		gv := globalsView(tx, v)
		list, next, err := scan(pg, gv, globals, entryOf(gv, globals), keep)
		if err != nil {
			return nil, err
		}
		for _, g := range list {
			out.GlobalClusters = append(out.GlobalClusters, s.globalOut(tx, v, g))
		}
		out.Marker = next
		return out, nil
	})
}

func (s *Service) globalOut(tx kit.Tx, v kit.View, g *globalRec) rdsapi.GlobalCluster {
	out := rdsapi.GlobalCluster{
		GlobalClusterIdentifier: new(g.ID), GlobalClusterResourceId: new(g.ResourceID),
		GlobalClusterArn: new(globalARN(v.Region(), v.Account(), g.ID)), Status: new(g.Status), Engine: new(g.Engine),
		EngineVersion: new(g.EngineVersion), DatabaseName: optStr(g.DatabaseName), StorageEncrypted: new(g.Encrypted),
		DeletionProtection: new(g.DeletionProtection), GlobalClusterMembers: []rdsapi.GlobalClusterMember{},
		TagList: tagsOut(g.Tags), EngineLifecycleSupport: new("open-source-rds-extended-support"),
		Endpoint: new(g.ID + ".global-" + stableChars(v.Account(), "global", "endpoint", "abcdefghijklmnopqrstuvwxyz0123456789", 12) + ".global.rds.amazonaws.com"),
	}
	var readers []string
	for _, m := range g.Members {
		mARN := clusterARN(partitionOf(m.Region), m.Region, v.Account(), m.Cluster)
		if !m.Writer {
			readers = append(readers, mARN)
		}
	}
	for _, m := range g.Members {
		mARN := clusterARN(partitionOf(m.Region), m.Region, v.Account(), m.Cluster)
		gm := rdsapi.GlobalClusterMember{DBClusterArn: new(mARN), IsWriter: new(m.Writer), Readers: []string{},
			GlobalWriteForwardingStatus: new("disabled")}
		if m.Writer {
			gm.Readers = slices.Clone(readers)
		} else {
			gm.SynchronizationStatus = new(s.syncStatus(g, m))
		}
		out.GlobalClusterMembers = append(out.GlobalClusterMembers, gm)
	}
	if g.Failover != nil {
		out.FailoverState = &rdsapi.FailoverState{Status: new(g.Failover.Status), FromDbClusterArn: new(g.Failover.From),
			ToDbClusterArn: new(g.Failover.To), IsDataLossAllowed: new(g.Failover.DataLoss)}
	}
	return out
}

// syncStatus is a secondary's SynchronizationStatus: connected while it and its primary
// are reachable and it is not waiting to rejoin.
func (s *Service) syncStatus(g *globalRec, m globalMember) string {
	p := g.primary()
	if m.Rejoin || p == nil {
		return "pending-resync"
	}
	if _, down := s.Unreachable(p.Region, m.Region); down {
		return "pending-resync"
	}
	return "connected"
}

func (s *Service) ModifyGlobalCluster(ctx context.Context, in *rdsapi.ModifyGlobalClusterMessage) (*rdsapi.ModifyGlobalClusterResult, error) {
	c := s.Call(ctx)
	if in.NewGlobalClusterIdentifier != nil && !validIdentifier(*in.NewGlobalClusterIdentifier, maxClusterID) {
		return nil, msgInvalidIdentifier.New(paramNewGlobalClusterID)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.ModifyGlobalClusterResult, error) {
		v := c.In(tx)
		g, err := findGlobal(tx, v, deref(in.GlobalClusterIdentifier))
		if err != nil {
			return nil, err
		}
		if g.Status != statusAvailable {
			return nil, msgGlobalState.New(g.ID, g.Status)
		}
		if in.EngineVersion != nil && *in.EngineVersion != g.EngineVersion {
			// Upgrading every member of a global database is not modelled: refuse rather
			// than pretend.
			return nil, msgGlobalUpgrade.New(g.ID)
		}
		if in.DeletionProtection != nil {
			g.DeletionProtection = *in.DeletionProtection
		}
		if n := in.NewGlobalClusterIdentifier; n != nil && !strings.EqualFold(*n, g.ID) {
			if err := renameGlobal(tx, v, g, strings.ToLower(*n)); err != nil {
				return nil, err
			}
		}
		if err := globals.Put(globalsView(tx, v), g, g.ID); err != nil {
			return nil, err
		}
		return &rdsapi.ModifyGlobalClusterResult{GlobalCluster: new(s.globalOut(tx, v, g))}, nil
	})
}

func renameGlobal(tx kit.Tx, v kit.View, g *globalRec, id string) error {
	gv := globalsView(tx, v)
	if globals.Has(gv, id) {
		return msgGlobalExists.New(id)
	}
	if err := globals.Delete(gv, g.ID); err != nil {
		return err
	}
	for _, m := range g.Members {
		mv := tx.In(v.Account(), m.Region)
		cl, err := clusters.Get(mv, m.Cluster)
		if err != nil {
			return err
		}
		if cl != nil {
			cl.Global = id
			if err := putCluster(mv, cl); err != nil {
				return err
			}
		}
	}
	g.ID = id
	return nil
}

func (s *Service) DeleteGlobalCluster(ctx context.Context, in *rdsapi.DeleteGlobalClusterMessage) (*rdsapi.DeleteGlobalClusterResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.DeleteGlobalClusterResult, error) {
		v := c.In(tx)
		g, err := findGlobal(tx, v, deref(in.GlobalClusterIdentifier))
		if err != nil {
			return nil, err
		}
		if g.DeletionProtection {
			return nil, msgGlobalProtected.New()
		}
		if len(g.Members) > 0 {
			return nil, msgGlobalHasMembers.New(g.ID)
		}
		out := s.globalOut(tx, v, g)
		out.Status = new(statusDeleting)
		if err := globals.Delete(globalsView(tx, v), g.ID); err != nil {
			return nil, err
		}
		return &rdsapi.DeleteGlobalClusterResult{GlobalCluster: &out}, nil
	})
}

// RemoveFromGlobalCluster detaches a member. A secondary becomes a standalone cluster that
// takes writes: its reader with the best promotion tier becomes its writer. The primary
// can leave only once it is alone.
func (s *Service) RemoveFromGlobalCluster(ctx context.Context, in *rdsapi.RemoveFromGlobalClusterMessage) (*rdsapi.RemoveFromGlobalClusterResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.RemoveFromGlobalClusterResult, error) {
		v := c.In(tx)
		g, err := findGlobal(tx, v, deref(in.GlobalClusterIdentifier))
		if err != nil {
			return nil, err
		}
		cl, cv, err := clusterByARN(tx, v, deref(in.DbClusterIdentifier))
		if err != nil {
			return nil, err
		}
		if cl == nil || cl.Global != g.ID {
			return nil, msgGlobalNotMember.New(deref(in.DbClusterIdentifier), g.ID)
		}
		if !cl.Secondary && len(g.Members) > 1 {
			return nil, msgGlobalRemovePrimary.New(cl.ID, g.ID)
		}
		g.Members = slices.DeleteFunc(g.Members, func(m globalMember) bool { return m.Region == cv.Region() })
		if err := s.detach(cv, cl, g.ID); err != nil {
			return nil, err
		}
		if err := globals.Put(globalsView(tx, v), g, g.ID); err != nil {
			return nil, err
		}
		return &rdsapi.RemoveFromGlobalClusterResult{GlobalCluster: new(s.globalOut(tx, v, g))}, nil
	})
}

// detach makes cl a standalone cluster with a writer.
func (s *Service) detach(cv kit.View, cl *clusterRec, global string) error {
	cl.Global, cl.Secondary, cl.PrimaryRegion = "", false, ""
	if cl.Writer == "" {
		next, err := promotionCandidate(cv, cl, "")
		if err != nil {
			return err
		}
		if next != nil {
			cl.Writer = next.ID
		}
	}
	if err := recordEvent(cv, s.Clock.Now(), evGlobalRemoved, cl.ID, global); err != nil {
		return err
	}
	return putCluster(cv, cl)
}
