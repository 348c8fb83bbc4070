package expr

// tokKind is the kind of a token.
type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // a word: a name, a keyword or a function
	tNumber         // digits, in a list index
	tName           // #name
	tValue          // :value
	tPunct          // = <> < <= > >= ( ) [ ] , . + -
	tBad            // a character the language has no use for
)

// token is one token and where it lies in the text.
type token struct {
	kind       tokKind
	text       string
	start, end int
}

// lex splits an expression into tokens, whitespace dropped; the last token is tEOF.
// Characters the language has no use for become tBad tokens, which the parser reports
// as syntax errors where it meets them (as AWS does).
func lex(src string) []token {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isWordChar(c):
			j := wordEnd(src, i)
			kind := tIdent
			if allDigitsText(src[i:j]) {
				kind = tNumber
			}
			out = append(out, token{kind: kind, text: src[i:j], start: i, end: j})
			i = j
			continue
		case (c == '#' || c == ':') && i+1 < len(src) && isWordChar(src[i+1]):
			j := wordEnd(src, i+1)
			kind := tName
			if c == ':' {
				kind = tValue
			}
			out = append(out, token{kind: kind, text: src[i:j], start: i, end: j})
			i = j
			continue
		}
		if n := punctLen(src[i:]); n > 0 {
			out = append(out, token{kind: tPunct, text: src[i : i+n], start: i, end: i + n})
			i += n
			continue
		}
		n := runeLen(src[i:])
		out = append(out, token{kind: tBad, text: src[i : i+n], start: i, end: i + n})
		i += n
	}
	return append(out, token{kind: tEOF, text: "<EOF>", start: len(src), end: len(src)})
}

func isWordChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func wordEnd(src string, i int) int {
	for i < len(src) && isWordChar(src[i]) {
		i++
	}
	return i
}

func allDigitsText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func punctLen(s string) int {
	if len(s) >= 2 {
		switch s[:2] {
		case "<>", "<=", ">=":
			return 2
		}
	}
	switch s[0] {
	case '=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-':
		return 1
	}
	return 0
}

func runeLen(s string) int {
	for n := 1; n < len(s); n++ {
		if s[n]&0xC0 != 0x80 {
			return n
		}
	}
	return len(s)
}
