package admin_test

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/xregion/xregion/internal/admin"
	"github.com/xregion/xregion/internal/service/port"
)

// fakeVolumes is a port.VolumeData of one 1 MiB volume, vol-1 in us-east-1 of account
// 111122223333, and one snapshot.
type fakeVolumes struct{ data []byte }

func (f *fakeVolumes) find(account, region, id string) error {
	if account != "111122223333" || region != "us-east-1" || id != "vol-1" {
		return port.ErrVolumeNotFound
	}
	return nil
}

func (f *fakeVolumes) WriteVolume(account, region, id string, offset int64, data []byte) error {
	if err := f.find(account, region, id); err != nil {
		return err
	}
	if offset+int64(len(data)) > int64(len(f.data)) {
		return port.ErrVolumeRange
	}
	copy(f.data[offset:], data)
	return nil
}

func (f *fakeVolumes) ReadVolume(account, region, id string, offset, length int64) ([]byte, error) {
	if err := f.find(account, region, id); err != nil {
		return nil, err
	}
	if offset+length > int64(len(f.data)) {
		return nil, port.ErrVolumeRange
	}
	return f.data[offset : offset+length], nil
}

func (f *fakeVolumes) SnapshotData(account, region, id string) (port.SnapshotData, error) {
	if id != "snap-1" {
		return port.SnapshotData{}, port.ErrSnapshotNotFound
	}
	return port.SnapshotData{SnapshotID: id, VolumeID: "vol-1", Blocks: 2, ChangedBlocks: 1, ChangedBytes: 512 << 10}, nil
}

// TestEBSEndpoints: a write read back, what a snapshot stored, and the refusals.
func TestEBSEndpoints(t *testing.T) {
	vols := &fakeVolumes{data: make([]byte, 1<<20)}
	srv := httptest.NewServer(admin.Handler(admin.Config{Volumes: vols, Account: "111122223333"}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/_xregion/ebs/"

	var wrote struct{ Written int }
	if code := call(t, "POST", base+"volumes/vol-1/write", `{"region":"us-east-1","offset":100,"data":"aGVsbG8="}`, &wrote); code != 200 || wrote.Written != 5 {
		t.Fatalf("write: %d %+v", code, wrote)
	}
	var got struct{ Data []byte }
	if code := call(t, "GET", base+"volumes/vol-1/data?region=us-east-1&offset=99&length=7", "", &got); code != 200 || !bytes.Equal(got.Data, []byte("\x00hello\x00")) {
		t.Fatalf("read: %d %q", code, got.Data)
	}
	var snap port.SnapshotData
	if code := call(t, "GET", base+"snapshots/snap-1?region=us-east-1", "", &snap); code != 200 || snap.ChangedBlocks != 1 || snap.Blocks != 2 {
		t.Fatalf("snapshot: %d %+v", code, snap)
	}

	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "volumes/vol-2/write", `{"region":"us-east-1","offset":0,"data":"aGk="}`, 404},
		{"POST", "volumes/vol-1/write", `{"region":"us-east-1","offset":1048575,"data":"aGk="}`, 400},
		{"POST", "volumes/vol-1/write", `{"region":"mars-1","offset":0,"data":"aGk="}`, 400},
		{"POST", "volumes/vol-1/write", `{"region":"us-east-1","offset":0}`, 400},
		{"POST", "volumes/vol-1/write", `{"region":"us-east-1","account":"222233334444","offset":0,"data":"aGk="}`, 404},
		{"GET", "volumes/vol-1/data?region=us-east-1&offset=0", "", 400},
		{"GET", "snapshots/snap-2?region=us-east-1", "", 404},
	} {
		if code := call(t, c.method, base+c.path, c.body, nil); code != c.status {
			t.Errorf("%s %s %s: %d, want %d", c.method, c.path, c.body, code, c.status)
		}
	}
}
