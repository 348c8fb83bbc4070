package rds

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Replication, switchover and failover of global databases. A secondary has replicated
// its primary up to now while both Regions are reachable; while either is unreachable
// (faults.Registry) its replication stops at the instant the outage began, and its lag
// grows with the clock. Like the replicated backups' windows (output.go), the point is
// computed when it is read rather than by a job every second.
//
// A switchover (planned) needs both Regions and loses nothing. A failover with
// AllowDataLoss promotes the secondary with what it had replicated when it was asked; the
// old primary, in its unreachable Region, is demoted to a secondary marked to rejoin, and
// a job rejoins it (connected again) once its Region is back.

const (
	globalFailingOver   = "failing-over"
	globalSwitchingOver = "switching-over"
	failoverPending     = "pending"
	rejoinMinWait       = time.Minute
	rejoinMaxWait       = time.Hour
)

var (
	jobGlobalStep   = kit.Kind[resourceRef]{Name: "rds.global-failover"}
	jobGlobalRejoin = kit.Kind[armedPayload]{Name: "rds.global-rejoin"}
)

func (s *Service) registerGlobalJobs() {
	jobGlobalStep.Register(s.Kit, runner(s.runGlobalFailover))
	jobGlobalRejoin.Register(s.Kit, runner(s.runGlobalRejoin))
	jobClusterBackup.Register(s.Kit, runner(s.runClusterBackup))
	jobClusterBackupDrop.Register(s.Kit, runner(s.runClusterBackupExpire))
	jobClusterSnap.Register(s.Kit, runner(s.runClusterSnapshotStep))
}

// replicatedAt is how far a secondary has replicated its primary at now.
func (s *Service) replicatedAt(cl *clusterRec, region string, now time.Time) time.Time {
	at := now
	for _, r := range []string{cl.PrimaryRegion, region} {
		if r == "" {
			continue
		}
		if since, down := s.Faults.Since(r); down && since.Before(at) {
			at = since
		}
	}
	return at
}

func (s *Service) SwitchoverGlobalCluster(ctx context.Context, in *rdsapi.SwitchoverGlobalClusterMessage) (*rdsapi.SwitchoverGlobalClusterResult, error) {
	out, err := s.startGlobalFailover(ctx, deref(in.GlobalClusterIdentifier), deref(in.TargetDbClusterIdentifier), false)
	if err != nil {
		return nil, err
	}
	return &rdsapi.SwitchoverGlobalClusterResult{GlobalCluster: out}, nil
}

// FailoverGlobalCluster is a failover with AllowDataLoss, or a switchover (Switchover, or
// neither flag: the planned failover the operation meant before AllowDataLoss existed).
func (s *Service) FailoverGlobalCluster(ctx context.Context, in *rdsapi.FailoverGlobalClusterMessage) (*rdsapi.FailoverGlobalClusterResult, error) {
	if deref(in.AllowDataLoss) && deref(in.Switchover) {
		return nil, msgGlobalSwitchoverBoth.New()
	}
	out, err := s.startGlobalFailover(ctx, deref(in.GlobalClusterIdentifier), deref(in.TargetDbClusterIdentifier), deref(in.AllowDataLoss))
	if err != nil {
		return nil, err
	}
	return &rdsapi.FailoverGlobalClusterResult{GlobalCluster: out}, nil
}

// startGlobalFailover checks and records a switchover or failover; the job engine carries
// it out.
func (s *Service) startGlobalFailover(ctx context.Context, global, target string, dataLoss bool) (*rdsapi.GlobalCluster, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.GlobalCluster, error) {
		v := c.In(tx)
		g, err := findGlobal(tx, v, global)
		if err != nil {
			return nil, err
		}
		if g.Status != statusAvailable || g.Failover != nil {
			return nil, msgGlobalState.New(g.ID, g.Status)
		}
		cl, cv, err := clusterByARN(tx, v, target)
		if err != nil {
			return nil, err
		}
		if cl == nil || cl.Global != g.ID {
			return nil, msgGlobalNotMember.New(target, g.ID)
		}
		p := g.primary()
		if p == nil {
			return nil, msgGlobalNoPrimary.New(g.ID)
		}
		if p.Region == cv.Region() {
			return nil, msgGlobalTargetPrimary.New(cl.ID, g.ID)
		}
		if _, down := s.Unreachable(cv.Region()); down {
			return nil, msgClusterState.New(cl.ID, "unreachable")
		}
		if _, down := s.Unreachable(p.Region); down && !dataLoss {
			return nil, msgGlobalPrimaryDown.New(g.ID, p.Region)
		}
		if err := requireAvailable(cl); err != nil {
			return nil, err
		}
		g.Status = globalSwitchingOver
		def := evGlobalSwitchoverStarted
		if dataLoss {
			g.Status, def = globalFailingOver, evGlobalFailoverStarted
		}
		g.Failover = &failoverRec{Status: failoverPending, DataLoss: dataLoss,
			From: clusterARN(partitionOf(p.Region), p.Region, v.Account(), p.Cluster), To: cl.arnIn(cv)}
		if err := recordEvent(cv, c.Now(), def, cl.ID, g.ID, cv.Region()); err != nil {
			return nil, err
		}
		gv := globalsView(tx, v)
		if err := globals.Put(gv, g, g.ID); err != nil {
			return nil, err
		}
		if _, err := jobGlobalStep.Enqueue(tx, s.After(), refIn(gv, g.ID)); err != nil {
			return nil, err
		}
		return new(s.globalOut(tx, v, g)), nil
	})
}

