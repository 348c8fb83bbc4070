package port_test

import (
	"strconv"
	"testing"

	"github.com/xregion/xregion/internal/service/port"
)

// volume describes size bytes in 10-byte blocks whose digests are the versions given.
func volume(size int64, versions ...string) port.Blocks {
	return port.NewBlocks(size, 10, func(i int) uint64 { return port.DigestOf("vol", strconv.Itoa(i), versions[i]) })
}

func TestBlocksMissing(t *testing.T) {
	first := volume(35, "a", "a", "a", "a")
	if first.Count() != 4 || first.Size != 35 {
		t.Fatalf("blocks %+v", first)
	}
	if n := first.Missing(nil); n != 35 {
		t.Errorf("a first copy moves %d bytes, want all 35", n)
	}
	second := volume(35, "a", "b", "a", "b") // blocks 1 and 3 (the short one) changed
	if n := second.Missing(port.SetOf(first)); n != 15 {
		t.Errorf("an incremental copy moves %d bytes, want 15", n)
	}
	if n := second.Missing(port.SetOf(first, second)); n != 0 {
		t.Errorf("a copy of what is held moves %d bytes", n)
	}
	// Equal blocks are moved once.
	same := port.NewBlocks(30, 10, func(int) uint64 { return 7 })
	if n := same.Missing(port.BlockSet{}); n != 10 {
		t.Errorf("three equal blocks move %d bytes, want 10", n)
	}
	if empty := port.NewBlocks(0, 10, nil); empty.Count() != 0 || empty.Missing(nil) != 0 {
		t.Errorf("no data: %+v", empty)
	}
}

func TestDigestOfSeparatesParts(t *testing.T) {
	if port.DigestOf("ab", "c") == port.DigestOf("a", "bc") {
		t.Error("the parts of a digest run together")
	}
}
