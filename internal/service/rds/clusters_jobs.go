package rds

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// A cluster's status transitions: each is a job due at Jobs.After(), stale when a later
// request has moved the cluster on (its Seq).
var jobClusterStep = kit.Kind[stepPayload]{Name: "rds.cluster-step"}

func (s *Service) registerClusterJobs() {
	jobClusterStep.Register(s.Kit, runner(s.runClusterStep))
	jobClusterAutoStart.Register(s.Kit, runner(s.runClusterAutoStart))
	s.registerGlobalJobs()
}

// clusterStep stores cl, in the status it has just been given, and arms its next step.
func (s *Service) clusterStep(tx kit.Tx, v kit.View, cl *clusterRec) error {
	cl.Seq++
	if err := putCluster(v, cl); err != nil {
		return err
	}
	_, err := jobClusterStep.Enqueue(tx, s.After(), stepPayload{resourceRef: refIn(v, cl.ResourceID), Seq: cl.Seq})
	return err
}

func (s *Service) runClusterStep(tx kit.Tx, p stepPayload) error {
	v := tx.In(p.Account, p.Region)
	cl, err := clusterByResourceID(v, p.ID)
	if err != nil || cl == nil || cl.Seq != p.Seq {
		return err
	}
	if wait, err := s.clusterEngineStep(tx, v, cl, p); wait || err != nil {
		return err
	}
	now := s.Clock.Now()
	switch cl.Status {
	case statusCreating:
		cl.Created = now
		// Aurora backs up continuously from the moment the cluster exists.
		cl.BackupStart = now
		if err := s.armClusterBackup(tx, v, cl, now); err != nil {
			return err
		}
		return s.clusterEvent(v, cl, now, evClusterCreated)
	case statusModifying, statusFailingOver, statusRenaming:
		cl.Status = statusAvailable
		return putCluster(v, cl)
	case statusStopping:
		return s.finishClusterStop(tx, v, cl, now)
	case statusStarting:
		resumeClusterLogs(cl, now)
		return s.clusterEvent(v, cl, now, evClusterStarted)
	case statusDeleting:
		return s.finishClusterDelete(tx, v, cl, now)
	}
	return nil
}

// clusterEvent records an event about cl and makes it available.
func (s *Service) clusterEvent(v kit.View, cl *clusterRec, now time.Time, def eventDef) error {
	cl.Status = statusAvailable
	if err := recordEvent(v, now, def, cl.ID); err != nil {
		return err
	}
	return putCluster(v, cl)
}

// finishClusterStop stops the cluster and its instances: no logs while stopped, and
// Aurora starts it again by itself after seven days.
func (s *Service) finishClusterStop(tx kit.Tx, v kit.View, cl *clusterRec, now time.Time) error {
	cl.Status = statusStopped
	cl.AutoStart = now.Add(autoStartAfter)
	cl.LogGaps = append(cl.LogGaps, logGap{Stopped: now})
	if err := setMembersStatus(v, cl, statusStopped); err != nil {
		return err
	}
	if err := recordEvent(v, now, evClusterStopped, cl.ID); err != nil {
		return err
	}
	if err := putCluster(v, cl); err != nil {
		return err
	}
	return arm(tx, jobClusterAutoStart, v, cl.ResourceID, cl.AutoStart)
}

var jobClusterAutoStart = kit.Kind[armedPayload]{Name: "rds.cluster-auto-start"}

func (s *Service) runClusterAutoStart(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	cl, err := clusterByResourceID(v, p.ID)
	if err != nil || cl == nil || cl.Status != statusStopped || !cl.AutoStart.Equal(p.At) {
		return err
	}
	return s.startCluster(tx, v, cl)
}

// startCluster starts a stopped cluster and its instances.
func (s *Service) startCluster(tx kit.Tx, v kit.View, cl *clusterRec) error {
	cl.AutoStart = time.Time{}
	cl.Status = statusStarting
	if err := setMembersStatus(v, cl, statusAvailable); err != nil {
		return err
	}
	return s.clusterStep(tx, v, cl)
}

// resumeClusterLogs closes the cluster's open log gap.
func resumeClusterLogs(cl *clusterRec, now time.Time) {
	if n := len(cl.LogGaps); n > 0 && cl.LogGaps[n-1].Resumed.IsZero() {
		cl.LogGaps[n-1].Resumed = now
	}
}

// setMembersStatus moves the cluster's instances with it when it stops or starts.
func setMembersStatus(v kit.View, cl *clusterRec, status string) error {
	ms, err := members(v, cl.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Status == statusDeleting {
			continue
		}
		m.Status = status
		m.Seq++ // steps armed before are stale
		if err := putInstance(v, m); err != nil {
			return err
		}
	}
	return nil
}
