package lazyregexp

import (
	"regexp"
	"testing"
)

func TestMatchesAsRegexpDoes(t *testing.T) {
	const pattern = `^([a-z]+)-(\d+)$`
	lazy, eager := MustCompile(pattern), regexp.MustCompile(pattern)
	for _, s := range []string{"abc-12", "abc-", "ABC-1", "x-1\n", ""} {
		if got, want := lazy.MatchString(s), eager.MatchString(s); got != want {
			t.Errorf("MatchString(%q) = %v, want %v", s, got, want)
		}
		if got, want := lazy.FindStringSubmatch(s), eager.FindStringSubmatch(s); len(got) != len(want) || (len(got) > 0 && got[2] != want[2]) {
			t.Errorf("FindStringSubmatch(%q) = %q, want %q", s, got, want)
		}
	}
	if got := MustCompile(`[^a-z]`).ReplaceAllString("a.b/c", "_"); got != "a_b_c" {
		t.Errorf("ReplaceAllString = %q", got)
	}
	if lazy.String() != pattern {
		t.Errorf("String() = %q", lazy.String())
	}
}

// A pattern is not compiled until used, so a bad one is found by CompileAll (which
// tests of the whole binary call) or panics when first used, never silently matching.
func TestBadPatternIsFound(t *testing.T) {
	bad := MustCompile(`([a-z]`)
	if bad.re != nil {
		t.Fatal("compiled before first use")
	}
	if err := CompileAll(); err == nil {
		t.Error("CompileAll accepted an unbalanced parenthesis")
	}
	defer func() {
		if recover() == nil {
			t.Error("a pattern that does not compile matched")
		}
	}()
	bad.MatchString("a")
}

func TestCompiledOnFirstUseOnly(t *testing.T) {
	r := MustCompile(`^a+$`)
	if r.re != nil {
		t.Fatal("compiled at MustCompile")
	}
	if !r.MatchString("aaa") || r.MatchString("b") {
		t.Fatal("wrong matches")
	}
	first := r.re
	r.MatchString("a")
	if r.re != first {
		t.Error("compiled twice")
	}
}
