package admin

import (
	"errors"
	"net/http"

	"github.com/xregion/xregion/internal/service/port"
)

// The EFS endpoints let users and tests put files in a file system (nothing mounts one
// here), read them back after a replication or a restore, and list them with their
// storage classes. The account defaults to the server's; the Region is required, as a
// file system id names a file system of one Region.
//
//	POST /_xregion/efs/file-systems/{id}/files          {"region", "account"?, "path", "data" (base64)}
//	POST /_xregion/efs/file-systems/{id}/files/delete   {"region", "account"?, "path"}
//	GET  /_xregion/efs/file-systems/{id}/files?region=&account=
//	GET  /_xregion/efs/file-systems/{id}/file?region=&account=&path=

// maxFileIO bounds one file written through the admin API.
const maxFileIO = 1 << 20

func (a *api) routeEFS(mux *http.ServeMux) {
	if a.cfg.Files == nil {
		return
	}
	mux.HandleFunc("POST /_xregion/efs/file-systems/{id}/files", a.writeFile)
	mux.HandleFunc("POST /_xregion/efs/file-systems/{id}/files/delete", a.deleteFile)
	mux.HandleFunc("GET /_xregion/efs/file-systems/{id}/files", a.listFiles)
	mux.HandleFunc("GET /_xregion/efs/file-systems/{id}/file", a.readFile)
}

type fileWrite struct {
	Region  string `json:"region"`
	Account string `json:"account"`
	Path    string `json:"path"`
	Data    []byte `json:"data"`
}

type fileRead struct {
	FileSystemID string `json:"fileSystemId"`
	Path         string `json:"path"`
	Data         []byte `json:"data"`
}

// fileCall reads the body of a call that changes a file, and picks its account.
func (a *api) fileCall(w http.ResponseWriter, r *http.Request) (fileWrite, string, bool) {
	var in fileWrite
	if err := readJSON(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return in, "", false
	}
	account, ok := a.scope(w, in.Region, in.Account)
	return in, account, ok
}

func (a *api) writeFile(w http.ResponseWriter, r *http.Request) {
	in, account, ok := a.fileCall(w, r)
	if !ok {
		return
	}
	if len(in.Data) > maxFileIO {
		writeError(w, http.StatusBadRequest, "data must hold at most %d bytes", maxFileIO)
		return
	}
	id := r.PathValue("id")
	if err := a.cfg.Files.WriteFile(account, in.Region, id, in.Path, in.Data); err != nil {
		writeEFSError(w, err, id, in.Path)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"fileSystemId": id, "path": in.Path, "written": len(in.Data)})
}

func (a *api) deleteFile(w http.ResponseWriter, r *http.Request) {
	in, account, ok := a.fileCall(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if err := a.cfg.Files.DeleteFile(account, in.Region, id, in.Path); err != nil {
		writeEFSError(w, err, id, in.Path)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"fileSystemId": id, "path": in.Path, "deleted": true})
}

func (a *api) listFiles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	account, ok := a.scope(w, q.Get("region"), q.Get("account"))
	if !ok {
		return
	}
	id := r.PathValue("id")
	list, err := a.cfg.Files.ListFiles(account, q.Get("region"), id)
	if err != nil {
		writeEFSError(w, err, id, "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"fileSystemId": id, "files": list})
}

func (a *api) readFile(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	account, ok := a.scope(w, q.Get("region"), q.Get("account"))
	if !ok {
		return
	}
	id, path := r.PathValue("id"), q.Get("path")
	data, err := a.cfg.Files.ReadFile(account, q.Get("region"), id, path)
	if err != nil {
		writeEFSError(w, err, id, path)
		return
	}
	writeJSON(w, http.StatusOK, fileRead{FileSystemID: id, Path: path, Data: data})
}

func writeEFSError(w http.ResponseWriter, err error, id, path string) {
	switch {
	case errors.Is(err, port.ErrFileSystemNotFound):
		writeError(w, http.StatusNotFound, "%s does not exist", id)
	case errors.Is(err, port.ErrFileNotFound):
		writeError(w, http.StatusNotFound, "%s has no file %q", id, path)
	case errors.Is(err, port.ErrFileSystemNotReady):
		writeError(w, http.StatusConflict, "%s is not available: move the clock until it is", id)
	case errors.Is(err, port.ErrFileSystemReadOnly):
		writeError(w, http.StatusConflict, "%s is read-only: it is (or waits to be) a replication destination", id)
	case errors.Is(err, port.ErrBadPath):
		writeError(w, http.StatusBadRequest, "path %q: %v", path, err)
	default:
		writeError(w, http.StatusInternalServerError, "%v", err)
	}
}
