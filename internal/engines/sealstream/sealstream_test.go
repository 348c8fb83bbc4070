package sealstream

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/xregion/xregion/internal/seal"
)

func sealed(t *testing.T, s Sealer, name string, plain []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, s, name)
	// Odd write sizes cross chunk boundaries at every offset.
	for p := plain; len(p) > 0; {
		n := min(len(p), 100_003)
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Size() != int64(buf.Len()) {
		t.Fatalf("Size %d, wrote %d", w.Size(), buf.Len())
	}
	return buf.Bytes()
}

func open(s Sealer, name string, b []byte) ([]byte, error) {
	return io.ReadAll(NewReader(bytes.NewReader(b), s, name))
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func TestRoundTrip(t *testing.T) {
	s := seal.Ephemeral()
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 5} {
		plain := random(n)
		b := sealed(t, s, "base/x/data", plain)
		got, err := open(s, "base/x/data", b)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: got %d bytes, %v", n, len(got), err)
		}
		if n > 16 && bytes.Contains(b, plain[:16]) {
			t.Fatalf("%d bytes: plaintext visible in the sealed stream", n)
		}
	}
}

func TestRefusesWrongKeyOrName(t *testing.T) {
	s := seal.Ephemeral()
	b := sealed(t, s, "wal/1", random(1000))
	if _, err := open(seal.Ephemeral(), "wal/1", b); !errors.Is(err, ErrDamaged) {
		t.Errorf("another key: %v", err)
	}
	if _, err := open(s, "wal/2", b); !errors.Is(err, ErrDamaged) {
		t.Errorf("another name: %v", err)
	}
}

// frames splits a sealed stream into its magic and frames.
func frames(b []byte) (head []byte, out [][]byte) {
	head, b = b[:len(magic)], b[len(magic):]
	for len(b) > 0 {
		n := 5 + int(uint32(b[1])<<24|uint32(b[2])<<16|uint32(b[3])<<8|uint32(b[4]))
		out, b = append(out, b[:n]), b[n:]
	}
	return head, out
}

func TestRefusesTamperedStreams(t *testing.T) {
	s := seal.Ephemeral()
	b := sealed(t, s, "base/x/data", random(3*ChunkSize+10))
	head, fr := frames(b)
	if len(fr) != 4 {
		t.Fatalf("%d frames", len(fr))
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(append([][]byte{head}, parts...), nil) }
	flipped := bytes.Clone(fr[2])
	flipped[0] = flagFinal // claims to be the last chunk: the flag is authenticated
	cases := map[string][]byte{
		"cut after a chunk":   join(fr[0], fr[1]),
		"final chunk dropped": join(fr[0], fr[1], fr[2]),
		"chunks reordered":    join(fr[1], fr[0], fr[2], fr[3]),
		"flag flipped":        join(fr[0], fr[1], flipped),
		"data after the end":  append(bytes.Clone(b), 0),
		"cut inside a frame":  b[:len(b)-7],
		"no magic":            b[len(magic):],
	}
	for name, damaged := range cases {
		if _, err := open(s, "base/x/data", damaged); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReseal(t *testing.T) {
	from, to := seal.Ephemeral(), seal.Ephemeral()
	plain := random(2*ChunkSize + 77)
	b := sealed(t, from, "wal/000000010000000000000003", plain)
	var out bytes.Buffer
	n, err := Reseal(&out, bytes.NewReader(b), from, to, "wal/000000010000000000000003")
	if err != nil || n != int64(out.Len()) {
		t.Fatalf("Reseal: %d, %v (wrote %d)", n, err, out.Len())
	}
	if got, err := open(to, "wal/000000010000000000000003", out.Bytes()); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("resealed stream: %d bytes, %v", len(got), err)
	}
	if _, err := open(from, "wal/000000010000000000000003", out.Bytes()); !errors.Is(err, ErrDamaged) {
		t.Errorf("the old key still opens the copy: %v", err)
	}
	if _, err := Reseal(io.Discard, bytes.NewReader(b[:len(b)-3]), from, to, "wal/000000010000000000000003"); !errors.Is(err, ErrDamaged) {
		t.Errorf("Reseal of a truncated stream: %v", err)
	}
}
