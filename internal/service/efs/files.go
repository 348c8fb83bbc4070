package efs

import (
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// The files of a file system, as the admin API reaches them (port.FileData). Nothing
// mounts a file system here; these calls stand for what clients would do through a
// mount target.

// dataFileSystem finds the file system a FileData call names.
func dataFileSystem(v kit.View, id string) (*fileSystemRecord, error) {
	fs, err := fileSystems.Get(v, id)
	if err != nil {
		return nil, err
	}
	if fs == nil {
		return nil, port.ErrFileSystemNotFound
	}
	if fs.State != efsapi.LifeCycleStateAvailable && fs.State != efsapi.LifeCycleStateUpdating {
		return nil, port.ErrFileSystemNotReady
	}
	return fs, nil
}

// writable finds a file system that clients may write to: not a replication's
// destination. AWS documents a file system whose overwrite protection is DISABLED as
// read-only too, waiting to become a destination; so is it here.
func writable(v kit.View, id string) (*fileSystemRecord, error) {
	fs, err := dataFileSystem(v, id)
	if err != nil {
		return nil, err
	}
	if fs.Protection != efsapi.ReplicationOverwriteProtectionEnabled {
		return nil, port.ErrFileSystemReadOnly
	}
	return fs, nil
}

// WriteFile implements port.FileData.
func (s *Service) WriteFile(account, region, fileSystemID, path string, data []byte) error {
	if checkPath(path) != nil {
		return port.ErrBadPath
	}
	return s.Update(func(tx kit.Tx) error {
		v := tx.In(account, region)
		fs, err := writable(v, fileSystemID)
		if err != nil {
			return err
		}
		return s.writeFile(tx, v, fs, path, data)
	})
}

// writeFile writes a file's whole content as the file system's next version.
func (s *Service) writeFile(tx kit.Tx, v kit.View, fs *fileSystemRecord, path string, data []byte) error {
	st, err := s.storeOf(tx, v, fs)
	if err != nil {
		return err
	}
	fs.FileVersion++
	now := s.Clock.Now()
	if err := st.put(&fileRecord{Path: path, Version: fs.FileVersion, Written: now, Accessed: now}, data); err != nil {
		return err
	}
	return fileSystems.Put(v, fs, fs.ID)
}

// ReadFile implements port.FileData. A read is an access: it keeps a file in Standard,
// and brings one back from Infrequent Access or Archive when the lifecycle says
// TransitionToPrimaryStorageClass AFTER_1_ACCESS.
func (s *Service) ReadFile(account, region, fileSystemID, path string) ([]byte, error) {
	return kit.Write(s.Kit, func(tx kit.Tx) ([]byte, error) {
		v := tx.In(account, region)
		fs, err := dataFileSystem(v, fileSystemID)
		if err != nil {
			return nil, err
		}
		st, err := s.storeOf(tx, v, fs)
		if err != nil {
			return nil, err
		}
		rec, err := st.get(path)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, port.ErrFileNotFound
		}
		data, err := st.read(rec)
		if err != nil {
			return nil, err
		}
		now := s.Clock.Now()
		if storageClass(rec, fs.Lifecycle, now) == classStandard || backOnAccess(fs.Lifecycle) {
			rec.Accessed = now
			err = files.Put(v, rec, fs.ID, rec.Path)
		}
		return data, err
	})
}

func backOnAccess(rules []lifecycleRule) bool {
	for _, r := range rules {
		if r.ToPrimary != "" {
			return true
		}
	}
	return false
}

// DeleteFile implements port.FileData.
func (s *Service) DeleteFile(account, region, fileSystemID, path string) error {
	return s.Update(func(tx kit.Tx) error {
		v := tx.In(account, region)
		fs, err := writable(v, fileSystemID)
		if err != nil {
			return err
		}
		if !files.Has(v, fs.ID, path) {
			return port.ErrFileNotFound
		}
		if err := files.Delete(v, fs.ID, path); err != nil {
			return err
		}
		if err := fileData.Delete(v, fs.ID, path); err != nil {
			return err
		}
		// A deletion is a change replication and backups must see.
		fs.FileVersion++
		return fileSystems.Put(v, fs, fs.ID)
	})
}

// ListFiles implements port.FileData.
func (s *Service) ListFiles(account, region, fileSystemID string) ([]port.FileInfo, error) {
	return kit.Read(s.Kit, func(tx kit.Tx) ([]port.FileInfo, error) {
		v := tx.In(account, region)
		fs, err := fileSystems.Get(v, fileSystemID)
		if err != nil {
			return nil, err
		}
		if fs == nil {
			return nil, port.ErrFileSystemNotFound
		}
		out := []port.FileInfo{}
		now := s.Clock.Now()
		err = files.Scan(v, func(f *fileRecord) bool {
			out = append(out, port.FileInfo{Path: f.Path, Size: f.Size, Modified: f.Written, StorageClass: storageClass(f, fs.Lifecycle, now)})
			return true
		}, fs.ID)
		return out, err
	})
}
