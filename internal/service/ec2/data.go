package ec2

import (
	"slices"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

var (
	_ port.VolumeData    = (*Service)(nil)
	_ port.SnapshotHolds = (*Service)(nil)
)

// WriteVolume implements port.VolumeData.
func (s *Service) WriteVolume(account, region, volumeID string, offset int64, data []byte) error {
	return s.Update(func(tx kit.Tx) error {
		v := tx.In(account, region)
		vol, err := volumes.Get(v, volumeID)
		switch {
		case err != nil:
			return err
		case vol == nil:
			return port.ErrVolumeNotFound
		case vol.State != ec2api.VolumeStateAvailable && vol.State != ec2api.VolumeStateInUse:
			return port.ErrVolumeNotReady
		case offset < 0 || offset+int64(len(data)) > vol.Size*gib:
			return port.ErrVolumeRange
		}
		return s.writeVolume(tx, v, vol, offset, data)
	})
}

// ReadVolume implements port.VolumeData.
func (s *Service) ReadVolume(account, region, volumeID string, offset, length int64) ([]byte, error) {
	return kit.Read(s.Kit, func(tx kit.Tx) ([]byte, error) {
		v := tx.In(account, region)
		vol, err := volumes.Get(v, volumeID)
		switch {
		case err != nil:
			return nil, err
		case vol == nil:
			return nil, port.ErrVolumeNotFound
		case offset < 0 || length < 0 || offset+length > vol.Size*gib:
			return nil, port.ErrVolumeRange
		}
		return s.readVolume(tx, v, vol, offset, length)
	})
}

// SnapshotData implements port.VolumeData.
func (s *Service) SnapshotData(account, region, snapshotID string) (port.SnapshotData, error) {
	return kit.Read(s.Kit, func(tx kit.Tx) (port.SnapshotData, error) {
		snap, err := snapshots.Get(tx.In(account, region), snapshotID)
		if err != nil || snap == nil {
			if err == nil {
				err = port.ErrSnapshotNotFound
			}
			return port.SnapshotData{}, err
		}
		return port.SnapshotData{
			SnapshotID: snap.ID, VolumeID: snap.VolumeID, State: snap.State, Parent: snap.Parent,
			SourceRegion: snap.SourceRegion, SourceSnapshotID: snap.SourceSnapshotID, BlockSize: blockSize,
			Blocks: snap.Blocks, ChangedBlocks: snap.Changed, ChangedBytes: snap.Changed * blockSize,
			Encrypted: snap.Encrypted, KmsKeyID: snap.KeyARN,
		}, nil
	})
}

// HoldSnapshot implements port.SnapshotHolds.
func (s *Service) HoldSnapshot(tx kit.Tx, account, region, snapshotID, holder string) error {
	return s.changeHolds(tx, account, region, snapshotID, func(h []string) []string {
		if slices.Contains(h, holder) {
			return h
		}
		return append(h, holder)
	})
}

// ReleaseSnapshot implements port.SnapshotHolds.
func (s *Service) ReleaseSnapshot(tx kit.Tx, account, region, snapshotID, holder string) error {
	err := s.changeHolds(tx, account, region, snapshotID, func(h []string) []string {
		return slices.DeleteFunc(h, func(x string) bool { return x == holder })
	})
	if err == port.ErrSnapshotNotFound {
		return nil
	}
	return err
}

func (s *Service) changeHolds(tx kit.Tx, account, region, snapshotID string, change func([]string) []string) error {
	v := s.Join(tx).In(account, region)
	snap, err := snapshots.Get(v, snapshotID)
	if err != nil {
		return err
	}
	if snap == nil {
		return port.ErrSnapshotNotFound
	}
	snap.Holds = change(snap.Holds)
	return snapshots.Put(v, snap, snap.ID)
}
