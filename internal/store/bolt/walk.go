package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// walkFile reads every page reachable from the file's current meta page with plain file
// reads and checks that each lies inside the file and holds what its parent says: the
// page's own id, a branch or leaf type, and elements whose keys and values lie inside the
// page. It follows bbolt's page layout (go.etcd.io/bbolt/internal/common/page.go).
func walkFile(f io.ReaderAt) error {
	m, ok := currentMeta(f)
	if !ok {
		return errors.New("neither of its two meta pages is intact")
	}
	w := &walker{f: f, pageSize: int64(m.pageSize), hwm: m.pgid, seen: map[uint64]bool{}}
	if m.freelist != noFreelist {
		if err := w.freelist(m.freelist); err != nil {
			return err
		}
	}
	return w.tree(m.root, 0)
}

// Page layout.
const (
	branchPage   = 0x01
	leafPage     = 0x02
	freelistPage = 0x10
	bucketLeaf   = 0x01 // a leaf element whose value is a bucket
	elementSize  = 16   // branch and leaf elements alike
	bucketHeader = 16   // root page id and sequence, before an inline page
	maxDepth     = 64
)

type walker struct {
	f        io.ReaderAt
	pageSize int64
	hwm      uint64 // pages in use
	seen     map[uint64]bool
}

var native = binary.NativeEndian

// page reads page id with its overflow pages.
func (w *walker) page(id uint64) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, fmt.Errorf("page %d is out of bounds (the store uses %d)", id, w.hwm)
	}
	if w.seen[id] {
		return nil, fmt.Errorf("page %d is referenced twice", id)
	}
	w.seen[id] = true
	hdr := make([]byte, pageHeaderSize)
	if _, err := w.f.ReadAt(hdr, int64(id)*w.pageSize); err != nil {
		return nil, fmt.Errorf("page %d: %v", id, err)
	}
	if got := native.Uint64(hdr); got != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, got)
	}
	overflow := uint64(native.Uint32(hdr[12:]))
	if id+overflow >= w.hwm {
		return nil, fmt.Errorf("page %d runs past the pages in use", id)
	}
	buf := make([]byte, int64(overflow+1)*w.pageSize)
	if _, err := w.f.ReadAt(buf, int64(id)*w.pageSize); err != nil {
		return nil, fmt.Errorf("page %d: %v", id, err)
	}
	return buf, nil
}

func (w *walker) freelist(id uint64) error {
	buf, err := w.page(id)
	if err != nil {
		return err
	}
	if native.Uint16(buf[8:]) != freelistPage {
		return fmt.Errorf("page %d should be the freelist but is of type %#x", id, native.Uint16(buf[8:]))
	}
	count, start := uint64(native.Uint16(buf[10:])), uint64(pageHeaderSize)
	if count == 0xFFFF { // the real count is the first entry
		if len(buf) < pageHeaderSize+8 {
			return errors.New("the freelist is cut short")
		}
		count, start = native.Uint64(buf[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > (uint64(len(buf))-start)/8 {
		return fmt.Errorf("the freelist claims %d pages but has room for fewer", count)
	}
	for i := range count {
		if free := native.Uint64(buf[start+8*i:]); free < 2 || free >= w.hwm {
			return fmt.Errorf("the freelist names page %d, outside the pages in use", free)
		}
	}
	return nil
}

// tree checks the branch or leaf page id and everything below it.
func (w *walker) tree(id uint64, depth int) error {
	if depth > maxDepth {
		return errors.New("the page tree is deeper than any real store")
	}
	buf, err := w.page(id)
	if err != nil {
		return err
	}
	return w.elements(buf, id, depth)
}

// elements checks the elements of a branch or leaf page held in buf (a page read from
// the file, or an inline bucket's page inside a value).
func (w *walker) elements(buf []byte, id uint64, depth int) error {
	if len(buf) < pageHeaderSize {
		return fmt.Errorf("page %d is cut short", id)
	}
	flags, count := native.Uint16(buf[8:]), int(native.Uint16(buf[10:]))
	if flags != branchPage && flags != leafPage {
		return fmt.Errorf("page %d is of type %#x where a branch or leaf page belongs", id, flags)
	}
	if pageHeaderSize+count*elementSize > len(buf) {
		return fmt.Errorf("page %d claims %d elements but has room for fewer", id, count)
	}
	for i := range count {
		at := pageHeaderSize + i*elementSize
		el := buf[at : at+elementSize]
		if flags == branchPage {
			pos, ksize := uint64(native.Uint32(el)), uint64(native.Uint32(el[4:]))
			if uint64(at)+pos+ksize > uint64(len(buf)) {
				return fmt.Errorf("page %d: element %d's key lies outside the page", id, i)
			}
			if err := w.tree(native.Uint64(el[8:]), depth+1); err != nil {
				return err
			}
			continue
		}
		elFlags, pos := native.Uint32(el), uint64(native.Uint32(el[4:]))
		ksize, vsize := uint64(native.Uint32(el[8:])), uint64(native.Uint32(el[12:]))
		end := uint64(at) + pos + ksize + vsize
		if end > uint64(len(buf)) {
			return fmt.Errorf("page %d: element %d lies outside the page", id, i)
		}
		if elFlags&bucketLeaf != 0 {
			if err := w.bucket(buf[end-vsize:end], id, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// bucket checks a bucket value: its root page, or the inline page it carries.
func (w *walker) bucket(v []byte, parent uint64, depth int) error {
	if len(v) < bucketHeader {
		return fmt.Errorf("page %d: a bucket value is cut short", parent)
	}
	if root := native.Uint64(v); root != 0 {
		return w.tree(root, depth+1)
	}
	return w.elements(v[bucketHeader:], parent, depth+1)
}
