package efs

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/service/kit"
)

// The data of file systems and of their recovery points: each holds a data key (a
// 256-bit AES key, wrapped by its KMS key, or sealed with the server's root key when
// the file system is not encrypted) and seals each file's content with it, bound to
// the owner, the path and the file's version. No file content is stored in plain text.

// dataKeyContext is the encryption context a data key is bound to in KMS.
func dataKeyContext(owner string) map[string]string {
	return map[string]string{"aws:elasticfilesystem:id": owner}
}

func dataKeyAAD(v kit.View, owner string) []byte {
	return []byte("xregion/efs/dek\x00" + v.Account() + "\x00" + v.Region() + "\x00" + owner)
}

// newDataKey makes the data key of a file system or a recovery point (owner), and
// returns it wrapped: by keyARN, a key of the view's Region, or by the root key.
func (s *Service) newDataKey(tx kit.Tx, v kit.View, keyARN, owner string) ([]byte, error) {
	if keyARN != "" {
		_, wrapped, _, err := s.keys.GenerateDataKey(tx, v.Account(), v.Region(), keyARN, dataKeyContext(owner))
		return wrapped, err
	}
	plain := make([]byte, 32)
	_, _ = rand.Read(plain)
	return s.Sealer.Seal(plain, dataKeyAAD(v, owner)), nil
}

// fileKey seals the files of one owner.
type fileKey struct {
	owner string
	aead  cipher.AEAD
}

// openDataKey unwraps the data key of owner.
func (s *Service) openDataKey(tx kit.Tx, v kit.View, keyARN string, wrapped []byte, owner string) (fileKey, error) {
	var plain []byte
	var err error
	if keyARN != "" {
		plain, _, err = s.keys.Decrypt(tx, v.Account(), v.Region(), wrapped, dataKeyContext(owner))
	} else {
		plain, err = s.Sealer.Open(wrapped, dataKeyAAD(v, owner))
	}
	if err != nil {
		return fileKey{}, fmt.Errorf("efs: opening the data key of %s: %w", owner, err)
	}
	block, err := aes.NewCipher(plain)
	if err != nil {
		return fileKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fileKey{}, err
	}
	return fileKey{owner: owner, aead: aead}, nil
}

func (k fileKey) aad(path string, version int64) []byte {
	return []byte("xregion/efs/file\x00" + k.owner + "\x00" + path + "\x00" + strconv.FormatInt(version, 10))
}

func (k fileKey) seal(path string, version int64, plain []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plain, k.aad(path, version))
}

func (k fileKey) open(path string, version int64, sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, fmt.Errorf("efs: file %s of %s is damaged", path, k.owner)
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], k.aad(path, version))
	if err != nil {
		return nil, fmt.Errorf("efs: opening file %s of %s: %w", path, k.owner, err)
	}
	return plain, nil
}

// fileStore is where one owner's files live: a file system's, or a recovery point's.
type fileStore struct {
	v    kit.View
	key  fileKey
	meta kit.Table[fileRecord]
	data kit.Blobs
}

func (s *Service) storeOf(tx kit.Tx, v kit.View, fs *fileSystemRecord) (fileStore, error) {
	key, err := s.openDataKey(tx, v, fs.KmsKeyARN, fs.DataKey, fs.ID)
	return fileStore{v: v, key: key, meta: files, data: fileData}, err
}

func (f fileStore) list() ([]*fileRecord, error) { return f.meta.List(f.v, f.key.owner) }

func (f fileStore) get(path string) (*fileRecord, error) { return f.meta.Get(f.v, f.key.owner, path) }

func (f fileStore) read(rec *fileRecord) ([]byte, error) {
	sealed := f.data.Get(f.v, f.key.owner, rec.Path)
	if sealed == nil {
		return nil, fmt.Errorf("efs: the content of %s of %s is missing", rec.Path, f.key.owner)
	}
	return f.key.open(rec.Path, rec.Version, sealed)
}

// put stores rec with its content.
func (f fileStore) put(rec *fileRecord, plain []byte) error {
	rec.Size = int64(len(plain))
	if err := f.meta.Put(f.v, rec, f.key.owner, rec.Path); err != nil {
		return err
	}
	return f.data.Put(f.v, f.key.seal(rec.Path, rec.Version, plain), f.key.owner, rec.Path)
}

func (f fileStore) remove(path string) error {
	if err := f.meta.Delete(f.v, f.key.owner, path); err != nil {
		return err
	}
	return f.data.Delete(f.v, f.key.owner, path)
}

// copyFile copies rec's content from one store to another, re-sealed with the
// destination's key, as version there; it returns the bytes it moved.
func copyFile(from, to fileStore, rec *fileRecord, version int64) (int64, error) {
	plain, err := from.read(rec)
	if err != nil {
		return 0, err
	}
	cp := *rec
	cp.Version = version
	return int64(len(plain)), to.put(&cp, plain)
}

// errBadPath refuses a path that is not absolute and clean.
var errBadPath = errors.New("bad path")

// checkPath accepts an absolute path of at most 4096 bytes whose parts are neither
// empty nor "." nor "..".
func checkPath(path string) error {
	if !strings.HasPrefix(path, "/") || len(path) > 4096 || path == "/" || strings.ContainsRune(path, 0) {
		return errBadPath
	}
	for _, part := range strings.Split(path[1:], "/") {
		if part == "" || part == "." || part == ".." {
			return errBadPath
		}
	}
	return nil
}

func (f fileStore) has(path string) bool { return f.meta.Has(f.v, f.key.owner, path) }
