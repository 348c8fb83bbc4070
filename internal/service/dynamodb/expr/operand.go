package expr

import (
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// operand is what a condition compares: a path, a value or size(path).
type operand interface {
	// value returns the operand's value for item, and false when it has none (a path
	// to nothing, the size of nothing or of a type without one).
	value(item attr.Item) (attr.Value, bool)
}

type pathOperand struct{ path Path }

func (o *pathOperand) value(item attr.Item) (attr.Value, bool) { return o.path.Resolve(item) }

type valueOperand struct {
	ref string
	v   attr.Value
}

func (o *valueOperand) value(attr.Item) (attr.Value, bool) { return o.v, true }

// sizeOperand is size(path): a string's length in UTF-8 bytes (the developer guide: "a
// number representing an attribute's size in bytes"), a binary's length, the number
// of elements of a set, list or map. A number, boolean or null has no size, so a
// comparison with it is false rather than an error: one odd item must not fail a scan.
type sizeOperand struct{ path Path }

func (o *sizeOperand) value(item attr.Item) (attr.Value, bool) {
	v, ok := o.path.Resolve(item)
	if !ok {
		return attr.Value{}, false
	}
	n, ok := sizeOf(v)
	if !ok {
		return attr.Value{}, false
	}
	return numberValue(n), true
}

func sizeOf(v attr.Value) (int, bool) {
	switch attr.TypeOf(v) {
	case attr.S:
		return len(*v.S), true
	case attr.B:
		return len(v.B), true
	case attr.SS:
		return len(v.SS), true
	case attr.NS:
		return len(v.NS), true
	case attr.BS:
		return len(v.BS), true
	case attr.L:
		return len(v.L), true
	case attr.M:
		return len(v.M), true
	}
	return 0, false
}

func numberValue(n int) attr.Value {
	return attr.Value{N: new(attr.MustNumber(itoa(n)).String())}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// parseOperand reads an operand of a condition: a path, :value or size(path).
func (p *parser) parseOperand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == tValue:
		return p.parseValueRef()
	case p.isCall():
		if t.text != "size" {
			return nil, p.functionError(t.text)
		}
		p.next()
		args, err := parseArgs(p, p.parseOperand)
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			p.later(msgOperandCount.New(p.kind, "size", len(args)))
			return &sizeOperand{path: Path{{Name: "?"}}}, nil
		}
		path, ok := args[0].(*pathOperand)
		if !ok {
			p.later(msgNeedsPath.New(p.kind, "size"))
			return &sizeOperand{path: Path{{Name: "?"}}}, nil
		}
		return &sizeOperand{path: path.path}, nil
	case t.kind == tIdent || t.kind == tName:
		path, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		return &pathOperand{path: path}, nil
	}
	return nil, p.syntaxError()
}

// functionError is the problem with calling name where an operand (or a condition) was
// wanted: a function of another place, or no function at all. It consumes nothing; the
// caller stops.
func (p *parser) functionError(name string) error {
	switch name {
	case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
		"if_not_exists", "list_append":
		return msgFunctionUse.New(p.kind, name)
	}
	return msgBadFunction.New(p.kind, name)
}
