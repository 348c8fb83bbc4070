package botocore

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBotocore lays out a botocore package directory of a release with the given models.
func fakeBotocore(t *testing.T, version string, models map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "__init__.py"), []byte("import os\n__version__ = '"+version+"'\n"))
	for path, body := range models {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(body))
		zw.Close()
		write(t, filepath.Join(dir, "data", path, "service-2.json.gz"), b.Bytes())
	}
	return dir
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLocateReadsTheVersion(t *testing.T) {
	dir := fakeBotocore(t, "1.43.11", nil)
	d, err := Locate(dir)
	if err != nil || d.Dir != dir || d.Version != "1.43.11" {
		t.Fatalf("Locate = %+v, %v", d, err)
	}
	t.Setenv(EnvDir, dir)
	if d, err := Locate(""); err != nil || d.Dir != dir {
		t.Errorf("Locate through $%s = %+v, %v", EnvDir, d, err)
	}
}

func TestLocateVersionRefusesAnotherRelease(t *testing.T) {
	dir := fakeBotocore(t, "1.40.0", nil)
	_, err := LocateVersion(dir, "1.43.11")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "1.43.11") || !strings.Contains(err.Error(), "1.40.0") {
		t.Errorf("LocateVersion of another release: %v", err)
	}
	if _, err := Locate(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Locate of a directory without botocore: %v", err)
	}
}

func TestModelReadsTheNewestAPIVersion(t *testing.T) {
	dir := fakeBotocore(t, "1.43.11", map[string]string{
		"rds/2014-09-01": `{"old": true}`,
		"rds/2014-10-31": `{"metadata": {"apiVersion": "2014-10-31"}}`,
	})
	d, _ := Locate(dir)
	m, err := d.Model("rds")
	if err != nil {
		t.Fatal(err)
	}
	if m.Path != "data/rds/2014-10-31/service-2.json.gz" || m.APIVersion != "2014-10-31" || !strings.Contains(string(m.JSON), `"2014-10-31"`) {
		t.Errorf("Model = %s %s %s", m.Path, m.APIVersion, m.JSON)
	}
	if _, err := d.Model("nosuch"); err == nil {
		t.Error("a service botocore lacks was found")
	}
}
