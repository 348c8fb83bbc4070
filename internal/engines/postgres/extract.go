package postgres

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/xregion/xregion/internal/engines/proc"
)

// extractTar writes a base backup's tar into the empty data directory dir, every file
// owned by the server's user and private to it. Only plain files and directories are
// accepted: a tablespace (a symbolic link under pg_tblspc) is not supported, and no
// entry may point outside dir.
func extractTar(r io.Reader, dir string, user proc.Identity) error {
	err := eachTarEntry(r, func(h *tar.Header, body io.Reader) error {
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if !filepath.IsLocal(name) {
			return fmt.Errorf("base backup entry %q lies outside the data directory", h.Name)
		}
		path := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			return os.MkdirAll(path, 0o700)
		case tar.TypeReg:
			return writeFile(path, body)
		default:
			return fmt.Errorf("base backup entry %q: type %q not supported (tablespaces are not)", h.Name, h.Typeflag)
		}
	})
	if err != nil {
		return err
	}
	// pg_basebackup -X none leaves pg_wal empty; recovery needs it and its status dir.
	if err := os.MkdirAll(filepath.Join(dir, "pg_wal", "archive_status"), 0o700); err != nil {
		return err
	}
	return user.OwnTree(dir)
}

func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// eachTarEntry calls fn for every entry of the tar stream r, with the entry's content.
func eachTarEntry(r io.Reader, fn func(*tar.Header, io.Reader) error) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the base backup: %w", err)
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}
