package attr

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
)

func str(v string) Value { return Value{S: &v} }
func num(v string) Value { return Value{N: &v} }

func wantMsg(t *testing.T, err error, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", text)
	}
	if e := awserr.As(err); e.Code != "ValidationException" || e.Message != text {
		t.Fatalf("%s: %q, want %q", e.Code, e.Message, text)
	}
}

func TestParseNumberCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "-0": "0", "000": "0", "0.000": "0", "1": "1", "01": "1", "1.50": "1.5", "+7": "7",
		"-12.340": "-12.34", ".5": "0.5", "5.": "5", "1e3": "1000", "1E+3": "1000", "15E-1": "1.5",
		"0.0001": "0.0001", "1e-10": "0.0000000001", "-1.5e2": "-150", "123456789012345678901234567890.12345678": "123456789012345678901234567890.12345678",
		"9.9999999999999999999999999999999999999E+125": "99999999999999999999999999999999999999" + strings.Repeat("0", 88),
		"1E-130": "0." + strings.Repeat("0", 129) + "1",
	} {
		n, err := ParseNumber(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := n.String(); got != want {
			t.Errorf("%q = %q, want %q", in, got, want)
		}
	}
}

func TestParseNumberRefusals(t *testing.T) {
	for in, msg := range map[string]string{
		"": "A value provided cannot be converted into a number", "abc": "A value provided cannot be converted into a number",
		"1.2.3": "A value provided cannot be converted into a number", "1e": "A value provided cannot be converted into a number",
		" 1": "A value provided cannot be converted into a number", "NaN": "A value provided cannot be converted into a number",
		"Infinity": "A value provided cannot be converted into a number", "0x10": "A value provided cannot be converted into a number",
		"-": "A value provided cannot be converted into a number", ".": "A value provided cannot be converted into a number",
		"123456789012345678901234567890123456789": "Attempting to store more than 38 significant digits in a Number",
		"1E126":  "Number overflow. Attempting to store a number with magnitude larger than supported range",
		"-1E126": "Number overflow. Attempting to store a number with magnitude larger than supported range",
		"1E-131": "Number underflow. Attempting to store a number with magnitude smaller than supported range",
	} {
		_, err := ParseNumber(in)
		wantMsg(t, err, msg)
	}
	// 38 digits with trailing zeros beyond them are fine: the zeros are not significant.
	if _, err := ParseNumber("12345678901234567890123456789012345678000"); err != nil {
		t.Error(err)
	}
}

func TestCompareNumbers(t *testing.T) {
	ordered := []string{"-1E125", "-100", "-99.99", "-1", "-0.5", "-0.0001", "0", "1E-130", "0.001", "0.5", "1", "1.0000001", "2", "10", "99", "100", "1E125"}
	for i := range ordered {
		for j := range ordered {
			got := CompareNumbers(MustNumber(ordered[i]), MustNumber(ordered[j]))
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	if CompareNumbers(MustNumber("1.0"), MustNumber("1")) != 0 || CompareNumbers(MustNumber("-0"), MustNumber("0")) != 0 {
		t.Error("equal numbers compare unequal")
	}
}

func TestAddIsExact(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"0.1", "0.2", "0.3"}, {"1", "-1", "0"}, {"1E20", "1", "100000000000000000001"},
		{"-5.5", "2.25", "-3.25"}, {"99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000"},
		{"0.00000000000000000001", "1E-20", "0.00000000000000000002"}, {"7", "0", "7"}, {"0", "-7", "-7"},
	} {
		sum, err := Add(MustNumber(tc.a), MustNumber(tc.b))
		if err != nil || sum.String() != tc.want {
			t.Errorf("%s + %s = %s, %v; want %s", tc.a, tc.b, sum, err, tc.want)
		}
	}
	_, err := Add(MustNumber("99999999999999999999999999999999999999"), MustNumber("0.1"))
	wantMsg(t, err, "Attempting to store more than 38 significant digits in a Number")
}

