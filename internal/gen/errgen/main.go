// Command errgen writes a package's error catalogue, errors.json, as Go: errors_gen.go,
// one awserr.Message var per error text and one constant per other text, with the names,
// comments and order of the catalogue. Each service package runs it from the
// go:generate line of its errors.go; TestCommittedCodeIsCurrent fails when a committed
// errors_gen.go differs from what errgen writes.
//
// With -adopt FILE, errgen first moves the texts declared by hand in FILE (awserr.Message
// vars and string constants, with their comments) into the catalogue of FILE's package,
// removes them from FILE, and then generates: the one step that turns a message added
// in Go into data.
//
//	go run ./internal/gen/errgen -dir internal/service/rds -adopt errors.go
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", ".", "the package directory")
	adopt := flag.String("adopt", "", "a Go file of the package whose texts move into the catalogue")
	flag.Parse()
	if err := run(*dir, *adopt); err != nil {
		fmt.Fprintln(os.Stderr, "errgen:", err)
		os.Exit(1)
	}
}

func run(dir, adopt string) error {
	if adopt != "" {
		if err := adoptFile(dir, filepath.Join(dir, adopt)); err != nil {
			return err
		}
	}
	src, err := generate(dir)
	if err != nil {
		return err
	}
	return writeIfChanged(filepath.Join(dir, generatedFile), src)
}

// generate is the errors_gen.go of the package in dir.
func generate(dir string) ([]byte, error) {
	c, err := readCatalog(filepath.Join(dir, catalogFile))
	if err != nil {
		return nil, err
	}
	pkg, err := packageName(dir)
	if err != nil {
		return nil, err
	}
	mod, err := modulePath(dir)
	if err != nil {
		return nil, err
	}
	return render(c, pkg, mod)
}

func writeIfChanged(name string, b []byte) error {
	old, err := os.ReadFile(name)
	if err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile(name, b, 0o644)
}

// packageName is the name in the package clause of the hand-written Go files in dir.
func packageName(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == generatedFile {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err != nil {
			return "", err
		}
		return file.Name.Name, nil
	}
	return "", fmt.Errorf("%s: no Go file names the package", dir)
}

// modulePath is the module of the go.mod above dir.
func modulePath(dir string) (string, error) {
	root, err := moduleRoot(dir)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if mod, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(mod), `"`), nil
		}
	}
	return "", fmt.Errorf("%s/go.mod names no module", root)
}

func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New(dir + ": no go.mod above it")
		}
	}
}
