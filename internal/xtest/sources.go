package xtest

import (
	"io/fs"
	"os"
	"path/filepath"
)

// NoteSources looks at every file of the module under root (skipping .git and
// node_modules). Tests that build the xregion binary with go build must call it while
// they run: go test caches a package's result against the files its test binary opened
// or looked at, and knows nothing of the build, so without this a change to the server
// alone would replay a cached result instead of testing the change.
func NoteSources(root string) {
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules"):
			return filepath.SkipDir
		case !d.IsDir():
			_, _ = os.Stat(path)
		}
		return nil
	})
}
