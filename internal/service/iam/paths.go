package iam

import (
	"regexp"

	"github.com/xregion/xregion/internal/awserr"
)

// The model's patterns for paths are written with Java's \uXXXX escapes, which the
// gateway's validation cannot compile and so does not check. A path becomes part of every
// ARN, so IAM checks paths here, with the messages AWS gives for them.
var (
	pathPattern       = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	pathPrefixPattern = regexp.MustCompile(`^/[\x21-\x7F]*$`)
)

func checkPath(p *string) error {
	if p != nil && !pathPattern.MatchString(*p) {
		return awserr.ValidationError.New("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return nil
}

func checkPathPrefix(p *string) error {
	if p != nil && !pathPrefixPattern.MatchString(*p) {
		return awserr.ValidationError.New("The specified value for pathPrefix is invalid. It must begin with / and contain only alphanumeric characters and/or / characters.")
	}
	return nil
}
