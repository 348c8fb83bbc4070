package attr

// MaxItemSize is the largest item DynamoDB stores: 400 KB, names included.
const MaxItemSize = 400 * 1024

// ItemSize is an item's size as DynamoDB counts it against the 400 KB limit and for
// capacity units: each attribute's name in UTF-8 bytes plus its value's size.
func ItemSize(it Item) int {
	n := 0
	for name, v := range it {
		n += len(name) + Size(v)
	}
	return n
}

// Size is a value's size as DynamoDB documents it: strings and binaries by their bytes,
// a number one byte per two significant digits plus one, booleans and nulls one byte,
// sets the sum of their elements, lists and maps three bytes of overhead plus one byte
// per element and the elements (with a map's names).
func Size(v Value) int {
	switch TypeOf(v) {
	case S:
		return len(*v.S)
	case N:
		return numberSize(*v.N)
	case B:
		return len(v.B)
	case NULL, BOOL:
		return 1
	case SS:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, s := range v.NS {
			n += numberSize(s)
		}
		return n
	case BS:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case L:
		n := 3
		for _, e := range v.L {
			n += 1 + Size(e)
		}
		return n
	case M:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + Size(e)
		}
		return n
	}
	return 0
}

func numberSize(s string) int {
	return (MustNumber(s).significantDigits()+1)/2 + 1
}
