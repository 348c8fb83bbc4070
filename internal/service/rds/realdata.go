package rds

import (
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Real data (--real-engines). With a port.DatabaseEngines, a PostgreSQL DB instance is a
// real server and its backups, snapshots and replicas hold its data. The life cycle
// stays RDS's: each status step first asks the engines to do the matching work
// (engineStep) and steps again a moment later until it is done, so the status a client
// waits for is reached only when the server is. Records of instances, backups and
// snapshots say whether they hold data (RealData); what only the engines need lives in
// engineRec.

// enginePoll is how soon a step that waits for the engines looks again.
const enginePoll = 500 * time.Millisecond

var engineRecs = kit.Table[engineRec]{Kind: "engine"} // engine/<DbiResourceId>

// engineRec is what the engines still have to do for an instance.
type engineRec struct {
	// Password is a master password not yet set in the server (at creation, or by
	// ModifyDBInstance), sealed with the root key.
	Password []byte          `json:"password,omitempty"`
	Restore  *port.DBRestore `json:"restore,omitempty"` // how a restored instance's server is made
	// Rotated is a new value of the instance's managed secret not yet set in the server
	// (realdata_password.go), sealed with the root key.
	Rotated []byte `json:"rotated,omitempty"`
	// Replica is how a read replica's server is made (realdata_replicas.go); Promote
	// says the replica's server is to be promoted by the modifying step.
	Replica *port.DBReplica `json:"replica,omitempty"`
	Promote bool            `json:"promote,omitempty"`
}

func passwordAAD(dbi string) []byte { return []byte("rds-master-password/" + dbi) }

// realData reports whether an instance of engine runs as a real server.
func (s *Service) realData(engine string) bool { return s.engines != nil && s.engines.Runs(engine) }

func getEngineRec(v kit.View, dbi string) (*engineRec, error) {
	rec, err := engineRecs.Get(v, dbi)
	if err == nil && rec == nil {
		rec = &engineRec{}
	}
	return rec, err
}

func putEngineRec(v kit.View, dbi string, rec *engineRec) error {
	if rec.Password == nil && rec.Restore == nil && rec.Rotated == nil && rec.Replica == nil && !rec.Promote {
		return engineRecs.Delete(v, dbi)
	}
	return engineRecs.Put(v, rec, dbi)
}

// automatedStore names the store of a backup's or instance's automated backups in v;
// key is the KMS key of that Region that encrypts it ("" for the root key).
func automatedStore(v kit.View, dbi, key string) port.BackupStore {
	return port.BackupStore{Account: v.Account(), Region: v.Region(), Kind: port.AutomatedBackups, Name: dbi, KeyARN: key}
}

func snapshotStore(v kit.View, snap *snapshotRec) port.BackupStore {
	return port.BackupStore{Account: v.Account(), Region: v.Region(), Kind: port.SnapshotBackups, Name: snap.ID, KeyARN: snap.KmsKey}
}

// engineCreate marks a new instance as a real server and keeps its master password,
// sealed, until the server is made.
func (s *Service) engineCreate(v kit.View, inst *instanceRec, password string) error {
	if !s.realData(inst.Engine) {
		return nil
	}
	inst.RealData = true
	if password == "" {
		return nil // a managed password: createMasterSecret hands it over (enginePassword)
	}
	return putEngineRec(v, inst.ResourceID, &engineRec{Password: s.Sealer.Seal([]byte(password), passwordAAD(inst.ResourceID))})
}

// enginePassword keeps a new master password until the resetting step sets it.
func (s *Service) enginePassword(v kit.View, inst *instanceRec, password string) error {
	if !inst.RealData || s.engines == nil {
		return nil
	}
	return s.keepPassword(v, inst.ResourceID, password)
}

// keepPassword keeps, sealed, a master password the server id has yet to be given: an
// instance's or a DB cluster's.
func (s *Service) keepPassword(v kit.View, id, password string) error {
	rec, err := getEngineRec(v, id)
	if err != nil {
		return err
	}
	// A password given now supersedes a secret's value still waiting for the server.
	rec.Password, rec.Rotated = s.Sealer.Seal([]byte(password), passwordAAD(id)), nil
	return putEngineRec(v, id, rec)
}

// engineRestore makes a restored instance a real server, made from the store from:
// to the instant r.Time (xregion's clock), to the latest restorable time, or to a
// snapshot's moment. The server's database and master user are the source's
// (r.DBName, inst.MasterUsername), whatever DBName the request gave: they come with
// the data, as on RDS. The instance answers that DBName too, so that psql reaches the
// rows with what DescribeDBInstances says. Choice: the API reference of both restores
// says DBName "doesn't apply to the MySQL engine", and the RDS User Guide and the
// earlier reference say it applies to neither MySQL, MariaDB nor PostgreSQL — a
// PostgreSQL restore brings the source's databases whole, and a name the source has
// no database of would be a name psql cannot connect to.
func (s *Service) engineRestore(tx kit.Tx, v kit.View, inst *instanceRec, from port.BackupStore, r port.DBRestore) error {
	if !s.realData(inst.Engine) {
		return nil
	}
	if _, err := restoreSourcePending(tx, from); err != nil {
		// An AWS Backup snapshot whose data could not be taken restores nothing.
		s.Log.Warn("rds: refusing a restore", "instance", inst.ID, "err", err)
		return msgSnapshotNotAvailable.New(from.Name)
	}
	r.ID, r.MasterUsername, r.From = inst.ResourceID, inst.MasterUsername, from
	r.Backups = automatedStore(v, inst.ResourceID, inst.KmsKey)
	inst.RealData, inst.DBName = true, r.DBName
	if err := putInstance(v, inst); err != nil {
		return err
	}
	if err := syncOwnBackup(v, inst); err != nil {
		return err
	}
	return putEngineRec(v, inst.ResourceID, &engineRec{Restore: &r})
}

// engineStep does the engines' part of an instance's status step. It reports wait when
// the engines are not done yet: the step is armed again and the status stays.
func (s *Service) engineStep(tx kit.Tx, v kit.View, inst *instanceRec, p stepPayload) (wait bool, err error) {
	if inst.Cluster != "" && s.engines != nil {
		return s.memberEngineStep(tx, v, inst, p) // realdata_clusters.go
	}
	if !inst.RealData || s.engines == nil {
		return false, nil
	}
	rec, err := getEngineRec(v, inst.ResourceID)
	if err != nil {
		return false, err
	}
	op := fmt.Sprintf("%s/%s/%s/%d", v.Region(), inst.ResourceID, inst.Status, inst.Seq)
	done, err := s.engineWait(tx, inst, rec)
	if err == nil && done {
		done, err = s.engineWork(tx, v, inst, rec, op)
	}
	if err != nil {
		s.Log.Warn("rds: the database server did not follow", "instance", inst.ID, "status", inst.Status, "err", err)
		return false, err
	}
	if !done {
		_, err := jobInstanceStep.Enqueue(tx, s.Clock.Now().Add(enginePoll), p)
		return true, err
	}
	if err := s.engineRearm(tx, v, inst.ResourceID, inst.Status, rec); err != nil {
		return false, err
	}
	switch inst.Status {
	case statusCreating, statusModifying, statusResetting:
		rec.Password, rec.Restore, rec.Replica, rec.Promote = nil, nil, nil, false
		return false, putEngineRec(v, inst.ResourceID, rec)
	case statusDeleting:
		return false, engineRecs.Delete(v, inst.ResourceID)
	}
	return false, nil
}

// engineWait reports whether the instance's work may start: a restore from an AWS
// Backup snapshot waits until the snapshot's data is all there (realdata_awsbackup.go).
func (s *Service) engineWait(tx kit.Tx, inst *instanceRec, rec *engineRec) (bool, error) {
	if inst.Status != statusCreating || rec.Restore == nil {
		return true, nil
	}
	pending, err := restoreSourcePending(tx, rec.Restore.From)
	return !pending, err
}

// engineWork starts or checks the work the instance's status calls for.
func (s *Service) engineWork(tx kit.Tx, v kit.View, inst *instanceRec, rec *engineRec, op string) (bool, error) {
	e, id := s.engines, inst.ResourceID
	switch inst.Status {
	case statusCreating:
		if rec.Replica != nil {
			return e.CreateReplica(tx, op, *rec.Replica)
		}
		return s.makeServer(tx, op, rec, port.DBServer{ID: id, EngineVersion: inst.EngineVersion,
			MasterUsername: inst.MasterUsername, DBName: inst.DBName, Backups: automatedStore(v, id, inst.KmsKey)})
	case statusModifying, statusResetting:
		if done, err := s.enginePromoteStep(rec, op, id); !done || err != nil {
			return done, err
		}
		return s.setKeptPassword(op, id, rec)
	case statusBackingUp:
		// RDS makes an instance available once its first backup is taken: its restore
		// window begins there.
		return e.Backup(op, id)
	case statusStopping:
		return e.Stop(op, id)
	case statusStarting:
		return e.Start(op, id)
	case statusRebooting:
		return e.Reboot(op, id)
	case statusDeleting:
		if busy, err := snapshotsInProgress(v, inst); err != nil || busy {
			return false, err // the final snapshot is taken from the running server
		}
		return e.Delete(op, id)
	}
	return true, nil
}

// makeServer makes the server srv describes: restored as rec says, or new with the
// master password rec keeps.
func (s *Service) makeServer(tx kit.Tx, op string, rec *engineRec, srv port.DBServer) (bool, error) {
	if rec.Restore != nil {
		return s.engines.Restore(tx, op, *rec.Restore)
	}
	if rec.Password == nil {
		return true, nil // made before this step ran again
	}
	password, err := s.Sealer.Open(rec.Password, passwordAAD(srv.ID))
	if err != nil {
		return false, err
	}
	srv.MasterPassword = string(password)
	return s.engines.Create(tx, op, srv)
}

// setKeptPassword sets in server id the master password rec keeps, if any.
func (s *Service) setKeptPassword(op, id string, rec *engineRec) (bool, error) {
	if rec.Password == nil {
		return true, nil
	}
	password, err := s.Sealer.Open(rec.Password, passwordAAD(id))
	if err != nil {
		return false, err
	}
	return s.engines.SetPassword(op, id, string(password))
}

// snapshotsInProgress reports whether a snapshot of inst is still being taken.
func snapshotsInProgress(v kit.View, inst *instanceRec) (bool, error) {
	snaps, err := indexedBy(v, snapsByInst, snapshots, inst.ID)
	if err != nil {
		return false, err
	}
	for _, snap := range snaps {
		if snap.ResourceID == inst.ResourceID && snap.Status == snapshotCreating {
			return true, nil
		}
	}
	return false, nil
}

// engineSnapshotStep takes a creating snapshot's data: a base backup of its instance's
// server, or a copy of its source snapshot's backups (re-encrypted with the copy's key,
// possibly in another Region). It reports wait while that runs.
func (s *Service) engineSnapshotStep(tx kit.Tx, v kit.View, snap *snapshotRec, p resourceRef) (wait bool, err error) {
	if !snap.RealData || s.engines == nil {
		return false, nil
	}
	op := fmt.Sprintf("snapshot/%s/%s/%s/%d", v.Account(), v.Region(), snap.ID, snap.Created.UnixNano())
	var done bool
	if ref, copying := snap.sourceOf(); copying {
		srcV := tx.In(ref.Account, ref.Region)
		src, err := snapshots.Get(srcV, ref.ID)
		if err != nil || src == nil {
			return false, err // the source is gone; runSnapshotStep ends the copy
		}
		done, err = s.engines.CopyBackups(tx, op, snapshotStore(srcV, src), snapshotStore(v, snap))
	} else {
		done, err = s.engines.Snapshot(tx, op, snap.ResourceID, snapshotStore(v, snap))
	}
	if err != nil {
		s.Log.Warn("rds: the snapshot's data could not be taken", "snapshot", snap.ID, "err", err)
		return false, err
	}
	if !done {
		_, err := jobSnapshotStep.Enqueue(tx, s.Clock.Now().Add(enginePoll), p)
		return true, err
	}
	if snap.Type == snapshotAutomated {
		return false, s.enginePrune(v, snap.ResourceID)
	}
	return false, nil
}

// enginePrune removes from an instance's automated backups what its retention period no
// longer keeps, after each daily backup.
func (s *Service) enginePrune(v kit.View, dbi string) error {
	inst, err := instanceByResourceID(v, dbi)
	if err != nil || inst == nil || inst.Retention == 0 {
		return err
	}
	before := s.Clock.Now().Add(-time.Duration(inst.Retention) * day)
	if err := s.engines.Prune(automatedStore(v, dbi, inst.KmsKey), before); err != nil {
		s.Log.Warn("rds: pruning automated backups", "instance", inst.ID, "err", err)
	}
	return nil
}

// engineReplicate starts copying a real instance's automated backups into the replica b
// in dest, re-encrypted with the replica's key.
func (s *Service) engineReplicate(tx kit.Tx, src, dest kit.View, inst *instanceRec, b *backupRec) error {
	if !inst.RealData || s.engines == nil {
		return nil
	}
	b.RealData = true
	return s.engines.Replicate(tx, automatedStore(src, inst.ResourceID, inst.KmsKey), automatedStore(dest, b.ResourceID, b.KmsKey))
}

// engineEndReplica stops copying into a replica, which keeps what it has.
func (s *Service) engineEndReplica(tx kit.Tx, dest kit.View, b *backupRec) {
	if !b.RealData || s.engines == nil {
		return
	}
	ref := automatedStore(dest, b.ResourceID, b.KmsKey)
	tx.OnCommit(func() {
		if err := s.engines.StopReplicating(ref); err != nil {
			s.Log.Warn("rds: stopping a replication", "backup", b.ID, "err", err)
		}
	})
}

// engineDropBackup removes an automated backup's data once its record is gone.
func (s *Service) engineDropBackup(tx kit.Tx, v kit.View, b *backupRec) {
	if !b.RealData || s.engines == nil {
		return
	}
	s.dropStore(tx, automatedStore(v, b.ResourceID, b.KmsKey))
}

// removeSnapshot deletes a snapshot's record and, once that commits, the data it holds:
// every way a snapshot goes (deleted, expired, its copy terminated) goes through here, so
// no store outlives its record.
func (s *Service) removeSnapshot(tx kit.Tx, v kit.View, snap *snapshotRec) error {
	if err := s.engineDropSnapshot(tx, v, snap); err != nil {
		return err
	}
	return deleteSnapshot(v, snap)
}

// engineDropSnapshot removes a deleted snapshot's data once its record is gone.
func (s *Service) engineDropSnapshot(tx kit.Tx, v kit.View, snap *snapshotRec) error {
	if !snap.RealData || s.engines == nil {
		return nil
	}
	s.dropStore(tx, snapshotStore(v, snap))
	return engineSnaps.Delete(v, snap.ID) // data still being taken is not taken
}

func (s *Service) dropStore(tx kit.Tx, ref port.BackupStore) {
	tx.OnCommit(func() {
		if err := s.engines.DropBackups(ref); err != nil {
			s.Log.Warn("rds: removing backups", "kind", ref.Kind, "name", ref.Name, "err", err)
		}
	})
}

// engineWindow is the restore window of a backup that holds data: what its store can
// restore to, within the retention period.
func (s *Service) engineWindow(v kit.View, b *backupRec, now time.Time) (earliest, latest time.Time, ok bool) {
	switch b.Status {
	case backupActive, backupReplicating, backupRetained:
	default:
		return time.Time{}, time.Time{}, false
	}
	w, ok := s.engines.Window(automatedStore(v, b.ResourceID, b.KmsKey))
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	earliest, latest = windowOnWire(w.Earliest, w.Latest, now, b.Retention)
	return earliest, latest, true
}

// engineOut shows where a real instance's server listens, and how far its backups reach.
func (s *Service) engineOut(v kit.View, inst *instanceRec, out *rdsapi.DBInstance) {
	if !inst.RealData || s.engines == nil {
		return
	}
	if ep, ok := s.engines.Endpoint(inst.ResourceID); ok {
		out.Endpoint = &rdsapi.Endpoint{Address: new(ep.Address), Port: new(int64(ep.Port))}
	}
	out.LatestRestorableTime = nil
	if inst.Retention > 0 {
		if w, ok := s.engines.Window(automatedStore(v, inst.ResourceID, inst.KmsKey)); ok {
			out.LatestRestorableTime = optTime(w.Latest.Truncate(time.Millisecond))
		}
	}
}
