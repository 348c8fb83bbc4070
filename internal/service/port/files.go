package port

import (
	"errors"
	"time"
)

// FileData is how xregion's admin API reaches the files of EFS file systems, so that
// users and tests can put data in a file system (nothing mounts one here), read it back
// after a replication or a restore, and see what each file holds. EFS provides it; its
// methods run their own transactions, as the admin API has none.
type FileData interface {
	// WriteFile writes data as the whole content of the file at path (made if absent)
	// of an available, writable file system.
	WriteFile(account, region, fileSystemID, path string, data []byte) error
	// ReadFile reads the file at path.
	ReadFile(account, region, fileSystemID, path string) ([]byte, error)
	// DeleteFile removes the file at path of a writable file system.
	DeleteFile(account, region, fileSystemID, path string) error
	// ListFiles lists a file system's files in path order.
	ListFiles(account, region, fileSystemID string) ([]FileInfo, error)
}

// FileInfo describes a file: its path, size, last write and storage class
// (STANDARD, IA or ARCHIVE, as the file system's lifecycle has moved it).
type FileInfo struct {
	Path         string    `json:"path"`
	Size         int64     `json:"size"`
	Modified     time.Time `json:"modified"`
	StorageClass string    `json:"storageClass"`
}

// Failures of FileData.
var (
	ErrFileSystemNotFound = errors.New("efs: file system not found")
	ErrFileNotFound       = errors.New("efs: file not found")
	ErrFileSystemNotReady = errors.New("efs: the file system is not available")
	ErrFileSystemReadOnly = errors.New("efs: the file system is a replication destination and read-only")
	ErrBadPath            = errors.New("efs: a path is absolute, at most 4096 bytes, without empty, '.' or '..' parts")
)
