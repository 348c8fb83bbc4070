package expr

import (
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// parser reads one expression of one kind. Syntax errors stop it at once; other
// problems (reserved words, undefined names and values, misused functions) are kept
// until the whole expression has parsed, since AWS reports a syntax error first.
type parser struct {
	kind     string
	src      string
	toks     []token
	pos      int
	ctx      *Context
	deferred error
}

func newParser(kind, src string, ctx *Context) (*parser, error) {
	if strings.TrimSpace(src) == "" {
		return nil, msgEmpty.New(kind)
	}
	return &parser{kind: kind, src: src, toks: lex(src), ctx: ctx}, nil
}

func (p *parser) peek() token        { return p.toks[p.pos] }
func (p *parser) peekAt(n int) token { return p.toks[min(p.pos+n, len(p.toks)-1)] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// isPunct reports whether the current token is the punctuation s.
func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

// isKeyword reports whether the current token is the keyword w, in any case.
func (p *parser) isKeyword(w string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, w)
}

func (p *parser) expectPunct(s string) error {
	if !p.isPunct(s) {
		return p.syntaxError()
	}
	p.next()
	return nil
}

// syntaxError reports the current token with the text around it, as AWS does: from the
// token before it to the token after it.
func (p *parser) syntaxError() error {
	cur := p.peek()
	from := cur.start
	if p.pos > 0 {
		from = p.toks[p.pos-1].start
	}
	to := cur.end
	if cur.kind != tEOF {
		to = p.peekAt(1).end
	}
	if cur.kind == tEOF {
		to = len(p.src)
	}
	return msgSyntax.New(p.kind, cur.text, p.src[from:to])
}

// later keeps the first problem that is not a syntax error.
func (p *parser) later(err error) {
	if p.deferred == nil {
		p.deferred = err
	}
}

// finish checks that the whole text was read and returns the first deferred problem.
func (p *parser) finish() error {
	if p.peek().kind != tEOF {
		return p.syntaxError()
	}
	return p.deferred
}

// parsePath reads a document path.
func (p *parser) parsePath() (Path, error) {
	first, err := p.pathName()
	if err != nil {
		return nil, err
	}
	path := Path{first}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			s, err := p.pathName()
			if err != nil {
				return nil, err
			}
			path = append(path, s)
		case p.isPunct("["):
			p.next()
			t := p.peek()
			if t.kind != tNumber {
				return nil, p.syntaxError()
			}
			n, err := strconv.Atoi(t.text)
			if err != nil {
				p.later(msgIndexTooLarge.New(p.kind, t.text))
			}
			p.next()
			if err := p.expectPunct("]"); err != nil {
				return nil, err
			}
			path = append(path, Step{Index: n, IsIndex: true})
		default:
			return path, nil
		}
	}
}

// pathName reads one name of a path: an identifier or #name.
func (p *parser) pathName() (Step, error) {
	t := p.peek()
	switch t.kind {
	case tIdent:
		if t.text[0] >= '0' && t.text[0] <= '9' {
			return Step{}, p.syntaxError()
		}
		p.next()
		if isReserved(t.text) {
			p.later(msgReserved.New(p.kind, t.text))
		}
		return Step{Name: t.text}, nil
	case tName:
		p.next()
		name, err := p.ctx.name(p.kind, t.text)
		if err != nil {
			p.later(err)
		}
		return Step{Name: name}, nil
	}
	return Step{}, p.syntaxError()
}

// parseValueRef reads :value.
func (p *parser) parseValueRef() (*valueOperand, error) {
	t := p.peek()
	if t.kind != tValue {
		return nil, p.syntaxError()
	}
	p.next()
	v, err := p.ctx.value(p.kind, t.text)
	if err != nil {
		p.later(err)
	}
	return &valueOperand{ref: t.text, v: v}, nil
}

// isCall reports whether the current token starts a function call.
func (p *parser) isCall() bool {
	return p.peek().kind == tIdent && p.peekAt(1).kind == tPunct && p.peekAt(1).text == "("
}

// parseArgs reads a parenthesised, comma-separated list of arguments with arg.
func parseArgs[T any](p *parser, arg func() (T, error)) ([]T, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []T
	for {
		a, err := arg()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		if p.isPunct(",") {
			p.next()
			continue
		}
		return out, p.expectPunct(")")
	}
}

// showValue shows a scalar value as AWS's messages do: {N:5}.
func showValue(v attr.Value) string {
	t := attr.TypeOf(v)
	switch t {
	case attr.S:
		return "S:" + *v.S
	case attr.N:
		return "N:" + *v.N
	case attr.B:
		return "B:" + string(v.B)
	}
	return t
}
