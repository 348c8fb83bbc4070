// Package pgbin finds installed PostgreSQL server binaries and chooses the major version
// closest to the one a DB instance asks for.
//
// Debian's postgresql packages put each major version's programs under
// /usr/lib/postgresql/<major>/bin; RHEL's under /usr/pgsql-<major>/bin; Homebrew's under
// <prefix>/opt/postgresql@<major>/bin; a source build anywhere on PATH. An explicit
// directory (--postgres-bin) replaces the search.
package pgbin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/lazyregexp"
)

// Install is one PostgreSQL installation: the directory of its programs and the version
// its postgres binary reports.
type Install struct {
	Dir     string // holds postgres, initdb, pg_basebackup
	Version string // e.g. "15.18"
	Major   int    // e.g. 15
}

// Program is the path of one of the installation's programs.
func (in Install) Program(name string) string { return filepath.Join(in.Dir, name) }

// MinMajor is the oldest major version the engine runs: 12 introduced recovery.signal,
// on which point-in-time restore relies.
const MinMajor = 12

// ErrNotFound means no usable PostgreSQL installation was found.
var ErrNotFound = errors.New("pgbin: no PostgreSQL server binaries found (install Debian's postgresql package, or give their directory)")

// required are the programs the engine runs; an installation missing one is not usable.
var required = []string{"postgres", "initdb", "pg_basebackup"}

// searchGlobs are where distributions install server binaries, besides PATH.
var searchGlobs = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/pgsql-*/bin",
	"/opt/homebrew/opt/postgresql@*/bin",
	"/usr/local/opt/postgresql@*/bin",
}

// Find returns the usable installations, newest major first. A non-empty dir is the only
// place looked at (the user said where the binaries are). Installations older than
// MinMajor are left out.
func Find(ctx context.Context, dir string) ([]Install, error) {
	var dirs []string
	if dir != "" {
		dirs = []string{dir}
	} else {
		dirs = candidateDirs()
	}
	seen := map[string]bool{}
	var found []Install
	for _, d := range dirs {
		real, err := filepath.EvalSymlinks(d)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		in, err := probe(ctx, real)
		if err != nil {
			if dir != "" {
				return nil, err
			}
			continue
		}
		found = append(found, in)
	}
	if len(found) == 0 {
		return nil, ErrNotFound
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Major > found[j].Major })
	return found, nil
}

// candidateDirs lists the distribution directories, then the directory of a postgres
// found on PATH (resolved through symlinks such as Debian's /usr/local/bin links, so the
// same installation is not listed twice).
func candidateDirs() []string {
	var dirs []string
	for _, g := range searchGlobs {
		m, _ := filepath.Glob(g)
		dirs = append(dirs, m...)
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	return dirs
}

// probe checks that dir holds every required program and asks postgres its version.
func probe(ctx context.Context, dir string) (Install, error) {
	for _, name := range required {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return Install{}, fmt.Errorf("pgbin: %s has no executable %s", dir, name)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return Install{}, fmt.Errorf("pgbin: %s/postgres --version: %w", dir, err)
	}
	version, major, err := ParseVersion(string(out))
	if err != nil {
		return Install{}, fmt.Errorf("pgbin: %s/postgres: %w", dir, err)
	}
	if major < MinMajor {
		return Install{}, fmt.Errorf("pgbin: %s holds PostgreSQL %s; %d or later is needed", dir, version, MinMajor)
	}
	return Install{Dir: dir, Version: version, Major: major}, nil
}

var versionRE = lazyregexp.MustCompile(`\(PostgreSQL\) (\d+)(\.\d+)?`)

// ParseVersion reads `postgres --version` output ("postgres (PostgreSQL) 15.18 (Debian
// 15.18-0+deb12u1)") into the version and its major number.
func ParseVersion(out string) (version string, major int, err error) {
	m := versionRE.FindStringSubmatch(out)
	if m == nil {
		return "", 0, fmt.Errorf("unrecognised version %q", strings.TrimSpace(out))
	}
	major, _ = strconv.Atoi(m[1])
	return m[1] + m[2], major, nil
}

// MajorOf returns the major number of an RDS engine version ("15.4", "16", "9.6.24"). Since
// PostgreSQL 10 the major version is the first number; before it, the first two, which
// the engine does not run anyway, so "9.6" counts as 9.
func MajorOf(engineVersion string) (int, error) {
	first, _, _ := strings.Cut(strings.TrimSpace(engineVersion), ".")
	n, err := strconv.Atoi(first)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("pgbin: %q is not a PostgreSQL engine version", engineVersion)
	}
	return n, nil
}

// Choose returns the installation whose major version is closest to engineVersion's: the
// same major if installed, otherwise the nearest, the newer one on a tie (a newer server
// reads what an older client writes; the reverse is not promised). An empty engineVersion
// chooses the newest, as RDS does for a missing EngineVersion.
func Choose(installs []Install, engineVersion string) (Install, error) {
	if len(installs) == 0 {
		return Install{}, ErrNotFound
	}
	if strings.TrimSpace(engineVersion) == "" {
		return newest(installs), nil
	}
	want, err := MajorOf(engineVersion)
	if err != nil {
		return Install{}, err
	}
	best := installs[0]
	for _, in := range installs[1:] {
		d, bd := distance(in.Major, want), distance(best.Major, want)
		if d < bd || (d == bd && in.Major > best.Major) {
			best = in
		}
	}
	return best, nil
}

// Exact returns the installation of exactly the given major version: a data directory or
// base backup is only readable by its own major version.
func Exact(installs []Install, major int) (Install, error) {
	for _, in := range installs {
		if in.Major == major {
			return in, nil
		}
	}
	return Install{}, fmt.Errorf("pgbin: PostgreSQL %d is not installed (its data needs the same major version)", major)
}

func newest(installs []Install) Install {
	best := installs[0]
	for _, in := range installs[1:] {
		if in.Major > best.Major {
			best = in
		}
	}
	return best
}

func distance(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}
