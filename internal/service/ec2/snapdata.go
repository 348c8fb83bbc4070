package ec2

import (
	"bytes"

	"github.com/xregion/xregion/internal/service/kit"
)

// A snapshot's data is a map from each block that holds data to the snapshot that stored
// it (its holder): the snapshot itself for the blocks it stored, an earlier snapshot of
// the same lineage for the blocks it shares. A holder's block is deleted when the last
// snapshot that maps to it is (snapRefs counts them), so deleting any snapshot of a
// lineage leaves the others whole, as with EBS.

// snapshotMap returns a snapshot's blocks and their holders.
func snapshotMap(v kit.View, snapID string) (map[string]string, error) {
	out := map[string]string{}
	err := snapMaps.Keys(v, "", func(e kit.Entry) bool {
		id := e.ID()
		out[id[0]] = id[1]
		return true
	}, snapID)
	return out, err
}

// putSnapshotMap records a snapshot's map.
func putSnapshotMap(v kit.View, snapID string, m map[string]string) error {
	for block, holder := range m {
		if err := snapMaps.Add(v, snapID, block, holder); err != nil {
			return err
		}
		if err := snapRefs.Add(v, holder, block, snapID); err != nil {
			return err
		}
	}
	return nil
}

// dropSnapshotData deletes a snapshot's map, and the blocks no other snapshot maps to.
func dropSnapshotData(v kit.View, snapID string) error {
	m, err := snapshotMap(v, snapID)
	if err != nil {
		return err
	}
	if err := snapMaps.RemoveAll(v, snapID); err != nil {
		return err
	}
	for block, holder := range m {
		if err := snapRefs.Remove(v, holder, block, snapID); err != nil {
			return err
		}
		used := false
		if err := snapRefs.Keys(v, "", func(kit.Entry) bool { used = true; return false }, holder, block); err != nil {
			return err
		}
		if !used {
			if err := snapBlocks.Delete(v, holder, block); err != nil {
				return err
			}
		}
	}
	return nil
}

// incrementalBase is the snapshot a new snapshot of vol is incremental to: its last
// snapshot, or, if it has none, the snapshot it was made from; only while that snapshot
// exists in the same lineage (same data key). "" means the new snapshot is full.
func incrementalBase(v kit.View, vol *volumeRecord) (string, error) {
	base := vol.LastSnapshot
	if base == "" {
		base = vol.SnapshotID
	}
	if base == "" {
		return "", nil
	}
	snap, err := snapshots.Get(v, base)
	if err != nil || snap == nil || snap.DataKeyID != vol.DataKeyID {
		return "", err
	}
	return base, nil
}

// captureSnapshot records the data of vol in snap, at the moment of the call: the
// blocks changed since the base snapshot are stored by snap, the others are shared with
// the base. It sets snap's Parent, Blocks and Changed.
func captureSnapshot(v kit.View, vol *volumeRecord, snap *snapshotRecord) error {
	parent, err := incrementalBase(v, vol)
	if err != nil {
		return err
	}
	m := map[string]string{}
	var changed []string
	if parent != "" {
		if m, err = snapshotMap(v, parent); err != nil {
			return err
		}
		err = dirtyBlocks.Keys(v, "", func(e kit.Entry) bool {
			changed = append(changed, e.Last())
			return true
		}, vol.ID)
	} else {
		changed, err = volumeBlockNames(v, vol.ID)
	}
	if err != nil {
		return err
	}
	stored := int64(0)
	for _, block := range changed {
		sealed := volumeBlocks.Get(v, vol.ID, block)
		if sealed == nil {
			delete(m, block) // written back to zeros
			continue
		}
		if err := snapBlocks.Put(v, bytes.Clone(sealed), snap.ID, block); err != nil {
			return err
		}
		m[block] = snap.ID
		stored++
	}
	if err := putSnapshotMap(v, snap.ID, m); err != nil {
		return err
	}
	snap.Parent, snap.Blocks, snap.Changed = parent, int64(len(m)), stored
	vol.LastSnapshot = snap.ID
	return dirtyBlocks.RemoveAll(v, vol.ID)
}

// lineage is where blocks are and the key that opens them.
type lineage struct {
	v kit.View
	z sealer
}

// moveBlock copies one block from a lineage to another: as it is when both are the
// same lineage, else opened and sealed again under the destination's data key.
func moveBlock(from lineage, sealed []byte, to lineage, block string) ([]byte, error) {
	if from.z.id == to.z.id {
		return bytes.Clone(sealed), nil
	}
	n := blockNumber(block)
	plain, err := from.z.open(n, sealed)
	if err != nil {
		return nil, err
	}
	return to.z.seal(n, plain), nil
}

// fillVolume writes a snapshot's blocks into a new volume: the volume created from it.
func fillVolume(src lineage, snapID string, dst lineage, volumeID string) error {
	m, err := snapshotMap(src.v, snapID)
	if err != nil {
		return err
	}
	for block, holder := range m {
		sealed, err := moveBlock(src, snapBlocks.Get(src.v, holder, block), dst, block)
		if err != nil {
			return err
		}
		if err := volumeBlocks.Put(dst.v, sealed, volumeID, block); err != nil {
			return err
		}
	}
	return nil
}

// copyData fills the copy of a snapshot (in any Region) from its source. When base, an
// earlier copy in the destination of an earlier snapshot of the same source lineage,
// is given (and shares the copy's data key), only the blocks that differ between the two
// sources move; the others the copy shares with base, as EBS's incremental copies do.
// It sets the copy's Parent, Blocks and Changed.
func copyData(src lineage, source *snapshotRecord, dst lineage, cp *snapshotRecord, base *snapshotRecord) error {
	from, err := snapshotMap(src.v, source.ID)
	if err != nil {
		return err
	}
	m, before := map[string]string{}, map[string]string{}
	if base != nil {
		if m, err = snapshotMap(dst.v, base.ID); err != nil {
			return err
		}
		if before, err = snapshotMap(src.v, base.SourceSnapshotID); err != nil {
			return err
		}
		cp.Parent = base.ID
	}
	stored := int64(0)
	for block := range m {
		if _, ok := from[block]; !ok {
			delete(m, block)
		}
	}
	for block, holder := range from {
		if base != nil && before[block] == holder {
			continue // unchanged since the source of base: shared with base
		}
		sealed, err := moveBlock(src, snapBlocks.Get(src.v, holder, block), dst, block)
		if err != nil {
			return err
		}
		if err := snapBlocks.Put(dst.v, sealed, cp.ID, block); err != nil {
			return err
		}
		m[block] = cp.ID
		stored++
	}
	cp.Blocks, cp.Changed = int64(len(m)), stored
	return putSnapshotMap(dst.v, cp.ID, m)
}
