package iam

import "github.com/xregion/xregion/internal/lazyregexp"

// IAM reports a malformed path or path prefix with texts of its own rather than the
// generic "failed to satisfy constraint" one, so it checks them here (Validation tells the
// gateway to leave these patterns alone).
var (
	pathPattern       = lazyregexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	pathPrefixPattern = lazyregexp.MustCompile(`^/[\x21-\x7F]*$`)
)

func checkPath(p *string) error {
	if p != nil && !pathPattern.MatchString(*p) {
		return msgInvalidPath.New()
	}
	return nil
}

func checkPathPrefix(p *string) error {
	if p != nil && !pathPrefixPattern.MatchString(*p) {
		return msgInvalidPathPrefix.New()
	}
	return nil
}
