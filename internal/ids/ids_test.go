package ids

import (
	"regexp"
	"testing"
)

func TestShapes(t *testing.T) {
	cases := []struct {
		got  string
		want string
	}{
		{Upper(17), `^[A-Z0-9]{17}$`},
		{Lower(40), `^[a-z0-9]{40}$`},
		{Alnum(6), `^[A-Za-z0-9]{6}$`},
		{Unique("ASIA"), `^ASIA[A-Z2-7]{16}$`},
		{Hex(8), `^[0-9a-f]{16}$`},
		{UUID(), `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
	}
	for _, c := range cases {
		if !regexp.MustCompile(c.want).MatchString(c.got) {
			t.Errorf("%q does not match %s", c.got, c.want)
		}
	}
	if Upper(20) == Upper(20) {
		t.Error("two draws are equal")
	}
}

func TestFromCoversAlphabet(t *testing.T) {
	seen := map[rune]bool{}
	for _, r := range From("abc", 300) {
		seen[r] = true
	}
	if len(seen) != 3 {
		t.Errorf("300 draws from abc saw %d letters", len(seen))
	}
}

// Every UUID is version 4 of the RFC 9562 variant, and they differ.
func TestUUIDsAreVersion4AndDiffer(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	variants := map[byte]bool{}
	for range 1000 {
		u := UUID()
		if !shape.MatchString(u) || seen[u] {
			t.Fatalf("%q: not a fresh version 4 UUID", u)
		}
		seen[u] = true
		variants[u[19]] = true
	}
	if len(variants) != 4 {
		t.Errorf("1000 UUIDs drew variants %v, want all of 8, 9, a and b", variants)
	}
}

func BenchmarkUUID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = UUID()
	}
}
