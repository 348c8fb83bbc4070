package kms

import (
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// validKeyID reports whether s has the form of a key id: a UUID, or for multi-Region keys
// mrk- and 32 hex digits. It is written out rather than a regular expression because
// Decrypt checks every ciphertext's key id on the hot path.
func validKeyID(s string) bool {
	if len(s) == 36 && strings.HasPrefix(s, "mrk-") {
		return allHex(s[4:])
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	return allHex(s[:8]) && allHex(s[9:13]) && allHex(s[14:18]) && allHex(s[19:23]) && allHex(s[24:])
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// resolveKey finds the key an identifier names in an account and Region: a key id, key
// ARN, alias name or alias ARN. The record returned may be shared with other readers and
// must not be changed; clone it first. In a writable transaction, a predefined AWS
// managed alias that has no key yet gets one, as AWS creates AWS managed keys on first use.
func (s *Service) resolveKey(tx kit.Tx, account, region, ident string) (*keyRecord, error) {
	id, shown, err := s.resolveID(tx, account, region, ident)
	if err != nil {
		return nil, err
	}
	k, err := s.cache.Get(tx.In(account, region), id)
	if err != nil {
		return nil, err
	}
	if k == nil {
		if shown == "" {
			shown = keyARN(account, region, id)
		}
		return nil, keyNotFound(shown)
	}
	return k, nil
}

// resolveID turns an identifier into a key id. shown is the ARN to name in a not-found
// message when the caller gave one.
func (s *Service) resolveID(tx kit.Tx, account, region, ident string) (id, shown string, err error) {
	aliasName := ""
	switch {
	case arn.IsARN(ident):
		a, perr := arn.Parse(ident)
		if perr != nil || a.Service != serviceName {
			return "", "", notFound(msgInvalidARN, ident)
		}
		if a.Region != region {
			return "", "", notFound(msgInvalidARN, a.Region)
		}
		switch {
		case strings.HasPrefix(a.Resource, "key/"):
			if a.Account != account {
				return "", "", keyNotFound(ident)
			}
			id, shown = strings.TrimPrefix(a.Resource, "key/"), ident
		case strings.HasPrefix(a.Resource, "alias/"):
			if a.Account != account {
				return "", "", notFound(msgAliasNotFound, ident)
			}
			aliasName = a.Resource
		default:
			return "", "", notFound(msgInvalidARN, ident)
		}
	case strings.HasPrefix(ident, "alias/"):
		aliasName = ident
	default:
		id = ident
	}
	if aliasName != "" {
		id, err = s.aliasTarget(tx, account, region, aliasName)
		return id, "", err
	}
	if !validKeyID(id) {
		return "", "", notFound(msgInvalidKeyID, id)
	}
	return id, shown, nil
}

func (s *Service) aliasTarget(tx kit.Tx, account, region, name string) (string, error) {
	a, err := aliases.Get(tx.In(account, region), name)
	if err != nil {
		return "", err
	}
	if a != nil {
		return a.TargetKeyID, nil
	}
	if m, managed := managedKeys[name]; managed && tx.Writable() {
		k, err := s.createManagedKey(tx, account, region, name, m)
		if err != nil {
			return "", err
		}
		return k.ID, nil
	}
	return "", notFound(msgAliasNotFound, aliasARN(account, region, name))
}

// requireEnabled is the check of cryptographic operations. A multi-Region key in the
// transient Updating state of UpdatePrimaryRegion stays usable, as in AWS: only
// management operations wait for the update to end.
func requireEnabled(k *keyRecord) error {
	if usable(k) {
		return nil
	}
	return stateError(k)
}

// requireSteadyEnabled is the check of management operations that need an Enabled key
// and must wait while a multi-Region key is Updating.
func requireSteadyEnabled(k *keyRecord) error {
	if k.State == kmsapi.KeyStateEnabled {
		return nil
	}
	return stateError(k)
}

func usable(k *keyRecord) bool {
	return k.State == kmsapi.KeyStateEnabled || k.State == kmsapi.KeyStateUpdating && k.PriorState == kmsapi.KeyStateEnabled
}

// requireLive is the check of management operations that work on enabled and disabled
// keys, and on keys waiting for imported material, but not on keys pending deletion or in
// transition.
func requireLive(k *keyRecord) error {
	if k.State == kmsapi.KeyStatePendingImport {
		return nil
	}
	return requireSwitchable(k)
}

// requireSwitchable is the check of EnableKey and DisableKey: a key without its imported
// material cannot be either.
func requireSwitchable(k *keyRecord) error {
	if k.State == kmsapi.KeyStateEnabled || k.State == kmsapi.KeyStateDisabled {
		return nil
	}
	return stateError(k)
}
