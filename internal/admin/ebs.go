package admin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/port"
)

// The EBS endpoints let users and tests put data on a volume (no instance attaches to
// one here), read it back, and see what each snapshot stored — the changed blocks an
// incremental snapshot or copy moved. The account defaults to the server's; the Region
// is required, as a volume id names a volume of one Region.
//
//	POST /_xregion/ebs/volumes/{id}/write  {"region", "account"?, "offset", "data" (base64)}
//	GET  /_xregion/ebs/volumes/{id}/data?region=&account=&offset=&length=
//	GET  /_xregion/ebs/snapshots/{id}?region=&account=

// maxVolumeIO bounds one read or write, as readJSON bounds a request body.
const maxVolumeIO = 512 << 10

func (a *api) routeEBS(mux *http.ServeMux) {
	if a.cfg.Volumes == nil {
		return
	}
	mux.HandleFunc("POST /_xregion/ebs/volumes/{id}/write", a.writeVolume)
	mux.HandleFunc("GET /_xregion/ebs/volumes/{id}/data", a.readVolume)
	mux.HandleFunc("GET /_xregion/ebs/snapshots/{id}", a.snapshotData)
}

type volumeWrite struct {
	Region  string `json:"region"`
	Account string `json:"account"`
	Offset  int64  `json:"offset"`
	Data    []byte `json:"data"`
}

type volumeRead struct {
	VolumeID string `json:"volumeId"`
	Offset   int64  `json:"offset"`
	Data     []byte `json:"data"`
}

func (a *api) writeVolume(w http.ResponseWriter, r *http.Request) {
	var in volumeWrite
	if err := readJSON(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	account, ok := a.scope(w, in.Region, in.Account)
	if !ok {
		return
	}
	if len(in.Data) == 0 || len(in.Data) > maxVolumeIO {
		writeError(w, http.StatusBadRequest, "data must hold 1 to %d bytes", maxVolumeIO)
		return
	}
	id := r.PathValue("id")
	if err := a.cfg.Volumes.WriteVolume(account, in.Region, id, in.Offset, in.Data); err != nil {
		writeEBSError(w, err, id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"volumeId": id, "offset": in.Offset, "written": len(in.Data)})
}

func (a *api) readVolume(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	account, ok := a.scope(w, q.Get("region"), q.Get("account"))
	if !ok {
		return
	}
	offset, err1 := strconv.ParseInt(q.Get("offset"), 10, 64)
	length, err2 := strconv.ParseInt(q.Get("length"), 10, 64)
	if err1 != nil || err2 != nil || length <= 0 || length > maxVolumeIO {
		writeError(w, http.StatusBadRequest, "offset and length (1 to %d) are required integers", maxVolumeIO)
		return
	}
	id := r.PathValue("id")
	data, err := a.cfg.Volumes.ReadVolume(account, q.Get("region"), id, offset, length)
	if err != nil {
		writeEBSError(w, err, id)
		return
	}
	writeJSON(w, http.StatusOK, volumeRead{VolumeID: id, Offset: offset, Data: data})
}

func (a *api) snapshotData(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	account, ok := a.scope(w, q.Get("region"), q.Get("account"))
	if !ok {
		return
	}
	id := r.PathValue("id")
	data, err := a.cfg.Volumes.SnapshotData(account, q.Get("region"), id)
	if err != nil {
		writeEBSError(w, err, id)
		return
	}
	writeJSON(w, http.StatusOK, data)
}

// scope checks the Region and picks the account, answering 400 when either is wrong.
func (a *api) scope(w http.ResponseWriter, region, account string) (string, bool) {
	if !regions.Valid(region) {
		writeError(w, http.StatusBadRequest, "region %q is not a Region xregion serves", region)
		return "", false
	}
	if account == "" {
		account = a.cfg.Account
	}
	return account, true
}

func writeEBSError(w http.ResponseWriter, err error, id string) {
	switch {
	case errors.Is(err, port.ErrVolumeNotFound), errors.Is(err, port.ErrSnapshotNotFound):
		writeError(w, http.StatusNotFound, "%s does not exist", id)
	case errors.Is(err, port.ErrVolumeNotReady):
		writeError(w, http.StatusConflict, "%s is not available yet: move the clock until it is", id)
	case errors.Is(err, port.ErrVolumeRange):
		writeError(w, http.StatusBadRequest, "the range is beyond the end of %s", id)
	default:
		writeError(w, http.StatusInternalServerError, "%v", err)
	}
}
