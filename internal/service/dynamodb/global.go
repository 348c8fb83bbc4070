package dynamodb

import (
	"context"
	"errors"
	"slices"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// Global tables (version 2019.11.21). A replica is a table of the same name in another
// Region, whose record lists the other Regions of the group; all of them share the
// group's data key (each wraps it under its own Region's key), so that an item is the
// same sealed bytes at the same position everywhere and replication copies bytes.
//
// A write made in a Region puts the item's position in that Region's outbox for every
// other replica, and arms one replication job per replica if none is pending. The job,
// which runs in the replica's queue (after its creation, in order), ships the item as
// it then is — or its tombstone — and the replica keeps it if it is newer than its own
// (last writer wins: the later write, then the Region that sorts last). While a Region
// is unreachable (the admin fault API), the job fails and retries, and the outbox
// grows; when the Region returns, the next attempt ships everything, in one job.

// maxShip is how many items one replication job ships; a longer outbox takes more jobs.
const maxShip = 1000

// unreachableError is the failure of replication across a Region made unreachable.
type unreachableError struct{ region string }

func (e *unreachableError) Error() string { return "Region " + e.region + " is unreachable" }

var errNoReplica = errors.New("dynamodb: no such replica")

// changeReplicas applies UpdateTable's ReplicaUpdates. New replicas are CREATING and
// removed ones DELETING until their jobs, in their Regions' queues, have run.
func (s *Service) changeReplicas(tx kit.Tx, v kit.View, rec *tableRecord, updates []ddb.ReplicationGroupUpdate) (bool, error) {
	seen := map[string]bool{}
	for _, u := range updates {
		if countSet(u.Create != nil, u.Update != nil, u.Delete != nil) != 1 {
			return false, msgReplicaAction.New()
		}
		var err error
		switch {
		case u.Create != nil:
			err = s.addReplica(tx, v, rec, u.Create, seen)
		case u.Delete != nil:
			err = s.removeReplica(tx, v, rec, *u.Delete.RegionName, seen)
		default:
			err = msgNotAvailable.New(paramReplicaUpdates, featureReplicaSettings)
		}
		if err != nil {
			return false, err
		}
	}
	return len(updates) > 0, nil
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

func (s *Service) addReplica(tx kit.Tx, v kit.View, rec *tableRecord, cr *ddb.CreateReplicationGroupMemberAction, seen map[string]bool) error {
	region := *cr.RegionName
	switch {
	case !regions.Valid(region) || !regions.SamePartition(region, v.Region()):
		return msgReplicaRegion.New(region)
	case region == v.Region():
		return msgReplicaSelf.New(region)
	case seen[region]:
		return msgReplicaTwice.New(region)
	case rec.replica(region) != nil || tables.Has(tx.In(v.Account(), region), rec.Name):
		return msgReplicaExists.New(rec.Name)
	}
	seen[region] = true
	if rec.Stream == nil || !rec.Stream.Enabled {
		// Replication rides on the stream: DynamoDB turns it on with both images.
		rec.Stream = &streamRecord{Enabled: true, ViewType: ddb.StreamViewTypeNewAndOldImages, Label: s.Clock.Now().UTC().Format(textStreamLabelFormat)}
	} else if rec.Stream.ViewType != ddb.StreamViewTypeNewAndOldImages {
		return msgStreamReplicas.New()
	}
	r := replicaRecord{Region: region, Status: ddb.ReplicaStatusCreating}
	if cr.KMSMasterKeyId != nil {
		if _, err := s.keys.Resolve(tx, v.Account(), region, *cr.KMSMasterKeyId); err != nil {
			return msgReplicaKey.New(*cr.KMSMasterKeyId, region)
		}
		r.KMSKey = *cr.KMSMasterKeyId
	}
	rec.Replicas = append(rec.Replicas, r)
	_, err := jobReplicate.Enqueue(tx, s.After(), replicaPayload{Account: v.Account(), Table: rec.Name, Source: v.Region(), Replica: region, Step: replicaCreate})
	return err
}

func (s *Service) removeReplica(tx kit.Tx, v kit.View, rec *tableRecord, region string, seen map[string]bool) error {
	r := rec.replica(region)
	switch {
	case r == nil:
		return msgReplicaMissing.New(region)
	case seen[region]:
		return msgReplicaTwice.New(region)
	case r.Status == ddb.ReplicaStatusCreating || r.Status == ddb.ReplicaStatusDeleting:
		return msgReplicaBusy.New(busyReplica(r.Status), region)
	}
	seen[region] = true
	r.Status = ddb.ReplicaStatusDeleting
	_, err := jobReplicate.Enqueue(tx, s.After(), replicaPayload{Account: v.Account(), Table: rec.Name, Source: v.Region(), Replica: region, Step: replicaRemove})
	return err
}

func busyReplica(status string) string {
	if status == ddb.ReplicaStatusCreating {
		return "created"
	}
	return "deleted"
}

// leaveGroup tells the other Regions of a global table that this table is being
// deleted: each takes it off its list.
func (s *Service) leaveGroup(tx kit.Tx, v kit.View, rec *tableRecord) error {
	for _, r := range rec.Replicas {
		p := replicaPayload{Account: v.Account(), Table: rec.Name, Source: v.Region(), Replica: r.Region, Step: replicaForget}
		if _, err := jobReplicate.Enqueue(tx, s.After(), p); err != nil {
			return err
		}
	}
	return nil
}

// ship puts an item written here in the outbox of every replica, and arms the
// replica's job unless one is pending.
func (s *Service) ship(tc *tableCtx, pp, sp string) error {
	for _, r := range tc.rec.Replicas {
		if r.Status != ddb.ReplicaStatusActive && r.Status != ddb.ReplicaStatusCreating {
			continue
		}
		if err := outbox.Add(tc.v, tc.rec.ID, r.Region, pp, sp); err != nil {
			return err
		}
		if err := s.armShip(tc.tx, tc.v, tc.rec, r.Region); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) armShip(tx kit.Tx, v kit.View, rec *tableRecord, region string) error {
	if outboxJob.Get(v, rec.ID, region) != nil {
		return nil
	}
	id, err := jobReplicate.Enqueue(tx, s.After(), replicaPayload{Account: v.Account(), Table: rec.Name, Source: v.Region(), Replica: region, Step: replicaShip})
	if err != nil {
		return err
	}
	return outboxJob.Put(v, []byte(id), rec.ID, region)
}

// runReplicate does one step of a global table's replication.
func (s *Service) runReplicate(_ context.Context, tx kit.Tx, _ *jobs.Job, p replicaPayload) error {
	if region, down := s.Unreachable(p.Source, p.Replica); down {
		return &unreachableError{region: region}
	}
	switch p.Step {
	case replicaCreate:
		return s.createReplica(tx, p)
	case replicaShip, replicaSync:
		return s.shipTo(tx, p)
	case replicaRemove:
		return s.dropReplica(tx, p)
	case replicaForget:
		return forget(tx, p)
	case replicaTTL:
		return s.replicateTTL(tx, p)
	}
	return nil
}

// createReplica makes the replica table: the source's definition, its items and
// tombstones as they are now, the group's other Regions; then every member lists it.
func (s *Service) createReplica(tx kit.Tx, p replicaPayload) error {
	sv, dv := tx.In(p.Account, p.Source), tx.In(p.Account, p.Replica)
	src, err := tables.Get(sv, p.Table)
	if err != nil || src == nil {
		return err
	}
	entry := src.replica(p.Replica)
	if entry == nil || entry.Status != ddb.ReplicaStatusCreating {
		return nil
	}
	if tables.Has(dv, p.Table) {
		entry.Status = ddb.ReplicaStatusCreationFailed
		settle(src)
		return tables.Put(sv, src, src.Name)
	}
	rec, err := s.replicaTable(tx, sv, dv, src, entry)
	if err != nil {
		return err
	}
	if err := s.armReplicaTTL(tx, dv, rec); err != nil {
		return err
	}
	if err := s.copyGroup(tx, sv, dv, src, rec); err != nil {
		return err
	}
	entry.Status = ddb.ReplicaStatusActive
	settle(src)
	if err := tables.Put(sv, src, src.Name); err != nil {
		return err
	}
	return s.announce(tx, p, src)
}

// replicaTable is the record of a new replica of src in the Region of dv.
func (s *Service) replicaTable(tx kit.Tx, sv, dv kit.View, src *tableRecord, entry *replicaRecord) (*tableRecord, error) {
	rec := &tableRecord{
		Name: src.Name, ID: ids.UUID(), Status: ddb.TableStatusActive, Created: s.Clock.Now(), Hash: src.Hash, Range: src.Range,
		Attrs: slices.Clone(src.Attrs), Billing: src.Billing, Read: src.Read, Write: src.Write, ToOnDemand: src.ToOnDemand,
		GSIs: slices.Clone(src.GSIs), LSIs: slices.Clone(src.LSIs), TableClass: src.TableClass,
		Stream: &streamRecord{Enabled: true, ViewType: ddb.StreamViewTypeNewAndOldImages, Label: s.Clock.Now().UTC().Format(textStreamLabelFormat)},
	}
	if src.TTL != nil {
		rec.TTL = &ttlRecord{Attr: src.TTL.Attr, Status: src.TTL.Status}
	}
	rec.Replicas = append(rec.Replicas, replicaRecord{Region: sv.Region(), Status: ddb.ReplicaStatusActive})
	for _, r := range src.Replicas {
		if r.Region != dv.Region() {
			rec.Replicas = append(rec.Replicas, replicaRecord{Region: r.Region, Status: r.Status, KMSKey: r.KMSKey})
		}
	}
	sse, err := s.replicaEncryption(tx, dv, src, entry)
	if err != nil {
		return nil, err
	}
	dk, err := s.unwrap(tx, sv.Account(), sv.Region(), src)
	if err != nil {
		return nil, err
	}
	return rec, s.wrapKey(tx, dv, rec, sse, dk)
}

// replicaEncryption is a replica's key: the one its Create named, or the Region's
// aws/dynamodb when the table uses KMS, or the AWS owned key when it does not.
func (s *Service) replicaEncryption(tx kit.Tx, dv kit.View, src *tableRecord, entry *replicaRecord) (*sseRecord, error) {
	if entry.KMSKey == "" && src.SSE == nil {
		return nil, nil
	}
	return s.resolveSSE(tx, dv, sseChoice{kms: true, key: entry.KMSKey})
}

// copyGroup fills a new replica with the source's items and tombstones, as they are.
func (s *Service) copyGroup(tx kit.Tx, sv, dv kit.View, src, rec *tableRecord) error {
	tc, err := s.openRecord(tx, dv, rec)
	if err != nil {
		return err
	}
	for _, kind := range []kit.Blobs{items, tombstones} {
		err := copyBlobs(sv, kind, []string{src.ID}, func(id []string, blob []byte) error { return tc.load(id[0], id[1], blob) })
		if err != nil {
			return err
		}
	}
	if err := tc.flush(); err != nil {
		return err
	}
	return tables.Put(dv, rec, rec.Name)
}

// announce adds a new replica to the lists of the group's other members, each of which
// then sends it everything it has (a write made there before it knew of the replica
// must reach it too).
func (s *Service) announce(tx kit.Tx, p replicaPayload, src *tableRecord) error {
	for _, r := range src.Replicas {
		if r.Region == p.Replica {
			continue
		}
		ov := tx.In(p.Account, r.Region)
		other, err := tables.Get(ov, p.Table)
		if err != nil {
			return err
		}
		if other == nil || other.replica(p.Replica) != nil {
			continue
		}
		other.Replicas = append(other.Replicas, replicaRecord{Region: p.Replica, Status: ddb.ReplicaStatusActive})
		if err := tables.Put(ov, other, other.Name); err != nil {
			return err
		}
		sync := replicaPayload{Account: p.Account, Table: p.Table, Source: r.Region, Replica: p.Replica, Step: replicaSync}
		if _, err := jobReplicate.Enqueue(tx, s.After(), sync); err != nil {
			return err
		}
	}
	return nil
}

// shipTo sends items from the source to the replica: those of the outbox (a ship), or
// all of them (a sync).
func (s *Service) shipTo(tx kit.Tx, p replicaPayload) error {
	sv, dv := tx.In(p.Account, p.Source), tx.In(p.Account, p.Replica)
	src, err := tables.Get(sv, p.Table)
	if err != nil || src == nil {
		return err
	}
	if p.Step == replicaShip {
		if err := outboxJob.Delete(sv, src.ID, p.Replica); err != nil {
			return err
		}
	}
	dst, err := tables.Get(dv, p.Table)
	if err != nil {
		return err
	}
	if dst == nil || src.replica(p.Replica) == nil || dst.replica(p.Source) == nil {
		return outbox.RemoveAll(sv, src.ID, p.Replica) // the replica is gone: nothing to ship
	}
	stc, err := s.openRecord(tx, sv, src)
	if err != nil {
		return err
	}
	dtc, err := s.openRecord(tx, dv, dst)
	if err != nil {
		return err
	}
	if p.Step == replicaSync {
		err = s.syncAll(stc, dtc)
	} else {
		err = s.shipOutbox(stc, dtc, p.Replica)
	}
	if err != nil {
		return err
	}
	return dtc.flush()
}

// shipOutbox ships up to maxShip items of the outbox, and arms another job for the rest.
func (s *Service) shipOutbox(stc, dtc *tableCtx, region string) error {
	var batch [][]string
	err := outbox.Keys(stc.v, "", func(e kit.Entry) bool {
		batch = append(batch, e.ID())
		return len(batch) < maxShip+1
	}, stc.rec.ID, region)
	if err != nil {
		return err
	}
	more := len(batch) > maxShip
	if more {
		batch = batch[:maxShip]
	}
	for _, id := range batch {
		if err := replicateOne(stc, dtc, id[0], id[1]); err != nil {
			return err
		}
		if err := outbox.Remove(stc.v, stc.rec.ID, region, id[0], id[1]); err != nil {
			return err
		}
	}
	if more {
		return stc.s.armShip(stc.tx, stc.v, stc.rec, region)
	}
	return nil
}

// syncAll ships every item and tombstone of the source.
func (s *Service) syncAll(stc, dtc *tableCtx) error {
	for _, kind := range []kit.Blobs{items, tombstones} {
		err := copyBlobs(stc.v, kind, []string{stc.rec.ID}, func(id []string, _ []byte) error {
			return replicateOne(stc, dtc, id[0], id[1])
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// stored returns what a table holds at a position: the item or its tombstone.
func stored(tc *tableCtx, pp, sp string) []byte {
	if b := items.Get(tc.v, tc.rec.ID, pp, sp); b != nil {
		return b
	}
	return tombstones.Get(tc.v, tc.rec.ID, pp, sp)
}

// replicateOne makes the replica hold the source's version of an item if it is newer
// than the replica's own.
func replicateOne(stc, dtc *tableCtx, pp, sp string) error {
	blob := stored(stc, pp, sp)
	if blob == nil {
		return nil
	}
	e, _, err := readEnvelope(blob)
	if err != nil {
		return err
	}
	var old []byte
	if mine := stored(dtc, pp, sp); mine != nil {
		me, _, err := readEnvelope(mine)
		if err != nil {
			return err
		}
		if !e.newer(me) {
			return nil
		}
		if !me.Deleted {
			old = mine
		}
	}
	oldItem, newItem, err := openPair(dtc, pp, sp, old, blob, e.Deleted)
	if err != nil {
		return err
	}
	return dtc.store(pp, sp, e, slices.Clone(blob), dtc.nextStamp(), oldItem, newItem)
}

// openPair opens the replica's current item (old, nil for none) and the arriving one.
func openPair(tc *tableCtx, pp, sp string, old, arriving []byte, deleted bool) (oldItem, newItem map[string]ddb.AttributeValue, err error) {
	pos := posOf(pp, sp)
	if old != nil {
		if _, oldItem, err = tc.keys.open(pos, old); err != nil {
			return nil, nil, err
		}
	}
	if !deleted {
		if _, newItem, err = tc.keys.open(pos, arriving); err != nil {
			return nil, nil, err
		}
	}
	return oldItem, newItem, nil
}

// dropReplica deletes a replica and takes its Region off every member's list.
func (s *Service) dropReplica(tx kit.Tx, p replicaPayload) error {
	sv, dv := tx.In(p.Account, p.Source), tx.In(p.Account, p.Replica)
	src, err := tables.Get(sv, p.Table)
	if err != nil {
		return err
	}
	if src == nil || src.replica(p.Replica) == nil {
		return nil
	}
	if dst, err := tables.Get(dv, p.Table); err != nil {
		return err
	} else if dst != nil {
		for _, r := range dst.Replicas {
			if err := unlist(tx, p.Account, r.Region, p.Table, p.Replica); err != nil {
				return err
			}
		}
		if err := s.dropTable(tx, dv, dst); err != nil {
			return err
		}
	}
	return unlist(tx, p.Account, p.Source, p.Table, p.Replica)
}

// forget takes a deleted replica's Region off one member's list.
func forget(tx kit.Tx, p replicaPayload) error {
	return unlist(tx, p.Account, p.Replica, p.Table, p.Source)
}

// unlist takes region off the list of the table name in member, with its outbox.
func unlist(tx kit.Tx, account, member, name, region string) error {
	v := tx.In(account, member)
	rec, err := tables.Get(v, name)
	if err != nil || rec == nil || rec.replica(region) == nil {
		return err
	}
	rec.Replicas = slices.DeleteFunc(rec.Replicas, func(r replicaRecord) bool { return r.Region == region })
	if err := outbox.RemoveAll(v, rec.ID, region); err != nil {
		return err
	}
	if err := outboxJob.Delete(v, rec.ID, region); err != nil {
		return err
	}
	if rec.Status == ddb.TableStatusUpdating && rec.Job == "" {
		settle(rec)
	}
	return tables.Put(v, rec, rec.Name)
}
