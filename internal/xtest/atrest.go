package xtest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// WantNotAtRest fails t for every file below dir that holds one of secrets, as given,
// in hex or in any base64 alphabet, and unless some file holds control: something stored
// as it is, whose finding shows that the search would find a secret stored in plain text.
func WantNotAtRest(t testing.TB, dir string, control []byte, secrets ...[]byte) {
	t.Helper()
	var needles [][]byte
	for _, s := range secrets {
		needles = append(needles, s, []byte(hex.EncodeToString(s)), []byte(base64.StdEncoding.EncodeToString(s)),
			[]byte(base64.RawStdEncoding.EncodeToString(s)), []byte(base64.URLEncoding.EncodeToString(s)))
	}
	const encodings = 5 // each secret's needles, in the order above
	files, controls := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, control) {
			controls++
		}
		for i, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s holds secret %d in plain text (encoding %d)", path, i/encodings, i%encodings)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if controls == 0 {
		t.Fatalf("searched %d files and found %q in none: the search proves nothing", files, control)
	}
}
