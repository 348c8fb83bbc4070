package supervisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/engines/atomicfile"
	"github.com/xregion/xregion/internal/lazyregexp"
)

// record is what the supervisor keeps about a server, in records/<id>.json (root's,
// mode 0600, outside the directory the server's user owns). No password: the server
// keeps the master password's verifier itself.
type record struct {
	ID             string    `json:"id"`
	Major          int       `json:"major"`
	Version        string    `json:"version"` // the version created with, for the status
	Port           int       `json:"port"`
	MasterUsername string    `json:"masterUsername"`
	DBName         string    `json:"dbName,omitempty"`
	Running        bool      `json:"running"` // wanted: started with the supervisor
	PID            int       `json:"pid,omitempty"`
	Created        time.Time `json:"created"`
	// Primary is the server a standby streams from (see standby.go); "" for a server
	// that is not, or no longer, a standby.
	Primary string `json:"primary,omitempty"`
}

var idRE = lazyregexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)

func checkID(id string) error {
	if !idRE.MatchString(id) {
		return fmt.Errorf("supervisor: %q is not a server id (letters, digits, - and _)", id)
	}
	return nil
}

func (s *Supervisor) recordPath(id string) string {
	return filepath.Join(s.cfg.Dir, "records", id+".json")
}

func (s *Supervisor) serverDir(id string) string { return filepath.Join(s.cfg.Dir, "servers", id) }

func (s *Supervisor) saveRecord(rec record) error {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(s.recordPath(rec.ID), b); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	return nil
}

func (s *Supervisor) removeRecord(id string) error {
	if err := os.Remove(s.recordPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("supervisor: %w", err)
	}
	return atomicfile.SyncDir(filepath.Dir(s.recordPath(id)))
}

// loadRecords reads every record, in id order.
func (s *Supervisor) loadRecords() ([]record, error) {
	entries, err := os.ReadDir(filepath.Join(s.cfg.Dir, "records"))
	if err != nil {
		return nil, fmt.Errorf("supervisor: %w", err)
	}
	var out []record
	for _, e := range entries {
		name := e.Name()
		if atomicfile.IsTemp(name) || !strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.cfg.Dir, "records", name))
		if err != nil {
			return nil, fmt.Errorf("supervisor: %w", err)
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("supervisor: %s: %w", name, err)
		}
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// strayDirs lists server directories without a record: what a crash during a create or
// a restore, before its record was written, left behind.
func (s *Supervisor) strayDirs(recs []record) ([]string, error) {
	known := map[string]bool{}
	for _, r := range recs {
		known[r.ID] = true
	}
	entries, err := os.ReadDir(filepath.Join(s.cfg.Dir, "servers"))
	if err != nil {
		return nil, fmt.Errorf("supervisor: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !known[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
