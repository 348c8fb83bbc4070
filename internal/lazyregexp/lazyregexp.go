// Package lazyregexp is a regular expression compiled on its first use rather than at
// package initialisation. Compiling a pattern such as ^[A-Za-z0-9_-]{1,256}$ builds
// hundreds of instructions and thousands of allocations; done for every package-level
// pattern at start-up it was most of the allocations of xregion's initialisation
// (bench/README.md, issue 20), paid before the first answer for patterns that only the
// requests of one service use.
package lazyregexp

import (
	"regexp"
	"sync"
)

// Regexp is a pattern compiled on first use. Its methods are those of regexp.Regexp
// that xregion uses.
type Regexp struct {
	pattern string
	once    sync.Once
	re      *regexp.Regexp
}

// all are the patterns made with MustCompile, so that a test can compile every one of them
// (CompileAll) without waiting for the request that first uses each.
var (
	mu  sync.Mutex
	all []*Regexp
)

// MustCompile returns pattern, to be compiled on its first use: it is regexp.MustCompile
// deferred, so a pattern that does not compile panics when first used (CompileAll finds
// it in tests first).
func MustCompile(pattern string) *Regexp {
	r := &Regexp{pattern: pattern}
	mu.Lock()
	all = append(all, r)
	mu.Unlock()
	return r
}

// CompileAll compiles every pattern made so far and reports the first that does not
// compile, for tests: a mistyped pattern would otherwise panic only when first used.
func CompileAll() error {
	mu.Lock()
	patterns := append([]*Regexp(nil), all...)
	mu.Unlock()
	for _, r := range patterns {
		if _, err := regexp.Compile(r.pattern); err != nil {
			return err
		}
	}
	return nil
}

// compiled is the compiled pattern. A pattern that does not compile panics here, on
// every use (CompileAll finds it in tests first).
func (r *Regexp) compiled() *regexp.Regexp {
	r.once.Do(func() { r.re, _ = regexp.Compile(r.pattern) })
	if r.re == nil {
		panic("lazyregexp: pattern does not compile: " + r.pattern)
	}
	return r.re
}

// String is the pattern's source text.
func (r *Regexp) String() string { return r.pattern }

// MatchString reports whether s contains a match of the pattern.
func (r *Regexp) MatchString(s string) bool { return r.compiled().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.compiled().FindStringSubmatch(s) }

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.compiled().ReplaceAllString(src, repl)
}