func TestCheck(t *testing.T) {
	two := "x"
	cases := []struct {
		v   Value
		msg string
	}{
		{Value{}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{Value{S: &two, N: &two}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{Value{NULL: new(false)}, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{Value{SS: []string{}}, "One or more parameter values were invalid: An string set  may not be empty"},
		{Value{NS: []string{}}, "One or more parameter values were invalid: An number set  may not be empty"},
		{Value{BS: [][]byte{}}, "One or more parameter values were invalid: An binary set  may not be empty"},
		{Value{SS: []string{"a", "a"}}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{Value{NS: []string{"1", "1.0"}}, "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates."},
		{Value{NS: []string{"1", "x"}}, "A value provided cannot be converted into a number"},
		{Value{N: &two}, "A value provided cannot be converted into a number"},
		{Value{L: []Value{{}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{Value{M: Item{"a": {NULL: new(false)}}}, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{deep(33), "Nesting Levels have exceeded supported limits"},
	}
	for _, tc := range cases {
		wantMsg(t, Check(tc.v), tc.msg)
	}
	if err := Check(deep(32)); err != nil {
		t.Errorf("32 levels: %v", err)
	}
	for _, ok := range []Value{str(""), num("1"), {B: []byte{}}, {L: []Value{}}, {M: Item{}}, {BOOL: new(false)}, {NULL: new(true)}} {
		if err := Check(ok); err != nil {
			t.Errorf("Check(%+v) = %v", ok, err)
		}
	}
}

func deep(levels int) Value {
	v := str("leaf")
	for i := 0; i < levels; i++ {
		v = Value{L: []Value{v}}
	}
	return v
}

func TestEqualAndCompare(t *testing.T) {
	if !Equal(Value{SS: []string{"a", "b"}}, Value{SS: []string{"b", "a"}}) || Equal(Value{SS: []string{"a"}}, Value{SS: []string{"a", "b"}}) {
		t.Error("sets compare by order")
	}
	if !Equal(Value{NS: []string{"1", "2.0"}}, Value{NS: []string{"2", "1.00"}}) {
		t.Error("number sets compare by text")
	}
	if !Equal(num("1.0"), num("1")) || Equal(num("1"), str("1")) {
		t.Error("numbers compare by text or type is ignored")
	}
	if c, ok := Compare(Value{B: []byte{0x01, 0xFF}}, Value{B: []byte{0x02}}); !ok || c >= 0 {
		t.Error("binaries are not ordered bytewise")
	}
	if c, ok := Compare(str("a"), str("B")); !ok || c <= 0 {
		t.Error("strings are not ordered by UTF-8 bytes") // 'a' (0x61) > 'B' (0x42)
	}
	if c, ok := Compare(num("10"), num("9")); !ok || c <= 0 {
		t.Error("numbers are ordered as text")
	}
	if _, ok := Compare(num("1"), str("1")); ok {
		t.Error("different types compare")
	}
	if string(KeyBytes(num("1.50"))) != string(KeyBytes(num("1.5"))) || string(KeyBytes(num("1"))) == string(KeyBytes(str("1"))) {
		t.Error("KeyBytes is not canonical")
	}
}

func TestItemSize(t *testing.T) {
	it := Item{
		"s":    str("hello"),                      // 1 + 5
		"n":    num("123.45"),                     // 1 + (5+1)/2+1 = 1+4
		"bin":  {B: []byte{1, 2, 3}},              // 3 + 3
		"ok":   {BOOL: new(true)},                 // 2 + 1
		"l":    {L: []Value{str("ab"), num("1")}}, // 1 + 3 + (1+2) + (1+2)
		"m":    {M: Item{"k": str("v")}},          // 1 + 3 + (1+1+1)
		"tags": {SS: []string{"x", "yz"}},         // 4 + 3
	}
	want := 6 + 5 + 6 + 3 + 10 + 7 + 7
	if got := ItemSize(it); got != want {
		t.Errorf("ItemSize = %d, want %d", got, want)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	it := Item{
		"s": str("héllo\x00"), "n": num("-1.5"), "b": {B: []byte{0, 1, 255}}, "empty": {B: []byte{}},
		"ss": {SS: []string{"a", "b"}}, "ns": {NS: []string{"1", "2"}}, "bs": {BS: [][]byte{{1}, {}}},
		"t": {BOOL: new(true)}, "f": {BOOL: new(false)}, "null": {NULL: new(true)},
		"l": {L: []Value{str("x"), {M: Item{"deep": {L: []Value{}}}}}}, "m": {M: Item{}},
	}
	enc := AppendItem(nil, it)
	got, err := DecodeItem(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(Value{M: got}, Value{M: it}) {
		t.Errorf("round trip: %+v", got)
	}
	if !slices.Equal(AppendItem(nil, got), enc) {
		t.Error("the encoding is not stable")
	}
	// Damaged encodings fail rather than panic.
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		bad := slices.Clone(enc)
		switch i % 3 {
		case 0:
			bad = bad[:r.IntN(len(bad))]
		case 1:
			bad[r.IntN(len(bad))] ^= byte(1 + r.IntN(255))
		default:
			bad = append(bad, byte(r.IntN(256)))
		}
		_, _ = DecodeItem(bad)
	}
	if _, err := DecodeItem(enc[:len(enc)-1]); err == nil {
		t.Error("a truncated item decoded")
	}
}
