package jsonappend_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xregion/xregion/internal/jsonappend"
)

// The hand-written JSON string encoder must agree with encoding/json on what it decodes to.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\n\t\r", "é漢字🙂", "\xff\xfe", "\u2028\u2029", "<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := jsonappend.String(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, b, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if utf8.ValidString(s) && got != s || !utf8.ValidString(s) && got != decodeLikeStdlib(s) {
			t.Fatalf("%q round-tripped as %q (want %q)", s, got, want)
		}
	})
}

// decodeLikeStdlib is what encoding/json makes of a string with invalid UTF-8: each bad
// byte becomes U+FFFD.
func decodeLikeStdlib(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

// Time and Field write what encoding/json writes for a struct of a time and a bool.
func TestTimeAndField(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 5, 123456789, time.FixedZone("x", 3600))
	b := append(jsonappend.Field([]byte{'{'}, "at"), nil...)
	b = jsonappend.Time(b, at)
	b = jsonappend.Bool(jsonappend.Field(b, "ok"), true)
	b = append(b, '}')
	want, _ := json.Marshal(struct {
		At time.Time `json:"at"`
		OK bool      `json:"ok"`
	}{at, true})
	if string(b) != string(want) {
		t.Errorf("got %s, want %s", b, want)
	}
}
