// Package proc runs the database servers' processes: as which operating-system user,
// how they are started so that they do not outlive xregion by accident, and how a
// process left behind by an earlier xregion is recognised.
package proc

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// Identity is the operating-system user the servers run as.
type Identity struct {
	Name     string
	UID, GID int
	// Switch is true when xregion runs as root and so starts the servers as another,
	// unprivileged user (PostgreSQL refuses to run as root, and should).
	Switch bool
}

// defaultUsers are tried in order when xregion runs as root and no user is named:
// Debian's postgresql package creates "postgres"; "nobody" exists everywhere.
var defaultUsers = []string{"postgres", "nobody"}

// ServerIdentity returns the user the servers run as. Not running as root, that is
// xregion's own user; as root, the user named (or the first of postgres and nobody that
// exists), which must not be root.
func ServerIdentity(name string) (Identity, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return Identity{UID: os.Geteuid(), GID: os.Getegid()}, nil
		}
		return Identity{Name: u.Username, UID: os.Geteuid(), GID: os.Getegid()}, nil
	}
	names := defaultUsers
	if name != "" {
		names = []string{name}
	}
	var errs []error
	for _, n := range names {
		id, err := lookup(n)
		if err == nil {
			return id, nil
		}
		errs = append(errs, err)
	}
	return Identity{}, fmt.Errorf("proc: no user to run database servers as: %w", errors.Join(errs...))
}

func lookup(name string) (Identity, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return Identity{}, err
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return Identity{}, fmt.Errorf("proc: user %s has ids %s:%s", name, u.Uid, u.Gid)
	}
	if uid == 0 {
		return Identity{}, fmt.Errorf("proc: user %s is root; database servers must run unprivileged", name)
	}
	return Identity{Name: name, UID: uid, GID: gid, Switch: true}, nil
}

// Credential is what the servers' processes are started with (nil: xregion's own user).
// Supplementary groups are dropped: the server needs none of root's.
func (id Identity) Credential() *syscall.Credential {
	if !id.Switch {
		return nil
	}
	return &syscall.Credential{Uid: uint32(id.UID), Gid: uint32(id.GID), Groups: []uint32{}}
}

// Own gives path to the identity (a no-op unless switching users).
func (id Identity) Own(path string) error {
	if !id.Switch {
		return nil
	}
	return os.Lchown(path, id.UID, id.GID)
}

// OwnTree gives every file under root to the identity.
func (id Identity) OwnTree(root string) error {
	if !id.Switch {
		return nil
	}
	return filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, id.UID, id.GID)
	})
}

// MkdirOwned creates dir (mode 0700) owned by the identity, or fixes the owner and mode
// of one that exists.
func (id Identity) MkdirOwned(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	return id.Own(dir)
}

// CheckReach fails, saying what to change, unless the identity can search every
// directory from / down to dir: the server must reach its data directory, and a root
// user's private directory (a TempDir, /root) is out of its reach.
func (id Identity) CheckReach(dir string) error {
	if !id.Switch {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for d := abs; ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return err
		}
		if !id.canSearch(info) {
			return fmt.Errorf("proc: database servers run as %s, who cannot reach %s: make %s searchable (chmod o+x) or keep the data elsewhere", id.Name, dir, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (id Identity) canSearch(info os.FileInfo) bool {
	mode := info.Mode().Perm()
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return mode&0o001 != 0
	}
	switch {
	case int(st.Uid) == id.UID:
		return mode&0o100 != 0
	case int(st.Gid) == id.GID:
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}
