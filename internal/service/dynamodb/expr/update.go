package expr

import (
	"cmp"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// Update is a parsed update expression (or the legacy AttributeUpdates).
type Update struct {
	sets    []setAction
	removes []Path
	adds    []setValueAction
	deletes []setValueAction
}

type setAction struct {
	path Path
	val  term
}

// setValueAction is an ADD or DELETE: a path and the value given for it.
type setValueAction struct {
	path Path
	v    attr.Value
}

// term is the value side of a SET action. Unlike a condition's operand it can fail: an
// attribute it needs is missing, or has a type the operation cannot use.
type term interface {
	compute(item attr.Item) (attr.Value, error)
}

func (o *pathOperand) compute(item attr.Item) (attr.Value, error) {
	v, ok := o.path.Resolve(item)
	if !ok {
		return attr.Value{}, msgNoSuchAttribute.New()
	}
	return v, nil
}

func (o *valueOperand) compute(attr.Item) (attr.Value, error) { return o.v, nil }

type ifNotExists struct {
	path Path
	alt  term
}

func (f *ifNotExists) compute(item attr.Item) (attr.Value, error) {
	if v, ok := f.path.Resolve(item); ok {
		return v, nil
	}
	return f.alt.compute(item)
}

type listAppend struct{ a, b term }

func (f *listAppend) compute(item attr.Item) (attr.Value, error) {
	a, err := f.a.compute(item)
	if err != nil {
		return attr.Value{}, err
	}
	b, err := f.b.compute(item)
	if err != nil {
		return attr.Value{}, err
	}
	if a.L == nil || b.L == nil {
		return attr.Value{}, msgWrongDataType.New()
	}
	return attr.Value{L: slices.Concat(a.L, b.L)}, nil
}

// arith is a + b or a - b, on numbers, exactly.
type arith struct {
	op   string
	a, b term
}

func (f *arith) compute(item attr.Item) (attr.Value, error) {
	a, err := f.a.compute(item)
	if err != nil {
		return attr.Value{}, err
	}
	b, err := f.b.compute(item)
	if err != nil {
		return attr.Value{}, err
	}
	if a.N == nil || b.N == nil {
		return attr.Value{}, msgWrongDataType.New()
	}
	y := attr.MustNumber(*b.N)
	if f.op == "-" {
		y = attr.Negate(y)
	}
	sum, err := attr.Add(attr.MustNumber(*a.N), y)
	if err != nil {
		return attr.Value{}, err
	}
	return attr.Value{N: new(sum.String())}, nil
}

// ParseUpdate parses an update expression with the names and values of ctx.
func ParseUpdate(src string, ctx *Context) (*Update, error) {
	p, err := newParser(KindUpdate, src, ctx)
	if err != nil {
		return nil, err
	}
	u := &Update{}
	seen := map[string]bool{}
	for p.peek().kind != tEOF {
		t := p.peek()
		section := strings.ToUpper(t.text)
		if t.kind != tIdent || !slices.Contains([]string{"SET", "REMOVE", "ADD", "DELETE"}, section) {
			return nil, p.syntaxError()
		}
		if seen[section] {
			p.later(msgSectionTwice.New(KindUpdate, section))
		}
		seen[section] = true
		p.next()
		if err := p.parseSection(u, section); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return u, u.checkPaths()
}

// parseSection reads the comma-separated actions of one section.
func (p *parser) parseSection(u *Update, section string) error {
	for {
		if err := p.parseAction(u, section); err != nil {
			return err
		}
		if !p.isPunct(",") {
			return nil
		}
		p.next()
	}
}

func (p *parser) parseAction(u *Update, section string) error {
	path, err := p.parsePath()
	if err != nil {
		return err
	}
	switch section {
	case "SET":
		if err := p.expectPunct("="); err != nil {
			return err
		}
		val, err := p.parseSetValue()
		if err != nil {
			return err
		}
		u.sets = append(u.sets, setAction{path: path, val: val})
	case "REMOVE":
		u.removes = append(u.removes, path)
	default:
		v, err := p.parseValueRef()
		if err != nil {
			return err
		}
		p.checkSetOperand(section, v.v)
		a := setValueAction{path: path, v: v.v}
		if section == "ADD" {
			u.adds = append(u.adds, a)
		} else {
			u.deletes = append(u.deletes, a)
		}
	}
	return nil
}

// checkSetOperand refuses an ADD of anything but a number or a set, and a DELETE of
// anything but a set, with AWS's names of the types.
func (p *parser) checkSetOperand(section string, v attr.Value) {
	t := attr.TypeOf(v)
	if t == "" {
		return // an undefined value, already reported
	}
	ok := t == attr.SS || t == attr.NS || t == attr.BS || section == "ADD" && t == attr.N
	if !ok {
		p.later(msgSetOperand.New(KindUpdate, section, humanType(t), "ALLOWED_FOR_"+section+"_OPERAND"))
	}
}

func humanType(t string) string {
	switch t {
	case attr.S:
		return "STRING"
	case attr.N:
		return "NUMBER"
	case attr.B:
		return "BINARY"
	case attr.BOOL:
		return "BOOLEAN"
	case attr.L:
		return "LIST"
	case attr.M:
		return "MAP"
	case attr.SS:
		return "STRING_SET"
	case attr.NS:
		return "NUMBER_SET"
	case attr.BS:
		return "BINARY_SET"
	}
	return t
}

// parseSetValue reads term, term + term or term - term.
func (p *parser) parseSetValue() (term, error) {
	a, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	if !p.isPunct("+") && !p.isPunct("-") {
		return a, nil
	}
	op := p.next().text
	b, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	p.checkTermType(op, attr.N, a, b)
	return &arith{op: op, a: a, b: b}, nil
}

// checkTermType refuses values given in place that the operator cannot use.
func (p *parser) checkTermType(op, want string, terms ...term) {
	for _, t := range terms {
		if v, ok := t.(*valueOperand); ok {
			if got := attr.TypeOf(v.v); got != "" && got != want {
				p.later(msgOperandType.New(p.kind, op, got))
			}
		}
	}
}

// parseTerm reads a path, :value, if_not_exists(path, value) or list_append(a, b).
func (p *parser) parseTerm() (term, error) {
	t := p.peek()
	switch {
	case t.kind == tValue:
		return p.parseValueRef()
	case p.isCall():
		return p.parseUpdateFunction()
	case t.kind == tIdent || t.kind == tName:
		path, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		return &pathOperand{path: path}, nil
	}
	return nil, p.syntaxError()
}

func (p *parser) parseUpdateFunction() (term, error) {
	name := p.peek().text
	if name != "if_not_exists" && name != "list_append" {
		return nil, p.functionError(name)
	}
	p.next()
	args, err := parseArgs(p, p.parseSetValue)
	if err != nil {
		return nil, err
	}
	if len(args) != 2 {
		p.later(msgOperandCount.New(p.kind, name, len(args)))
		return &valueOperand{}, nil
	}
	if name == "list_append" {
		p.checkTermType(name, attr.L, args...)
		return &listAppend{a: args[0], b: args[1]}, nil
	}
	path, ok := args[0].(*pathOperand)
	if !ok {
		p.later(msgNeedsPath.New(p.kind, name))
		return &valueOperand{}, nil
	}
	return &ifNotExists{path: path.path, alt: args[1]}, nil
}

// Paths returns every path the update changes, in the order written.
func (u *Update) Paths() []Path {
	var out []Path
	for _, s := range u.sets {
		out = append(out, s.path)
	}
	out = append(out, u.removes...)
	for _, a := range u.adds {
		out = append(out, a.path)
	}
	for _, d := range u.deletes {
		out = append(out, d.path)
	}
	return out
}

// checkPaths refuses two actions on overlapping paths.
func (u *Update) checkPaths() error {
	paths := u.Paths()
	for i, a := range paths {
		for _, b := range paths[i+1:] {
			switch {
			case a.prefixOf(b) || b.prefixOf(a):
				return msgPathsOverlap.New(KindUpdate, a.String(), b.String())
			case a.conflicts(b):
				return msgPathsConflict.New(KindUpdate, a.String(), b.String())
			}
		}
	}
	return nil
}

// Apply returns the item the update makes of item (nil for none), which it leaves
// unchanged. Every SET value is computed from item as it was, as DynamoDB does.
func (u *Update) Apply(item attr.Item) (attr.Item, error) {
	vals := make([]attr.Value, len(u.sets))
	for i, s := range u.sets {
		v, err := s.val.compute(item)
		if err != nil {
			return nil, err
		}
		vals[i] = attr.Clone(v)
	}
	out := attr.CloneItem(item)
	if out == nil {
		out = attr.Item{}
	}
	for i, s := range u.sets {
		if err := setPath(out, s.path, vals[i]); err != nil {
			return nil, err
		}
	}
	for _, p := range removalOrder(u.removes) {
		if err := removePath(out, p); err != nil {
			return nil, err
		}
	}
	for _, a := range u.adds {
		if err := addAt(out, a); err != nil {
			return nil, err
		}
	}
	for _, d := range u.deletes {
		if err := deleteAt(out, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// removalOrder sorts removals so that, within one list, higher indexes go first: every
// index names an element of the list as it was.
func removalOrder(paths []Path) []Path {
	out := slices.Clone(paths)
	slices.SortStableFunc(out, func(a, b Path) int {
		for i := 0; i < min(len(a), len(b)); i++ {
			if a[i] == b[i] {
				continue
			}
			if a[i].IsIndex && b[i].IsIndex {
				return cmp.Compare(b[i].Index, a[i].Index)
			}
			return 0
		}
		return 0
	})
	return out
}

// setPath puts v at p. Every container on the way must exist; an index past the end of
// a list appends.
func setPath(item attr.Item, p Path, v attr.Value) error {
	if len(p) == 1 {
		item[p.Top()] = v
		return nil
	}
	root, ok := item[p.Top()]
	if !ok {
		return msgPathInvalid.New()
	}
	nv, err := setIn(root, p[1:], v)
	if err != nil {
		return err
	}
	item[p.Top()] = nv
	return nil
}

func setIn(cur attr.Value, rest Path, v attr.Value) (attr.Value, error) {
	s := rest[0]
	last := len(rest) == 1
	if s.IsIndex {
		if cur.L == nil || !last && s.Index >= len(cur.L) {
			return cur, msgPathInvalid.New()
		}
		switch {
		case last && s.Index >= len(cur.L):
			cur.L = append(cur.L, v)
		case last:
			cur.L[s.Index] = v
		default:
			child, err := setIn(cur.L[s.Index], rest[1:], v)
			if err != nil {
				return cur, err
			}
			cur.L[s.Index] = child
		}
		return cur, nil
	}
	if cur.M == nil {
		return cur, msgPathInvalid.New()
	}
	if last {
		cur.M[s.Name] = v
		return cur, nil
	}
	child, ok := cur.M[s.Name]
	if !ok {
		return cur, msgPathInvalid.New()
	}
	child, err := setIn(child, rest[1:], v)
	if err != nil {
		return cur, err
	}
	cur.M[s.Name] = child
	return cur, nil
}

// removePath deletes what p names; nothing there is not an error, a missing container
// on the way is.
func removePath(item attr.Item, p Path) error {
	if len(p) == 1 {
		delete(item, p.Top())
		return nil
	}
	root, ok := item[p.Top()]
	if !ok {
		return nil
	}
	nv, err := removeIn(root, p[1:])
	if err != nil {
		return err
	}
	item[p.Top()] = nv
	return nil
}

func removeIn(cur attr.Value, rest Path) (attr.Value, error) {
	s := rest[0]
	last := len(rest) == 1
	if s.IsIndex {
		if cur.L == nil {
			return cur, msgPathInvalid.New()
		}
		if s.Index >= len(cur.L) {
			return cur, nil
		}
		if last {
			cur.L = slices.Delete(cur.L, s.Index, s.Index+1)
			return cur, nil
		}
		child, err := removeIn(cur.L[s.Index], rest[1:])
		cur.L[s.Index] = child
		return cur, err
	}
	if cur.M == nil {
		return cur, msgPathInvalid.New()
	}
	if last {
		delete(cur.M, s.Name)
		return cur, nil
	}
	child, ok := cur.M[s.Name]
	if !ok {
		return cur, nil
	}
	child, err := removeIn(child, rest[1:])
	cur.M[s.Name] = child
	return cur, err
}

// addAt is ADD: a number added to the number there, elements added to the set there,
// or the value itself where there is nothing.
func addAt(item attr.Item, a setValueAction) error {
	cur, ok := a.path.Resolve(item)
	if !ok {
		return setPath(item, a.path, a.v)
	}
	var out attr.Value
	switch {
	case cur.N != nil && a.v.N != nil:
		sum, err := attr.Add(attr.MustNumber(*cur.N), attr.MustNumber(*a.v.N))
		if err != nil {
			return err
		}
		out = attr.Value{N: new(sum.String())}
	case cur.SS != nil && a.v.SS != nil:
		out = attr.Value{SS: union(cur.SS, a.v.SS, func(s string) string { return s })}
	case cur.NS != nil && a.v.NS != nil:
		out = attr.Value{NS: union(cur.NS, a.v.NS, canonNumber)}
	case cur.BS != nil && a.v.BS != nil:
		out = attr.Value{BS: union(cur.BS, a.v.BS, func(b []byte) string { return string(b) })}
	default:
		return msgWrongDataType.New()
	}
	return setPath(item, a.path, out)
}

// deleteAt is DELETE: elements taken out of the set there; a set left empty goes.
func deleteAt(item attr.Item, d setValueAction) error {
	cur, ok := d.path.Resolve(item)
	if !ok {
		return nil
	}
	var out attr.Value
	var n int
	switch {
	case cur.SS != nil && d.v.SS != nil:
		out.SS = minus(cur.SS, d.v.SS, func(s string) string { return s })
		n = len(out.SS)
	case cur.NS != nil && d.v.NS != nil:
		out.NS = minus(cur.NS, d.v.NS, canonNumber)
		n = len(out.NS)
	case cur.BS != nil && d.v.BS != nil:
		out.BS = minus(cur.BS, d.v.BS, func(b []byte) string { return string(b) })
		n = len(out.BS)
	default:
		return msgWrongDataType.New()
	}
	if n == 0 {
		return removePath(item, d.path)
	}
	return setPath(item, d.path, out)
}

func canonNumber(s string) string { return attr.MustNumber(s).String() }

func union[T any](a, b []T, key func(T) string) []T {
	seen := map[string]bool{}
	out := slices.Clone(a)
	for _, e := range a {
		seen[key(e)] = true
	}
	for _, e := range b {
		if !seen[key(e)] {
			seen[key(e)] = true
			out = append(out, e)
		}
	}
	return out
}

func minus[T any](a, b []T, key func(T) string) []T {
	drop := map[string]bool{}
	for _, e := range b {
		drop[key(e)] = true
	}
	var out []T
	for _, e := range a {
		if !drop[key(e)] {
			out = append(out, e)
		}
	}
	return out
}
