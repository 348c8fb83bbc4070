package secretsmanager

import (
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

// matchValue is AWS's per-key rule: a prefix match, case-insensitive only for
// description; "all" splits the value into words and looks for each among the words of the
// name, description, tag keys and tag values, ignoring case.
func matchValue(key, v string, rec *secretRecord, region string) bool {
	switch key {
	case sm.FilterNameStringTypeName:
		return strings.HasPrefix(rec.Name, v)
	case sm.FilterNameStringTypeDescription:
		return rec.Description != nil && strings.HasPrefix(strings.ToLower(*rec.Description), strings.ToLower(v))
	case sm.FilterNameStringTypeTagKey:
		for _, t := range rec.Tags {
			if strings.HasPrefix(t.Key, v) {
				return true
			}
		}
	case sm.FilterNameStringTypeTagValue:
		for _, t := range rec.Tags {
			if strings.HasPrefix(t.Value, v) {
				return true
			}
		}
	case sm.FilterNameStringTypePrimaryRegion:
		p := rec.primaryRegion(region)
		return p != "" && strings.HasPrefix(p, v)
	case sm.FilterNameStringTypeOwningService:
		return rec.OwningService != "" && strings.HasPrefix(rec.OwningService, v)
	case sm.FilterNameStringTypeAll:
		want := words(v)
		if len(want) == 0 {
			return false
		}
		var have []string
		add := func(s string) { have = append(have, words(s)...) }
		add(rec.Name)
		if rec.Description != nil {
			add(*rec.Description)
		}
		for _, t := range rec.Tags {
			add(t.Key)
			add(t.Value)
		}
		for _, w := range want {
			found := false
			for _, h := range have {
				if strings.HasPrefix(h, w) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return false
}

// words splits text the way the console's search does: at anything that is not a letter
// or digit, and where lower case turns to upper case or letters turn to digits. The words
// are lower-cased.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case len(cur) > 0 && (unicode.IsLower(prev) && unicode.IsUpper(r) ||
			unicode.IsLetter(prev) && unicode.IsDigit(r) || unicode.IsDigit(prev) && unicode.IsLetter(r)):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}
