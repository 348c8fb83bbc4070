package rds

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// A managed master password (ManageMasterUserPassword) lives in a Secrets Manager secret
// RDS owns. When its AWSCURRENT value changes — a rotation asked of Secrets Manager or on
// the secret's schedule, RotateMasterUserPassword — the new password must be the
// server's, or psql would go on connecting with the old one and not with the secret's.
// Secrets Manager tells RDS (port.ManagedSecretOwner); RDS keeps the password, sealed,
// and a durable job (jobEnginePassword) sets it in the server, the instance staying
// available as RDS does for a rotation. A server that is not running (stopped,
// starting, being made) gets it once it runs: the steps that make it run arm the job
// again (engineRearm).

// jobEnginePassword sets the latest value of an instance's managed secret in its server.
var jobEnginePassword = kit.Kind[resourceRef]{Name: "rds.engine-password"}

// secretOwner is RDS as the owner of the master user secrets: port.ManagedSecretOwner.
type secretOwner struct{ s *Service }

var _ port.ManagedSecretOwner = secretOwner{}

func (s *Service) registerPasswordJobs() {
	jobEnginePassword.Register(s.Kit, kit.Handler[resourceRef]{
		MaxAttempts: maxStepAttempts,
		Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p resourceRef) error {
			return s.runEnginePassword(tx, p)
		},
	})
}

// ManagedValueChanged implements port.ManagedSecretOwner. The secret of an instance or
// a DB cluster without a real server needs nothing.
func (o secretOwner) ManagedValueChanged(tx kit.Tx, owner, account, region, secretARN, value string) error {
	s := o.s
	if owner != serviceName || s.engines == nil {
		return nil
	}
	tx = s.Join(tx)
	v := tx.In(account, region)
	srv, err := serverOfSecret(v, secretARN)
	if err != nil || srv == nil {
		return err
	}
	var doc struct {
		Password string `json:"password"`
	}
	if err := json.Unmarshal([]byte(value), &doc); err != nil || doc.Password == "" {
		// RDS's rotation would fail on such a value; the server keeps its password.
		s.Log.Warn("rds: a managed master secret holds no password; the server keeps its own", "resource", srv.name)
		return nil
	}
	rec, err := getEngineRec(v, srv.id)
	if err != nil {
		return err
	}
	rec.Rotated = s.Sealer.Seal([]byte(doc.Password), passwordAAD(srv.id))
	if err := putEngineRec(v, srv.id, rec); err != nil {
		return err
	}
	_, err = jobEnginePassword.Enqueue(tx, s.Clock.Now(), refIn(v, srv.id))
	return err
}

// realServer is the real server behind an instance or a DB cluster: its id (the
// resource id), the resource's identifier and status.
type realServer struct{ id, name, status string }

// serverOfSecret finds the real server whose managed master secret is secretARN.
func serverOfSecret(v kit.View, secretARN string) (*realServer, error) {
	inst, err := instanceOfSecret(v, secretARN)
	if err != nil || inst != nil {
		return realServerOf(inst, nil), err
	}
	var found *clusterRec
	err = clusters.Scan(v, func(cl *clusterRec) bool {
		if cl.MasterSecretARN == secretARN {
			found = cl
		}
		return found == nil
	})
	return realServerOf(nil, found), err
}

// serverByResourceID finds the real server of an instance's or a cluster's resource id.
func serverByResourceID(v kit.View, id string) (*realServer, error) {
	inst, err := instanceByResourceID(v, id)
	if err != nil || inst != nil {
		return realServerOf(inst, nil), err
	}
	cl, err := clusterByResourceID(v, id)
	return realServerOf(nil, cl), err
}

// realServerOf is the real server of inst or cl, nil when it has none.
func realServerOf(inst *instanceRec, cl *clusterRec) *realServer {
	switch {
	case inst != nil && inst.RealData:
		return &realServer{id: inst.ResourceID, name: inst.ID, status: inst.Status}
	case cl != nil && cl.RealData:
		return &realServer{id: cl.ResourceID, name: cl.ID, status: cl.Status}
	}
	return nil
}

// instanceOfSecret finds the instance whose managed master secret is secretARN.
func instanceOfSecret(v kit.View, secretARN string) (*instanceRec, error) {
	var found *instanceRec
	err := instances.Scan(v, func(inst *instanceRec) bool {
		if inst.MasterSecretARN == secretARN {
			found = inst
		}
		return found == nil
	})
	return found, err
}

// runEnginePassword sets a secret's new password in a running server, looking again a
// moment later until it is done. A server that does not run now waits for the step that
// starts it (engineRearm).
func (s *Service) runEnginePassword(tx kit.Tx, p resourceRef) error {
	v := tx.In(p.Account, p.Region)
	srv, err := serverByResourceID(v, p.ID)
	if err != nil || srv == nil || s.engines == nil {
		return err
	}
	rec, err := getEngineRec(v, srv.id)
	if err != nil || rec.Rotated == nil || !serverRuns(srv.status) {
		return err
	}
	password, err := s.Sealer.Open(rec.Rotated, passwordAAD(srv.id))
	if err != nil {
		return err
	}
	// The op names this password (its sealed form is unique), so a later change is a
	// new operation and not the outcome of this one.
	sum := sha256.Sum256(rec.Rotated)
	op := fmt.Sprintf("%s/%s/secret-password/%x", v.Region(), srv.id, sum[:8])
	done, err := s.engines.SetPassword(op, srv.id, string(password))
	if err != nil {
		s.Log.Warn("rds: the secret's new master password did not reach the server", "resource", srv.name, "err", err)
		return err
	}
	if !done {
		_, err := jobEnginePassword.Enqueue(tx, s.Clock.Now().Add(enginePoll), p)
		return err
	}
	rec.Rotated = nil
	return putEngineRec(v, srv.id, rec)
}

// serverRuns reports whether an instance in status has a running server to set a
// password in.
func serverRuns(status string) bool {
	switch status {
	case statusCreating, statusStopping, statusStopped, statusStarting, statusDeleting:
		return false
	}
	return true
}

// engineRearm arms the password job again once a step has made server id run (its
// status is the step's), if a secret's new password waits for it.
func (s *Service) engineRearm(tx kit.Tx, v kit.View, id, status string, rec *engineRec) error {
	if rec.Rotated == nil || (status != statusCreating && status != statusStarting) {
		return nil
	}
	_, err := jobEnginePassword.Enqueue(tx, s.Clock.Now(), refIn(v, id))
	return err
}
