package admin_test

import (
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/xregion/xregion/internal/admin"
	"github.com/xregion/xregion/internal/service/port"
)

// fakeFiles is a port.FileData of one writable file system, fs-1 in us-east-1 of
// account 111122223333, and one read-only one, fs-ro.
type fakeFiles struct{ files map[string][]byte }

func (f *fakeFiles) find(account, region, id string) error {
	if account != "111122223333" || region != "us-east-1" || (id != "fs-1" && id != "fs-ro") {
		return port.ErrFileSystemNotFound
	}
	return nil
}

func (f *fakeFiles) WriteFile(account, region, id, path string, data []byte) error {
	if err := f.find(account, region, id); err != nil {
		return err
	}
	if id == "fs-ro" {
		return port.ErrFileSystemReadOnly
	}
	if path == "" || path[0] != '/' {
		return port.ErrBadPath
	}
	f.files[path] = data
	return nil
}

func (f *fakeFiles) ReadFile(account, region, id, path string) ([]byte, error) {
	if err := f.find(account, region, id); err != nil {
		return nil, err
	}
	data, ok := f.files[path]
	if !ok {
		return nil, port.ErrFileNotFound
	}
	return data, nil
}

func (f *fakeFiles) DeleteFile(account, region, id, path string) error {
	if _, err := f.ReadFile(account, region, id, path); err != nil {
		return err
	}
	delete(f.files, path)
	return nil
}

func (f *fakeFiles) ListFiles(account, region, id string) ([]port.FileInfo, error) {
	if err := f.find(account, region, id); err != nil {
		return nil, err
	}
	var out []port.FileInfo
	for p, d := range f.files {
		out = append(out, port.FileInfo{Path: p, Size: int64(len(d)), StorageClass: "STANDARD"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// TestEFSEndpoints: a file written, listed, read back and deleted, and the refusals.
func TestEFSEndpoints(t *testing.T) {
	files := &fakeFiles{files: map[string][]byte{}}
	srv := httptest.NewServer(admin.Handler(admin.Config{Files: files, Account: "111122223333"}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/_xregion/efs/file-systems/"

	var wrote struct{ Written int }
	if code := call(t, "POST", base+"fs-1/files", `{"region":"us-east-1","path":"/a/b.txt","data":"aGVsbG8="}`, &wrote); code != 200 || wrote.Written != 5 {
		t.Fatalf("write: %d %+v", code, wrote)
	}
	var list struct{ Files []port.FileInfo }
	if code := call(t, "GET", base+"fs-1/files?region=us-east-1", "", &list); code != 200 || len(list.Files) != 1 || list.Files[0].Size != 5 {
		t.Fatalf("list: %d %+v", code, list)
	}
	var got struct{ Data []byte }
	if code := call(t, "GET", base+"fs-1/file?region=us-east-1&path=/a/b.txt", "", &got); code != 200 || string(got.Data) != "hello" {
		t.Fatalf("read: %d %q", code, got.Data)
	}
	if code := call(t, "POST", base+"fs-1/files/delete", `{"region":"us-east-1","path":"/a/b.txt"}`, nil); code != 200 || len(files.files) != 0 {
		t.Fatalf("delete: %d %v", code, files.files)
	}
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "fs-2/files", `{"region":"us-east-1","path":"/x","data":"aGk="}`, 404},
		{"POST", "fs-ro/files", `{"region":"us-east-1","path":"/x","data":"aGk="}`, 409},
		{"POST", "fs-1/files", `{"region":"us-east-1","path":"x","data":"aGk="}`, 400},
		{"POST", "fs-1/files", `{"region":"mars-1","path":"/x","data":"aGk="}`, 400},
		{"GET", "fs-1/file?region=us-east-1&path=/missing", "", 404},
		{"POST", "fs-1/files/delete", `{"region":"us-east-1","path":"/missing"}`, 404},
	} {
		if code := call(t, c.method, base+c.path, c.body, nil); code != c.status {
			t.Errorf("%s %s %s: %d, want %d", c.method, c.path, c.body, code, c.status)
		}
	}
}
