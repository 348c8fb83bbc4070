package awsmodel

import (
	"regexp"
	"testing"
)

func TestGoPatternRewritesJavaSyntax(t *testing.T) {
	for _, c := range []struct{ java, want string }{
		{`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\x{9}\x{A}\x{D}\x{20}-\x{FF}]+`},
		{`[\u0020-\u10FFFF]*`, `[\x{20}-\x{10FFFF}]*`},
		// UTF-16 surrogate pairs name one supplementary code point.
		{`[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*`, `[\x{20}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}\t]*`},
		{`\p{Print}+`, `[\x20-\x7E]+`},
		{`[\p{Print}\t]*`, `[\x20-\x7E\t]*`},
		// Escaped brackets open no class; other escapes pass unchanged.
		{`\[\p{Print}\]`, `\[[\x20-\x7E]\]`},
		{`\\u0041`, `\\u0041`},
		{`[\w+=,.@-]+`, `[\w+=,.@-]+`},
		{`\u12`, `\u12`},
	} {
		if got := goPattern(c.java); got != c.want {
			t.Errorf("goPattern(%q) = %q, want %q", c.java, got, c.want)
		}
	}
}

func TestGoPatternMatchesWhatJavaMatches(t *testing.T) {
	re := regexp.MustCompile(`^(?:` + goPattern(`[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`) + `)$`)
	for _, ok := range []string{"arn:aws:iam::123456789012:role/x", "emoji 🙂 and ü", "line\nbreak"} {
		if !re.MatchString(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	if re.MatchString("bell \x07") {
		t.Error("a control character passed")
	}
}
