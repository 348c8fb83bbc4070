package gen

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awsmodel/botocore"
)

// TestGeneratedCodeIsCurrent runs this package's go:generate command into a temporary
// directory and fails when any generated file differs from the committed one, or when a
// committed package is one the command no longer generates: generator, pinned models and
// committed code must agree. It needs the pinned botocore release and skips without it.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: regenerating builds and runs awsgen")
	}
	args := generateCommand(t)
	version := flagValue(args, "-botocore-version")
	if _, err := botocore.LocateVersion("", version); err != nil {
		t.Skipf("SKIPPED: cannot check the generated code against its models: %v", err)
	}
	out := t.TempDir()
	i := slices.Index(args, "-out")
	if i < 0 || i+1 >= len(args) {
		t.Fatal("the go:generate line names no -out directory")
	}
	args[i+1] = out
	cmd := exec.Command(args[0], args[1:]...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, b)
	}
	fresh, committed := generatedFiles(t, out), generatedFiles(t, ".")
	for _, f := range committed {
		if !slices.Contains(fresh, f) {
			t.Errorf("%s is committed but no longer generated; delete it or generate it again", f)
		}
	}
	for _, f := range fresh {
		want, _ := os.ReadFile(filepath.Join(out, f))
		got, err := os.ReadFile(f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			t.Errorf("%s is generated but not committed; run go generate ./internal/gen", f)
		case err != nil:
			t.Fatal(err)
		case !bytes.Equal(got, want):
			t.Errorf("%s differs from what the generator makes of botocore %s; run go generate ./internal/gen", f, version)
		}
	}
}

// generateCommand is the command of generate.go's go:generate line.
func generateCommand(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("generate.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		if cmd, ok := strings.CutPrefix(line, "//go:generate "); ok {
			return strings.Fields(cmd)
		}
	}
	t.Fatal("generate.go has no go:generate line")
	return nil
}

func flagValue(args []string, name string) string {
	if i := slices.Index(args, name); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// generatedFiles lists the files of the <service>api packages under dir, relative to it.
func generatedFiles(t *testing.T, dir string) []string {
	t.Helper()
	pkgs, err := filepath.Glob(filepath.Join(dir, "*api"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pkg := range pkgs {
		entries, err := os.ReadDir(pkg)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			files = append(files, filepath.Join(filepath.Base(pkg), e.Name()))
		}
	}
	return files
}
