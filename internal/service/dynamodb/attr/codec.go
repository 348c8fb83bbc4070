package attr

import (
	"encoding/binary"
	"errors"
	"slices"
)

// The stored form of an item: a compact binary encoding, faster to write and read than
// JSON and without its escaping. Callers seal it; it is never stored as it is.
//
//	item  = uvarint(count) { string(name) value }
//	value = tag payload
//
// with strings and binaries as uvarint(length) bytes. Names are written in sorted order,
// so that equal items encode equally.

const (
	tagS byte = iota + 1
	tagN
	tagB
	tagSS
	tagNS
	tagBS
	tagM
	tagL
	tagNULL
	tagTrue
	tagFalse
)

var errCorrupt = errors.New("attr: corrupt stored item")

// AppendItem appends the encoding of it to b.
func AppendItem(b []byte, it Item) []byte {
	b = binary.AppendUvarint(b, uint64(len(it)))
	for _, name := range SortedNames(it) {
		b = appendString(b, name)
		b = appendValue(b, it[name])
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendValue(b []byte, v Value) []byte {
	switch TypeOf(v) {
	case S:
		return appendString(append(b, tagS), *v.S)
	case N:
		return appendString(append(b, tagN), *v.N)
	case B:
		return appendBytes(append(b, tagB), v.B)
	case SS:
		return appendStrings(append(b, tagSS), v.SS)
	case NS:
		return appendStrings(append(b, tagNS), v.NS)
	case BS:
		b = binary.AppendUvarint(append(b, tagBS), uint64(len(v.BS)))
		for _, e := range v.BS {
			b = appendBytes(b, e)
		}
		return b
	case M:
		return AppendItem(append(b, tagM), v.M)
	case L:
		b = binary.AppendUvarint(append(b, tagL), uint64(len(v.L)))
		for _, e := range v.L {
			b = appendValue(b, e)
		}
		return b
	case NULL:
		return append(b, tagNULL)
	case BOOL:
		if *v.BOOL {
			return append(b, tagTrue)
		}
		return append(b, tagFalse)
	}
	return append(b, tagNULL)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// DecodeItem decodes an encoding made by AppendItem. The item owns its memory.
func DecodeItem(b []byte) (Item, error) {
	d := decoder{b: b}
	it := d.item(0)
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	return it, d.err
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err = errCorrupt }

func (d *decoder) count() int {
	if d.err != nil {
		return 0
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)) { // every element takes at least a byte
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.count()
	if d.err != nil || n > len(d.b) {
		d.fail()
		return nil
	}
	out := slices.Clone(d.b[:n])
	if out == nil {
		out = []byte{}
	}
	d.b = d.b[n:]
	return out
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) item(depth int) Item {
	n := d.count()
	it := make(Item, n)
	for i := 0; i < n && d.err == nil; i++ {
		name := d.str()
		it[name] = d.value(depth)
	}
	return it
}

func (d *decoder) value(depth int) Value {
	if d.err != nil || len(d.b) == 0 || depth > maxDepth+1 {
		d.fail()
		return Value{}
	}
	tag := d.b[0]
	d.b = d.b[1:]
	switch tag {
	case tagS:
		return Value{S: new(d.str())}
	case tagN:
		return Value{N: new(d.str())}
	case tagB:
		return Value{B: d.bytes()}
	case tagSS:
		return Value{SS: d.strings()}
	case tagNS:
		return Value{NS: d.strings()}
	case tagBS:
		n := d.count()
		out := make([][]byte, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			out = append(out, d.bytes())
		}
		return Value{BS: out}
	case tagM:
		return Value{M: d.item(depth + 1)}
	case tagL:
		n := d.count()
		out := make([]Value, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			out = append(out, d.value(depth+1))
		}
		return Value{L: out}
	case tagNULL:
		return Value{NULL: new(true)}
	case tagTrue:
		return Value{BOOL: new(true)}
	case tagFalse:
		return Value{BOOL: new(false)}
	}
	d.fail()
	return Value{}
}

func (d *decoder) strings() []string {
	n := d.count()
	out := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.str())
	}
	return out
}
