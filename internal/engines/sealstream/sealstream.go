// Package sealstream encrypts a stream of any length as a sequence of sealed chunks, so
// that a base backup of many gigabytes is never held in memory whole and a damaged,
// reordered or truncated file is refused rather than half-read.
//
// Format: the magic "XRSS1\n", then frames of [flag byte][4-byte big-endian length]
// [sealed chunk]. Chunk i is sealed with the associated data
//
//	"xregion-sealstream-v1" NUL name NUL uint64(i) flag
//
// where name is the stream's identity in its store (e.g. "wal/000000010000000000000003")
// and flag is 1 on the last chunk, 0 before it. Binding the name stops one object being
// passed off as another; binding the index and the flag stops chunks being dropped,
// reordered or cut off after a chunk boundary. Re-encrypting under another key (Reseal)
// keeps the name, so a copy in another store opens under the same name.
package sealstream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Sealer encrypts and authenticates values under one key; *seal.Sealer is one, and the
// RDS side supplies one derived from a KMS key.
type Sealer interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
}

// ChunkSize is the plaintext size of every chunk but the last.
const ChunkSize = 1 << 20

// maxSealedChunk bounds a frame's length when reading, so a damaged length cannot make
// the reader allocate gigabytes: a chunk grows by a nonce and a tag when sealed, far less
// than this slack.
const maxSealedChunk = ChunkSize + 4096

var magic = []byte("XRSS1\n")

const (
	flagMore  byte = 0
	flagFinal byte = 1
)

// ErrDamaged means a stream could not be opened: the wrong key, another stream's chunks,
// or damaged, reordered or truncated data.
var ErrDamaged = errors.New("sealstream: cannot open stream (wrong key, or damaged or truncated data)")

func aad(name string, index uint64, flag byte) []byte {
	b := make([]byte, 0, 32+len(name))
	b = append(b, "xregion-sealstream-v1\x00"...)
	b = append(b, name...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, index)
	return append(b, flag)
}

// Writer seals what is written to it, one chunk at a time. Close writes the last chunk;
// a stream that was not closed is refused by Reader as truncated.
type Writer struct {
	w      io.Writer
	sealer Sealer
	name   string
	buf    []byte
	index  uint64
	n      int64 // sealed bytes written, magic included
	err    error
	closed bool
}

// NewWriter returns a Writer sealing the stream called name onto w.
func NewWriter(w io.Writer, s Sealer, name string) *Writer {
	sw := &Writer{w: w, sealer: s, name: name, buf: make([]byte, 0, ChunkSize)}
	sw.write(magic)
	return sw
}

// Write buffers p, sealing every full chunk.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("sealstream: write after close")
	}
	written := 0
	for len(p) > 0 && w.err == nil {
		n := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+n]
		p, written = p[n:], written+n
		if len(w.buf) == cap(w.buf) {
			w.frame(flagMore)
		}
	}
	return written, w.err
}

// Close seals the last chunk (possibly empty). It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	w.frame(flagFinal)
	return w.err
}

// Size is the number of sealed bytes written so far.
func (w *Writer) Size() int64 { return w.n }

func (w *Writer) frame(flag byte) {
	if w.err != nil {
		return
	}
	sealed := w.sealer.Seal(w.buf, aad(w.name, w.index, flag))
	w.index++
	w.buf = w.buf[:0]
	w.writeFrame(flag, sealed)
}

func (w *Writer) writeFrame(flag byte, sealed []byte) {
	var hdr [5]byte
	hdr[0] = flag
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(sealed)))
	w.write(hdr[:])
	w.write(sealed)
}

func (w *Writer) write(p []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(p)
	w.n += int64(n)
	w.err = err
}

// Reader opens a stream written by Writer, returning its plaintext.
type Reader struct {
	r      *bufio.Reader
	sealer Sealer
	name   string
	index  uint64
	plain  []byte // the opened chunk not yet returned
	final  bool   // the final chunk has been opened
	err    error
	start  bool
}

// NewReader returns a Reader of the stream called name from r.
func NewReader(r io.Reader, s Sealer, name string) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), sealer: s, name: name}
}

// Read returns plaintext; it fails with ErrDamaged when any chunk does not open or the
// stream ends before its final chunk.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.final {
			r.err = r.expectEnd()
			continue
		}
		r.plain, r.final, r.err = r.next()
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// expectEnd checks that nothing follows the final chunk.
func (r *Reader) expectEnd() error {
	if _, err := r.r.ReadByte(); err == io.EOF {
		return io.EOF
	}
	return fmt.Errorf("%w: data after the final chunk", ErrDamaged)
}

// next reads and opens one frame.
func (r *Reader) next() ([]byte, bool, error) {
	flag, sealed, err := r.readFrame()
	if err != nil {
		return nil, false, err
	}
	plain, err := r.sealer.Open(sealed, aad(r.name, r.index, flag))
	if err != nil {
		return nil, false, ErrDamaged
	}
	r.index++
	return plain, flag == flagFinal, nil
}

// readFrame reads the magic (before the first frame) and one frame's flag and bytes.
func (r *Reader) readFrame() (byte, []byte, error) {
	if !r.start {
		r.start = true
		m := make([]byte, len(magic))
		if _, err := io.ReadFull(r.r, m); err != nil || string(m) != string(magic) {
			return 0, nil, fmt.Errorf("%w: not a sealed stream", ErrDamaged)
		}
	}
	var hdr [5]byte
	if _, err := io.ReadFull(r.r, hdr[:]); err != nil {
		return 0, nil, fmt.Errorf("%w: truncated", ErrDamaged)
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if (hdr[0] != flagMore && hdr[0] != flagFinal) || n > maxSealedChunk {
		return 0, nil, fmt.Errorf("%w: bad frame header", ErrDamaged)
	}
	sealed := make([]byte, n)
	if _, err := io.ReadFull(r.r, sealed); err != nil {
		return 0, nil, fmt.Errorf("%w: truncated", ErrDamaged)
	}
	return hdr[0], sealed, nil
}

// Reseal re-encrypts the stream called name from src (sealed by from) onto dst under to,
// chunk by chunk, without the plaintext ever being whole in memory or on disk. It returns
// the sealed bytes written.
func Reseal(dst io.Writer, src io.Reader, from, to Sealer, name string) (int64, error) {
	r := NewReader(src, from, name)
	w := &Writer{w: dst, sealer: to, name: name}
	w.write(magic)
	for !r.final {
		flag, sealed, err := r.readFrame()
		if err != nil {
			return w.n, err
		}
		a := aad(name, r.index, flag)
		plain, err := from.Open(sealed, a)
		if err != nil {
			return w.n, ErrDamaged
		}
		r.index++
		r.final = flag == flagFinal
		w.writeFrame(flag, to.Seal(plain, a))
		if w.err != nil {
			return w.n, w.err
		}
	}
	if err := r.expectEnd(); err != io.EOF {
		return w.n, err
	}
	return w.n, nil
}
