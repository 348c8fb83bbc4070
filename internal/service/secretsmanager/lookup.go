package secretsmanager

import (
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/service/kit"
)

// validName reports whether a secret name uses only the characters AWS allows:
// letters, digits and /_+=.@-
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("/_+=.@-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isSuffix reports whether s is a secret ARN's random suffix: six letters or digits.
func isSuffix(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// parseID turns a SecretId into the name to look up and, for a full ARN, the suffix the
// record must have. A full ARN ends in "-" and six letters or digits; anything else after
// "secret:" is a partial ARN, the bare name. As on AWS, a name that itself ends in a hyphen
// and six characters cannot be found by partial ARN, because its partial ARN reads as a
// full one. An ARN of another account or Region than v's names no secret here.
func parseID(v kit.View, id string) (name, suffix string, err error) {
	if !arn.IsARN(id) {
		if !validName(id) {
			return "", "", msgInvalidName.New()
		}
		return id, "", nil
	}
	a, perr := arn.Parse(id)
	if perr != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "secret:") {
		return "", "", msgNotFound.New()
	}
	if a.Region != v.Region() || a.Account != v.Account() {
		return "", "", msgNotFound.New()
	}
	rest := strings.TrimPrefix(a.Resource, "secret:")
	if i := len(rest) - 7; i > 0 && rest[i] == '-' && isSuffix(rest[i+1:]) {
		return rest[:i], rest[i+1:], nil
	}
	if !validName(rest) {
		return "", "", msgNotFound.New()
	}
	return rest, "", nil
}

// find resolves a SecretId in the records of v, with AWS's not-found error when there is
// no such secret. It does not refuse secrets scheduled for deletion.
func find(v kit.View, id string) (*secretRecord, error) {
	name, suffix, err := parseID(v, id)
	if err != nil {
		return nil, err
	}
	rec, err := secrets.Get(v, name)
	if err != nil {
		return nil, err
	}
	if rec == nil || (suffix != "" && rec.Suffix != suffix) {
		return nil, msgNotFound.New()
	}
	return rec, nil
}

// findReadable is findLive through the service's record cache, for GetSecretValue: the
// record is shared and must not be changed.
func (s *Service) findReadable(v kit.View, id string) (*secretRecord, error) {
	name, suffix, err := parseID(v, id)
	if err != nil {
		return nil, err
	}
	rec, err := s.secretCache.Get(v, name)
	if err != nil {
		return nil, err
	}
	if rec == nil || (suffix != "" && rec.Suffix != suffix) {
		return nil, msgNotFound.New()
	}
	if rec.Deleted != nil {
		return nil, msgMarkedDeleted.New()
	}
	return rec, nil
}

// findLive is find for operations that a secret scheduled for deletion refuses.
func findLive(v kit.View, id string) (*secretRecord, error) {
	rec, err := find(v, id)
	if err != nil {
		return nil, err
	}
	if rec.Deleted != nil {
		return nil, msgMarkedDeleted.New()
	}
	return rec, nil
}

// findOwn is find for operations a replica refuses; they find a secret scheduled for
// deletion.
func findOwn(v kit.View, id string) (*secretRecord, error) {
	rec, err := find(v, id)
	if err != nil {
		return nil, err
	}
	if rec.isReplica() {
		return nil, msgOnReplica.New()
	}
	return rec, nil
}

// findPrimary is findLive for operations a replica refuses.
func findPrimary(v kit.View, id string) (*secretRecord, error) {
	rec, err := findOwn(v, id)
	if err != nil {
		return nil, err
	}
	if rec.Deleted != nil {
		return nil, msgMarkedDeleted.New()
	}
	return rec, nil
}
