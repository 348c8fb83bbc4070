package pgbin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseVersion(t *testing.T) {
	for out, want := range map[string]struct {
		version string
		major   int
	}{
		"postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n": {"15.18", 15},
		"postgres (PostgreSQL) 16.4\n":                           {"16.4", 16},
		"postgres (PostgreSQL) 17beta1\n":                        {"17", 17},
	} {
		v, m, err := ParseVersion(out)
		if err != nil || v != want.version || m != want.major {
			t.Errorf("ParseVersion(%q) = %q, %d, %v; want %q, %d", out, v, m, err, want.version, want.major)
		}
	}
	if _, _, err := ParseVersion("mysqld Ver 8.0"); err == nil {
		t.Error("ParseVersion accepted a MySQL version")
	}
}

func TestMajorOf(t *testing.T) {
	for v, want := range map[string]int{"15.4": 15, "16": 16, "9.6.24": 9, " 14.10 ": 14} {
		if got, err := MajorOf(v); err != nil || got != want {
			t.Errorf("MajorOf(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
	for _, v := range []string{"", "latest", "-1", "x.5"} {
		if _, err := MajorOf(v); err == nil {
			t.Errorf("MajorOf(%q) succeeded", v)
		}
	}
}

func TestChooseClosestMajor(t *testing.T) {
	installs := []Install{{Major: 16, Version: "16.4"}, {Major: 14, Version: "14.13"}, {Major: 12, Version: "12.20"}}
	for requested, want := range map[string]int{
		"14.7": 14, // installed: exact
		"15.4": 16, // 14 and 16 are as close; the newer wins
		"13.1": 14, // 12 and 14 tie too
		"17.2": 16, // newer than anything installed: the newest
		"11.9": 12,
		"":     16, // no version asked: the newest
	} {
		got, err := Choose(installs, requested)
		if err != nil || got.Major != want {
			t.Errorf("Choose(%q) = %d, %v; want %d", requested, got.Major, err, want)
		}
	}
	if _, err := Choose(nil, "15"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Choose with nothing installed: %v", err)
	}
	if _, err := Choose(installs, "banana"); err == nil {
		t.Error("Choose accepted a version that is not one")
	}
}

func TestExact(t *testing.T) {
	installs := []Install{{Major: 16}, {Major: 14}}
	if in, err := Exact(installs, 14); err != nil || in.Major != 14 {
		t.Fatalf("Exact(14) = %+v, %v", in, err)
	}
	if _, err := Exact(installs, 15); err == nil {
		t.Fatal("Exact(15) found an installation that is not there")
	}
}

// fakeInstall writes a directory whose postgres answers --version like the real one, so
// that discovery can be tested on machines with any PostgreSQL (or none) installed.
func fakeInstall(t *testing.T, version string, programs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range programs {
		body := "#!/bin/sh\nexit 0\n"
		if p == "postgres" {
			body = "#!/bin/sh\necho 'postgres (PostgreSQL) " + version + "'\n"
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindExplicitDir(t *testing.T) {
	ctx := context.Background()
	dir := fakeInstall(t, "15.7", "postgres", "initdb", "pg_basebackup")
	got, err := Find(ctx, dir)
	if err != nil || len(got) != 1 || got[0].Major != 15 || got[0].Version != "15.7" {
		t.Fatalf("Find(%s) = %+v, %v", dir, got, err)
	}
	if got[0].Program("initdb") != filepath.Join(got[0].Dir, "initdb") {
		t.Errorf("Program path %q", got[0].Program("initdb"))
	}

	incomplete := fakeInstall(t, "15.7", "postgres", "initdb")
	if _, err := Find(ctx, incomplete); err == nil {
		t.Error("Find accepted a directory without pg_basebackup")
	}
	old := fakeInstall(t, "11.22", "postgres", "initdb", "pg_basebackup")
	if _, err := Find(ctx, old); err == nil {
		t.Error("Find accepted PostgreSQL 11, which has no recovery.signal")
	}
}

// TestFindOnThisMachine looks where distributions install PostgreSQL. It checks what is
// found, and that nothing found is a broken installation; a machine without PostgreSQL
// finds nothing, which is ErrNotFound, not a failure.
func TestFindOnThisMachine(t *testing.T) {
	got, err := Find(context.Background(), "")
	if errors.Is(err, ErrNotFound) {
		t.Log("no PostgreSQL installed here")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range got {
		if in.Major < MinMajor || in.Version == "" {
			t.Errorf("found %+v", in)
		}
		if i > 0 && in.Major > got[i-1].Major {
			t.Errorf("not newest first: %+v", got)
		}
	}
}
