package attr

import (
	"math/big"
	"strings"
)

// Number is a DynamoDB number: an exact decimal of at most 38 significant digits, with a
// magnitude between 1E-130 and 9.9999999999999999999999999999999999999E+125. It is held
// normalised — value = 0.digits × 10^exp, digits without leading or trailing zeros
// ("" for zero) — so that equal numbers have equal forms ("1.50", "15E-1" and "1.5" are
// one number) and comparing them needs no arithmetic.
type Number struct {
	neg    bool
	digits string
	exp    int
}

// Limits of DynamoDB numbers.
const (
	maxDigits = 38
	maxExp    = 126  // 0.999…×10^126 is the largest magnitude
	minExp    = -129 // 0.1×10^-129 = 1E-130 is the smallest
)

// ParseNumber reads a number as DynamoDB accepts it: an optional sign, digits with an
// optional fraction, an optional exponent. It answers DynamoDB's validation errors for
// text that is not a number and for numbers out of range or too precise.
func ParseNumber(s string) (Number, error) {
	n, ok := scanNumber(s)
	if !ok {
		return Number{}, msgNotANumber.New()
	}
	return n, n.check()
}

// scanNumber parses s without checking DynamoDB's limits.
func scanNumber(s string) (Number, bool) {
	var n Number
	if s != "" && (s[0] == '+' || s[0] == '-') {
		n.neg = s[0] == '-'
		s = s[1:]
	}
	mantissa, exponent, hasExp := strings.Cut(s, "e")
	if !hasExp {
		mantissa, exponent, hasExp = strings.Cut(s, "E")
	}
	intPart, frac, _ := strings.Cut(mantissa, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return Number{}, false
	}
	exp := 0
	if hasExp {
		e, ok := parseExponent(exponent)
		if !ok {
			return Number{}, false
		}
		exp = e
	}
	all := intPart + frac
	lead := len(all) - len(strings.TrimLeft(all, "0"))
	digits := strings.TrimRight(all[lead:], "0")
	if digits == "" {
		return Number{}, true // zero, of either sign
	}
	n.digits = digits
	n.exp = exp + len(intPart) - lead
	return n, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseExponent reads a signed exponent; absurd exponents are refused as not numbers
// rather than overflowing an int.
func parseExponent(s string) (int, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 9 || !allDigits(s) {
		return 0, false
	}
	e := 0
	for i := 0; i < len(s); i++ {
		e = e*10 + int(s[i]-'0')
	}
	if neg {
		e = -e
	}
	return e, true
}

// check enforces DynamoDB's precision and range.
func (n Number) check() error {
	switch {
	case n.digits == "":
		return nil
	case len(n.digits) > maxDigits:
		return msgTooPrecise.New()
	case n.exp > maxExp:
		return msgNumberOverflow.New()
	case n.exp < minExp:
		return msgNumberUnder.New()
	}
	return nil
}

// IsZero reports whether n is zero.
func (n Number) IsZero() bool { return n.digits == "" }

// String is the canonical text of n, as DynamoDB answers numbers: plain notation, no
// exponent, no leading or trailing zeros.
func (n Number) String() string {
	if n.digits == "" {
		return "0"
	}
	var b strings.Builder
	if n.neg {
		b.WriteByte('-')
	}
	switch {
	case n.exp <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n.exp))
		b.WriteString(n.digits)
	case n.exp >= len(n.digits):
		b.WriteString(n.digits)
		b.WriteString(strings.Repeat("0", n.exp-len(n.digits)))
	default:
		b.WriteString(n.digits[:n.exp])
		b.WriteByte('.')
		b.WriteString(n.digits[n.exp:])
	}
	return b.String()
}

// CompareNumbers orders two numbers by value.
func CompareNumbers(a, b Number) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb {
		return cmpInt(sa, sb)
	}
	if sa == 0 {
		return 0
	}
	c := cmpInt(a.exp, b.exp)
	if c == 0 {
		// Same magnitude: digits compare as decimal fractions, which is string order
		// (a prefix is the smaller, since neither has trailing zeros).
		c = strings.Compare(a.digits, b.digits)
	}
	return c * sa
}

func (n Number) sign() int {
	switch {
	case n.digits == "":
		return 0
	case n.neg:
		return -1
	}
	return 1
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Add returns a+b exactly, or DynamoDB's error when the sum does not fit a number.
func Add(a, b Number) (Number, error) {
	if a.digits == "" {
		return b, nil
	}
	if b.digits == "" {
		return a, nil
	}
	ca, ea := a.coefficient()
	cb, eb := b.coefficient()
	scale := min(ea, eb)
	ca.Mul(ca, pow10(ea-scale))
	cb.Mul(cb, pow10(eb-scale))
	sum := ca.Add(ca, cb)
	n := fromCoefficient(sum, scale)
	return n, n.check()
}

// Negate returns -n.
func Negate(n Number) Number {
	if n.digits != "" {
		n.neg = !n.neg
	}
	return n
}

// coefficient returns n as an integer c and a scale e with n = c × 10^e.
func (n Number) coefficient() (*big.Int, int) {
	c, _ := new(big.Int).SetString(n.digits, 10)
	if n.neg {
		c.Neg(c)
	}
	return c, n.exp - len(n.digits)
}

func fromCoefficient(c *big.Int, scale int) Number {
	if c.Sign() == 0 {
		return Number{}
	}
	text := c.String()
	neg := text[0] == '-'
	if neg {
		text = text[1:]
	}
	digits := strings.TrimRight(text, "0")
	return Number{neg: neg, digits: digits, exp: scale + len(text)}
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// CanonicalNumber returns the canonical text of a number DynamoDB would store, or false
// when s is not one.
func CanonicalNumber(s string) (string, bool) {
	n, ok := scanNumber(s)
	if !ok || n.check() != nil {
		return "", false
	}
	return n.String(), true
}

// MustNumber parses a number already checked (one read from the store); a malformed one
// reads as zero.
func MustNumber(s string) Number {
	n, _ := scanNumber(s)
	return n
}

// significantDigits is the number of significant digits of n, for its stored size.
func (n Number) significantDigits() int { return len(n.digits) }
