package reportfiles

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReportsAreFilesUnderTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	s := New(dir)
	if err := s.Put("123456789012", "audit", "Backup/report.csv", []byte("a,b\n")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "reports", "123456789012", "audit", "Backup", "report.csv"))
	if err != nil || string(got) != "a,b\n" {
		t.Fatalf("report file %q, %v", got, err)
	}
	for _, key := range []string{"../../escape", "", "/"} {
		if err := s.Put("123456789012", "audit", key, nil); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	if err := s.Put("123456789012", "a/b", "k", nil); err == nil {
		t.Error("a bucket with a slash accepted")
	}
}

func TestReportsInMemory(t *testing.T) {
	s := New("")
	if err := s.Put("123456789012", "audit", "r.json", []byte("[]")); err != nil {
		t.Fatal(err)
	}
	if got, ok := s.Get("123456789012", "audit", "r.json"); !ok || string(got) != "[]" {
		t.Errorf("in memory: %q, %v", got, ok)
	}
}