// runGlobalFailover makes the target the primary and the old primary a secondary.
func (s *Service) runGlobalFailover(tx kit.Tx, p resourceRef) error {
	gv := tx.In(p.Account, p.Region)
	g, err := globals.Get(gv, p.ID)
	if err != nil || g == nil || g.Failover == nil {
		return err
	}
	now := s.Clock.Now()
	from, to := g.primary(), g.member(regionOfARN(g.Failover.To))
	if from == nil || to == nil {
		g.Status, g.Failover = statusAvailable, nil // a member left meanwhile
		return globals.Put(gv, g, g.ID)
	}
	tv := tx.In(p.Account, to.Region)
	target, err := clusters.Get(tv, to.Cluster)
	if err != nil || target == nil {
		return err
	}
	lost := now.Sub(s.replicatedAt(target, to.Region, now))
	_, fromDown := s.Unreachable(from.Region)
	if err := s.promoteSecondary(tv, target, now); err != nil {
		return err
	}
	if err := s.demotePrimary(tx, gv, g, from, to.Region, fromDown, now); err != nil {
		return err
	}
	for i := range g.Members {
		g.Members[i].Writer = g.Members[i].Region == to.Region
		if err := setPrimaryRegion(tx.In(p.Account, g.Members[i].Region), g.Members[i], to.Region); err != nil {
			return err
		}
	}
	def := evGlobalSwitchoverDone
	if g.Failover.DataLoss {
		def = evGlobalFailoverDone
	}
	if err := recordEvent(tv, now, def, target.ID, g.ID, to.Region, lost.Round(time.Second)); err != nil {
		return err
	}
	g.Status, g.Failover = statusAvailable, nil
	return globals.Put(gv, g, g.ID)
}

// promoteSecondary makes a secondary cluster its global cluster's writer.
func (s *Service) promoteSecondary(v kit.View, cl *clusterRec, now time.Time) error {
	cl.Secondary, cl.PrimaryRegion = false, ""
	next, err := promotionCandidate(v, cl, "")
	if err != nil {
		return err
	}
	if next != nil {
		cl.Writer = next.ID
	}
	return putCluster(v, cl)
}

// demotePrimary makes the old primary a secondary of the new one; one left behind in an
// unreachable Region is marked to rejoin, and a job watches for its Region.
func (s *Service) demotePrimary(tx kit.Tx, gv kit.View, g *globalRec, from *globalMember, newPrimary string, down bool, now time.Time) error {
	fv := tx.In(gv.Account(), from.Region)
	old, err := clusters.Get(fv, from.Cluster)
	if err != nil || old == nil {
		return err
	}
	old.Secondary, old.Writer = true, ""
	if err := putCluster(fv, old); err != nil {
		return err
	}
	if !down {
		return nil
	}
	from.Rejoin = true
	return arm(tx, jobGlobalRejoin, gv, g.ID, now.Add(rejoinMinWait))
}

func setPrimaryRegion(v kit.View, m globalMember, primary string) error {
	cl, err := clusters.Get(v, m.Cluster)
	if err != nil || cl == nil {
		return err
	}
	cl.PrimaryRegion = ""
	if m.Region != primary {
		cl.PrimaryRegion = primary
	}
	return putCluster(v, cl)
}

// runGlobalRejoin rejoins the old primaries whose Regions are back, and watches again for
// the others: the longer a Region has been down, the less often, up to hourly.
func (s *Service) runGlobalRejoin(tx kit.Tx, p armedPayload) error {
	gv := tx.In(p.Account, p.Region)
	g, err := globals.Get(gv, p.ID)
	if err != nil || g == nil {
		return err
	}
	now := s.Clock.Now()
	wait := time.Duration(0)
	for i := range g.Members {
		m := &g.Members[i]
		if !m.Rejoin {
			continue
		}
		if since, down := s.Faults.Since(m.Region); down {
			wait = max(wait, min(max(now.Sub(since)/10, rejoinMinWait), rejoinMaxWait))
			continue
		}
		m.Rejoin = false
		if err := recordEvent(tx.In(p.Account, m.Region), now, evGlobalRejoined, m.Cluster, g.ID); err != nil {
			return err
		}
	}
	if wait > 0 {
		if err := arm(tx, jobGlobalRejoin, gv, g.ID, now.Add(wait)); err != nil {
			return err
		}
	}
	return globals.Put(gv, g, g.ID)
}

func regionOfARN(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Region
}
