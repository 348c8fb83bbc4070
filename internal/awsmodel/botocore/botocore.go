// Package botocore finds the AWS API models that the botocore Python package carries
// (data/<service>/<api version>/service-2.json.gz) and tells which botocore release they
// belong to, so that the generator and its reproducibility test read the same files.
package botocore

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// EnvDir names the environment variable that overrides where botocore is looked for: the
// directory of the botocore package (the one holding __init__.py and data/).
const EnvDir = "XREGION_BOTOCORE_DIR"

// ErrNotFound is returned when no botocore installation can be found.
var ErrNotFound = errors.New("botocore not found")

// Dist is one installed botocore release.
type Dist struct {
	Dir     string // the botocore package directory
	Version string // its __version__, e.g. "1.43.11"
}

// Locate finds botocore: in dir when it is not empty, else in $XREGION_BOTOCORE_DIR, else
// where the python3 on PATH imports it from.
func Locate(dir string) (Dist, error) {
	if dir == "" {
		dir = os.Getenv(EnvDir)
	}
	if dir == "" {
		var err error
		if dir, err = pythonDir(); err != nil {
			return Dist{}, err
		}
	}
	version, err := readVersion(dir)
	if err != nil {
		return Dist{}, err
	}
	return Dist{Dir: dir, Version: version}, nil
}

// LocateVersion is Locate that also insists on one release, because models change between
// releases and generated code must not change with whichever botocore happens to be there.
func LocateVersion(dir, version string) (Dist, error) {
	d, err := Locate(dir)
	if err != nil {
		return Dist{}, err
	}
	if d.Version != version {
		return Dist{}, fmt.Errorf("%w: botocore %s is needed, %s has %s (set %s or -botocore to its directory)",
			ErrNotFound, version, d.Dir, d.Version, EnvDir)
	}
	return d, nil
}

func pythonDir() (string, error) {
	out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Errorf("%w: python3 cannot import it (%v); set %s", ErrNotFound, err, EnvDir)
	}
	return strings.TrimSpace(string(out)), nil
}

var versionRE = regexp.MustCompile(`(?m)^__version__\s*=\s*['"]([^'"]+)['"]`)

func readVersion(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "__init__.py"))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	m := versionRE.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%w: no __version__ in %s", ErrNotFound, filepath.Join(dir, "__init__.py"))
	}
	return string(m[1]), nil
}

// Model is one service model file.
type Model struct {
	Path       string // relative to the botocore directory, slash-separated: data/kms/2014-11-01/service-2.json.gz
	APIVersion string // the directory it sits in, which is the model's apiVersion
	JSON       []byte // the decompressed service-2.json
}

// Model reads the newest API version of a service's model. Older versions that botocore
// still ships (rds 2014-09-01, ec2 2014-09-01 ...) are for old clients, not for us.
func (d Dist) Model(service string) (Model, error) {
	matches, err := filepath.Glob(filepath.Join(d.Dir, "data", service, "*", "service-2.json.gz"))
	if err != nil || len(matches) == 0 {
		return Model{}, fmt.Errorf("botocore %s has no model for %q", d.Version, service)
	}
	sort.Strings(matches)
	path := matches[len(matches)-1]
	raw, err := gunzip(path)
	if err != nil {
		return Model{}, fmt.Errorf("%s: %w", path, err)
	}
	rel, err := filepath.Rel(d.Dir, path)
	if err != nil {
		return Model{}, err
	}
	return Model{Path: filepath.ToSlash(rel), APIVersion: filepath.Base(filepath.Dir(path)), JSON: raw}, nil
}

func gunzip(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
