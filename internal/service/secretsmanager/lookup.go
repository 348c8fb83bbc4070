package secretsmanager

import (
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
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

func invalidName() error { return awserr.ValidationException.New(msgInvalidName) }

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
// full one. An ARN of another account or Region names no secret here.
func parseID(info *request.Info, id string) (name, suffix string, err error) {
	if !arn.IsARN(id) {
		if !validName(id) {
			return "", "", invalidName()
		}
		return id, "", nil
	}
	a, perr := arn.Parse(id)
	if perr != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "secret:") {
		return "", "", notFound()
	}
	if a.Region != info.Region || a.Account != info.Account {
		return "", "", notFound()
	}
	rest := strings.TrimPrefix(a.Resource, "secret:")
	if i := len(rest) - 7; i > 0 && rest[i] == '-' && isSuffix(rest[i+1:]) {
		return rest[:i], rest[i+1:], nil
	}
	if !validName(rest) {
		return "", "", notFound()
	}
	return rest, "", nil
}

// find resolves a SecretId in the caller's account and Region, with AWS's not-found
// error when there is no such secret. It does not refuse secrets scheduled for deletion.
func find(tx store.Tx, info *request.Info, id string) (*secretRecord, error) {
	name, suffix, err := parseID(info, id)
	if err != nil {
		return nil, err
	}
	rec, err := getSecret(tx, scopeOf(info.Account, info.Region), name)
	if err != nil {
		return nil, err
	}
	if rec == nil || (suffix != "" && rec.Suffix != suffix) {
		return nil, notFound()
	}
	return rec, nil
}

// findReadable is findLive through the service's record cache, for GetSecretValue: in a
// read-only transaction the record is shared and must not be changed.
func (s *Service) findReadable(tx store.Tx, info *request.Info, id string) (*secretRecord, error) {
	name, suffix, err := parseID(info, id)
	if err != nil {
		return nil, err
	}
	rec, err := loadSecret(tx, scopeOf(info.Account, info.Region), name, s.secrets)
	if err != nil {
		return nil, err
	}
	if rec == nil || (suffix != "" && rec.Suffix != suffix) {
		return nil, notFound()
	}
	if rec.Deleted != nil {
		return nil, markedDeleted()
	}
	return rec, nil
}

// findLive is find for operations that a secret scheduled for deletion refuses.
func findLive(tx store.Tx, info *request.Info, id string) (*secretRecord, error) {
	rec, err := find(tx, info, id)
	if err != nil {
		return nil, err
	}
	if rec.Deleted != nil {
		return nil, markedDeleted()
	}
	return rec, nil
}

// findPrimary is findLive for operations a replica refuses.
func findPrimary(tx store.Tx, info *request.Info, id string) (*secretRecord, error) {
	rec, err := find(tx, info, id)
	if err != nil {
		return nil, err
	}
	if rec.isReplica() {
		return nil, onReplica()
	}
	if rec.Deleted != nil {
		return nil, markedDeleted()
	}
	return rec, nil
}
