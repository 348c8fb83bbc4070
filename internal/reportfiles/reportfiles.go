// Package reportfiles keeps the reports services deliver to S3 buckets (port.Reports) as
// files under the data directory, or in memory for a server without one.
package reportfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Store is a port.Reports.
type Store struct {
	dir string // "" keeps reports in memory
	mu  sync.Mutex
	mem map[string][]byte
}

// New keeps reports under dataDir/reports, or in memory when dataDir is "".
func New(dataDir string) *Store {
	s := &Store{mem: map[string][]byte{}}
	if dataDir != "" {
		s.dir = filepath.Join(dataDir, "reports")
	}
	return s
}

// Put implements port.Reports. Keys are S3 keys: their '/' make directories; a key that
// would leave the bucket's directory (.., an absolute path) is refused.
func (s *Store) Put(account, bucket, key string, body []byte) error {
	rel, err := place(account, bucket, key)
	if err != nil {
		return err
	}
	if s.dir == "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.mem[rel] = append([]byte(nil), body...)
		return nil
	}
	path := filepath.Join(s.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, body, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path) // a reader never sees half a report
}

// Get returns a report kept in memory, for tests.
func (s *Store) Get(account, bucket, key string) ([]byte, bool) {
	rel, err := place(account, bucket, key)
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.mem[rel]
	return b, ok
}

// place is where a report lives, relative to the reports directory.
func place(account, bucket, key string) (string, error) {
	clean := filepath.Clean("/" + key)
	if account == "" || bucket == "" || strings.ContainsAny(bucket, `/\`) || key == "" || strings.Contains(key, "..") || clean == "/" {
		return "", fmt.Errorf("reportfiles: %q in bucket %q is not a report key", key, bucket)
	}
	return filepath.Join(account, bucket, clean), nil
}
