package secretsmanager

import (
	"slices"
	"strings"
	"unicode"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

// filter is one parsed ListSecrets filter: a key and its values, each possibly negated
// with a leading "!".
type filter struct {
	key    string
	values []filterValue
}

type filterValue struct {
	text string
	not  bool
}

// checkFilters runs the checks the model cannot express, filter by filter in the order
// given (the codec has already refused keys outside the enum): a filter needs a key, then
// values.
func checkFilters(in []sm.Filter) error {
	for _, f := range in {
		if f.Key == nil {
			return msgNoFilterKey.New()
		}
		if len(f.Values) == 0 {
			return msgNoFilterValues.New(*f.Key)
		}
	}
	return nil
}

func parseFilters(in []sm.Filter) []filter {
	out := make([]filter, 0, len(in))
	for _, f := range in {
		pf := filter{key: deref(f.Key)}
		for _, v := range f.Values {
			fv := filterValue{text: v}
			if strings.HasPrefix(v, "!") {
				fv.text, fv.not = v[1:], true
			}
			pf.values = append(pf.values, fv)
		}
		out = append(out, pf)
	}
	return out
}

// matchAll reports whether a secret passes every filter: filters of different keys must all
// match.
func matchAll(rec *secretRecord, region string, fs []filter) bool {
	for _, f := range fs {
		if !f.match(rec, region) {
			return false
		}
	}
	return true
}

// match applies one filter: the secret must match at least one of its plain values (when
// there are any) and none of its negated ones.
func (f filter) match(rec *secretRecord, region string) bool {
	hasPlain, anyPlain := false, false
	for _, v := range f.values {
		hit := matchValue(f.key, v.text, rec, region)
		if v.not {
			if hit {
				return false
			}
			continue
		}
		hasPlain = true
		anyPlain = anyPlain || hit
	}
	return !hasPlain || anyPlain
}

// matchValue is AWS's per-key rule: a case-sensitive prefix match for names, tags, the
// primary Region and the owning service; "description" and "all" match words (see
// matchWords).
func matchValue(key, v string, rec *secretRecord, region string) bool {
	switch key {
	case sm.FilterNameStringTypeName:
		return strings.HasPrefix(rec.Name, v)
	case sm.FilterNameStringTypeDescription:
		// AWS documents a prefix match, but its search treats the description as words, like
		// "all": "baz" finds "foo baz" (moto's tests against AWS found it; issue #19).
		return rec.Description != nil && matchWords(v, *rec.Description)
	case sm.FilterNameStringTypeTagKey:
		return slices.ContainsFunc(rec.Tags, func(t tag) bool { return strings.HasPrefix(t.Key, v) })
	case sm.FilterNameStringTypeTagValue:
		return slices.ContainsFunc(rec.Tags, func(t tag) bool { return strings.HasPrefix(t.Value, v) })
	case sm.FilterNameStringTypePrimaryRegion:
		p := rec.primaryRegion(region)
		return p != "" && strings.HasPrefix(p, v)
	case sm.FilterNameStringTypeOwningService:
		return rec.OwningService != "" && strings.HasPrefix(rec.OwningService, v)
	case sm.FilterNameStringTypeAll:
		attrs := []string{rec.Name}
		if rec.Description != nil {
			attrs = append(attrs, *rec.Description)
		}
		for _, t := range rec.Tags {
			attrs = append(attrs, t.Key, t.Value)
		}
		return matchWords(v, attrs...)
	}
	return false
}

// matchWords reports whether every word of the filter value is, ignoring case, the start
// of some word of the attributes. A value with no words ("+", "") matches nothing.
func matchWords(v string, attrs ...string) bool {
	want := words(v)
	if len(want) == 0 {
		return false
	}
	var have []string
	for _, a := range attrs {
		have = append(have, words(a)...)
	}
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return true
}

// wordSeparators are where Secrets Manager's search splits text into words, besides white
// space.
const wordSeparators = "/_+=.@-"

// words splits text as Secrets Manager's search does, and lower-cases the words: at the
// separators and white space, and around each capitalised word, an upper-case letter with
// the lower-case ones after it ("SecretFTag" is Secret, F, Tag; "COMPANYthings" is COMPAN,
// Ythings). Digits never start or end a word by themselves: "db2Prod" is db2, Prod and
// "v2beta" is one word.
func words(s string) []string {
	var out []string
	rs := []rune(s)
	start := 0
	flush := func(end int) {
		if end > start {
			out = append(out, strings.ToLower(string(rs[start:end])))
		}
	}
	for i, r := range rs {
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune(wordSeparators, r):
			flush(i)
			start = i + 1
		case i > start && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])):
			flush(i)
			start = i
		}
	}
	flush(len(rs))
	return out
}
