package expr

import (
	"bytes"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// Cond is a parsed condition: a condition, filter or key condition expression.
type Cond interface {
	// Eval reports whether item satisfies the condition. An absent item is nil.
	Eval(item attr.Item) bool
}

// maxInOperands is how many values IN may list.
const maxInOperands = 100

// ParseCondition parses a condition or filter expression (kind says which, for the
// messages) with the names and values of ctx.
func ParseCondition(kind, src string, ctx *Context) (Cond, error) {
	p, err := newParser(kind, src, ctx)
	if err != nil {
		return nil, err
	}
	c, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

type (
	orCond    struct{ a, b Cond }
	andCond   struct{ a, b Cond }
	notCond   struct{ c Cond }
	parenCond struct{ c Cond }
	// compareCond is a comparison: = <> < <= > >=.
	compareCond struct {
		op   string
		a, b operand
	}
	betweenCond struct{ v, lo, hi operand }
	inCond      struct {
		v    operand
		list []operand
	}
	// existsCond is attribute_exists (want true) or attribute_not_exists.
	existsCond struct {
		path Path
		want bool
	}
	typeCond       struct{ a, typ operand }
	beginsWithCond struct{ a, b operand }
	containsCond   struct{ a, b operand }
)

func (c *orCond) Eval(it attr.Item) bool    { return c.a.Eval(it) || c.b.Eval(it) }
func (c *andCond) Eval(it attr.Item) bool   { return c.a.Eval(it) && c.b.Eval(it) }
func (c *notCond) Eval(it attr.Item) bool   { return !c.c.Eval(it) }
func (c *parenCond) Eval(it attr.Item) bool { return c.c.Eval(it) }

func (p *parser) parseOr() (Cond, error) {
	c, err := p.parseAnd()
	for err == nil && p.isKeyword("OR") {
		p.next()
		var rhs Cond
		if rhs, err = p.parseAnd(); err == nil {
			c = &orCond{a: c, b: rhs}
		}
	}
	return c, err
}

func (p *parser) parseAnd() (Cond, error) {
	c, err := p.parseNot()
	for err == nil && p.isKeyword("AND") {
		p.next()
		var rhs Cond
		if rhs, err = p.parseNot(); err == nil {
			c = &andCond{a: c, b: rhs}
		}
	}
	return c, err
}

func (p *parser) parseNot() (Cond, error) {
	if p.isKeyword("NOT") {
		p.next()
		c, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &notCond{c: c}, nil
	}
	return p.parsePrimary()
}

// parsePrimary reads a parenthesised condition, a function or a comparison.
func (p *parser) parsePrimary() (Cond, error) {
	if p.isPunct("(") {
		p.next()
		c, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if _, twice := c.(*parenCond); twice {
			p.later(msgRedundantParen.New(p.kind))
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return &parenCond{c: c}, nil
	}
	if p.isCall() && p.peek().text != "size" {
		return p.parseFunction()
	}
	a, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	return p.parseComparison(a)
}

// parseComparison reads what follows the left operand a of a comparison.
func (p *parser) parseComparison(a operand) (Cond, error) {
	t := p.peek()
	switch {
	case t.kind == tPunct && isComparator(t.text):
		p.next()
		b, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		return &compareCond{op: t.text, a: a, b: b}, nil
	case p.isKeyword("BETWEEN"):
		return p.parseBetween(a)
	case p.isKeyword("IN"):
		p.next()
		list, err := parseArgs(p, p.parseOperand)
		if err != nil {
			return nil, err
		}
		if len(list) > maxInOperands {
			p.later(msgTooManyIn.New(p.kind))
		}
		return &inCond{v: a, list: list}, nil
	}
	return nil, p.syntaxError()
}

func isComparator(s string) bool {
	switch s {
	case "=", "<>", "<", "<=", ">", ">=":
		return true
	}
	return false
}

func (p *parser) parseBetween(v operand) (Cond, error) {
	p.next()
	lo, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if !p.isKeyword("AND") {
		return nil, p.syntaxError()
	}
	p.next()
	hi, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	// Bounds given as values are checked now: an empty range is a mistake.
	lv, lok := lo.(*valueOperand)
	hv, hok := hi.(*valueOperand)
	if lok && hok {
		if c, ok := attr.Compare(lv.v, hv.v); ok && c > 0 {
			p.later(msgBetweenOrder.New(p.kind, showValue(lv.v), showValue(hv.v)))
		}
	}
	return &betweenCond{v: v, lo: lo, hi: hi}, nil
}

// parseFunction reads a function that is a condition.
func (p *parser) parseFunction() (Cond, error) {
	name := p.peek().text
	switch name {
	case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains":
	default:
		return nil, p.functionError(name)
	}
	p.next()
	args, err := parseArgs(p, p.parseOperand)
	if err != nil {
		return nil, err
	}
	want := 2
	if name == "attribute_exists" || name == "attribute_not_exists" {
		want = 1
	}
	if len(args) != want {
		p.later(msgOperandCount.New(p.kind, name, len(args)))
		return &existsCond{path: Path{{Name: "?"}}}, nil
	}
	return p.functionCond(name, args)
}

func (p *parser) functionCond(name string, args []operand) (Cond, error) {
	switch name {
	case "attribute_exists", "attribute_not_exists":
		path, ok := args[0].(*pathOperand)
		if !ok {
			p.later(msgNeedsPath.New(p.kind, name))
			return &existsCond{path: Path{{Name: "?"}}}, nil
		}
		return &existsCond{path: path.path, want: name == "attribute_exists"}, nil
	case "attribute_type":
		if _, ok := args[0].(*pathOperand); !ok {
			p.later(msgNeedsPath.New(p.kind, name))
		}
		if v, ok := args[1].(*valueOperand); ok && v.v.S != nil && !slices.Contains(attr.Types, *v.v.S) {
			p.later(msgBadTypeName.New(p.kind, *v.v.S))
		}
		return &typeCond{a: args[0], typ: args[1]}, nil
	case "begins_with":
		p.checkOperandTypes(name, args, attr.S, attr.B)
		return &beginsWithCond{a: args[0], b: args[1]}, nil
	}
	return &containsCond{a: args[0], b: args[1]}, nil
}

// checkOperandTypes refuses values given in place whose type the function cannot use.
func (p *parser) checkOperandTypes(fn string, args []operand, types ...string) {
	for _, a := range args {
		if v, ok := a.(*valueOperand); ok {
			if t := attr.TypeOf(v.v); t != "" && !slices.Contains(types, t) {
				p.later(msgOperandType.New(p.kind, fn, t))
			}
		}
	}
}

func (c *compareCond) Eval(it attr.Item) bool {
	a, aok := c.a.value(it)
	b, bok := c.b.value(it)
	if c.op == "<>" {
		// A missing operand equals nothing, so it is "not equal" to anything.
		return !aok || !bok || !attr.Equal(a, b)
	}
	if !aok || !bok {
		return false
	}
	if c.op == "=" {
		return attr.Equal(a, b)
	}
	cmp, ok := attr.Compare(a, b)
	if !ok {
		return false
	}
	switch c.op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	}
	return cmp >= 0
}

func (c *betweenCond) Eval(it attr.Item) bool {
	v, ok := c.v.value(it)
	lo, lok := c.lo.value(it)
	hi, hok := c.hi.value(it)
	if !ok || !lok || !hok {
		return false
	}
	c1, ok1 := attr.Compare(lo, v)
	c2, ok2 := attr.Compare(v, hi)
	return ok1 && ok2 && c1 <= 0 && c2 <= 0
}

func (c *inCond) Eval(it attr.Item) bool {
	v, ok := c.v.value(it)
	if !ok {
		return false
	}
	for _, o := range c.list {
		if w, ok := o.value(it); ok && attr.Equal(v, w) {
			return true
		}
	}
	return false
}

func (c *existsCond) Eval(it attr.Item) bool {
	_, ok := c.path.Resolve(it)
	return ok == c.want
}

func (c *typeCond) Eval(it attr.Item) bool {
	v, ok := c.a.value(it)
	t, tok := c.typ.value(it)
	return ok && tok && t.S != nil && attr.TypeOf(v) == *t.S
}

func (c *beginsWithCond) Eval(it attr.Item) bool {
	a, aok := c.a.value(it)
	b, bok := c.b.value(it)
	if !aok || !bok {
		return false
	}
	switch {
	case a.S != nil && b.S != nil:
		return strings.HasPrefix(*a.S, *b.S)
	case a.B != nil && b.B != nil:
		return bytes.HasPrefix(a.B, b.B)
	}
	return false
}

// Eval of contains: a substring of a string, a sub-slice of a binary, an element of a
// set (of the element's type) or of a list.
func (c *containsCond) Eval(it attr.Item) bool {
	a, aok := c.a.value(it)
	b, bok := c.b.value(it)
	if !aok || !bok {
		return false
	}
	switch attr.TypeOf(a) {
	case attr.S:
		return b.S != nil && strings.Contains(*a.S, *b.S)
	case attr.B:
		return b.B != nil && bytes.Contains(a.B, b.B)
	case attr.SS:
		return b.S != nil && slices.Contains(a.SS, *b.S)
	case attr.NS:
		return b.N != nil && slices.ContainsFunc(a.NS, func(n string) bool {
			return attr.CompareNumbers(attr.MustNumber(n), attr.MustNumber(*b.N)) == 0
		})
	case attr.BS:
		return b.B != nil && slices.ContainsFunc(a.BS, func(x []byte) bool { return bytes.Equal(x, b.B) })
	case attr.L:
		return slices.ContainsFunc(a.L, func(e attr.Value) bool { return attr.Equal(e, b) })
	}
	return false
}
