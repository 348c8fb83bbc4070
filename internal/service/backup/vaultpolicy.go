package backup

import (
	"encoding/json"
	"strings"

	"github.com/xregion/xregion/internal/arn"
)

// A backup vault's access policy decides who may copy into it from another account: a
// cross-account copy needs a statement that allows backup:CopyIntoBackupVault to the
// source account (its root, its id, or the copy's role) on the vault, and no statement
// that denies it. The evaluation is the slice of IAM's that such policies use: Effect,
// Principal (AWS, or "*"), Action and NotAction, Resource and NotResource, with the *
// wildcard. A statement with a Condition applies only when every condition is one it
// can check (the source account or ARN, with StringEquals or StringLike): an Allow whose
// condition it cannot check grants nothing (xregion has no organizations, so
// aws:PrincipalOrgID never holds), and a Deny whose condition it cannot check denies
// nothing.

const actionCopyInto = "backup:CopyIntoBackupVault"

// policyAllowsCopy reports whether the policy doc of the vault vaultARN lets account copy
// into the vault, with role.
func policyAllowsCopy(doc, account, role, vaultARN string) bool {
	req := copyRequest{account: account, role: role, vault: vaultARN, action: actionCopyInto}
	allowed := false
	for _, st := range statementsOf(doc) {
		switch effect := unquote(st["Effect"]); {
		case !req.matches(st):
		case effect == "Deny":
			return false
		case effect == "Allow":
			allowed = true
		}
	}
	return allowed
}

// statementsOf reads a policy's statements: a list, or one; none when the policy is not
// JSON.
func statementsOf(doc string) []map[string]json.RawMessage {
	var p struct{ Statement json.RawMessage }
	if doc == "" || json.Unmarshal([]byte(doc), &p) != nil {
		return nil
	}
	var statements []map[string]json.RawMessage
	if json.Unmarshal(p.Statement, &statements) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(p.Statement, &one) != nil {
			return nil
		}
		statements = []map[string]json.RawMessage{one}
	}
	return statements
}

// copyRequest is a copy into a vault, as a policy statement sees it — or, with another
// action, any request on the vault (see vaultdeny.go).
type copyRequest struct{ account, role, vault, action string }

// matches reports whether a statement applies to the request.
func (r copyRequest) matches(st map[string]json.RawMessage) bool {
	return r.principalMatches(st["Principal"]) &&
		anyOrNot(st["Action"], st["NotAction"], r.action, func(pattern, s string) bool {
			return matchGlob(strings.ToLower(pattern), strings.ToLower(s)) // actions are not case-sensitive
		}) &&
		anyOrNot(st["Resource"], st["NotResource"], r.vault, matchGlob) &&
		r.conditionsHold(st["Condition"])
}

func (r copyRequest) principalMatches(raw json.RawMessage) bool {
	if unquote(raw) == "*" {
		return true
	}
	var p map[string]json.RawMessage
	if json.Unmarshal(raw, &p) != nil {
		return false
	}
	for _, name := range stringsOf(p["AWS"]) {
		if name == "*" || name == r.account || name == r.role {
			return true
		}
		if a, err := arn.Parse(name); err == nil && a.Service == "iam" && a.Account == r.account && a.Resource == "root" {
			return true
		}
	}
	return false
}

// conditionsHold evaluates the conditions a vault policy can check here.
func (r copyRequest) conditionsHold(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return true
	}
	var conds map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &conds) != nil {
		return false
	}
	keys := map[string]string{"aws:sourceaccount": r.account, "aws:principalaccount": r.account, "aws:sourcearn": r.vault, "aws:principalarn": r.role}
	for op, tests := range conds {
		for key, want := range tests {
			have, known := keys[strings.ToLower(key)]
			if !known || !conditionHolds(op, have, stringsOf(want)) {
				return false
			}
		}
	}
	return true
}

func conditionHolds(op, have string, want []string) bool {
	for _, w := range want {
		switch op {
		case "StringEquals", "ArnEquals":
			if have == w {
				return true
			}
		case "StringLike", "ArnLike":
			if matchGlob(w, have) {
				return true
			}
		}
	}
	return false
}

// anyOrNot applies an element and its Not form: the value must match one of the
// element's patterns, or none of the Not form's.
func anyOrNot(element, notElement json.RawMessage, value string, match func(pattern, s string) bool) bool {
	if len(element) > 0 {
		return matchesOne(stringsOf(element), value, match)
	}
	if len(notElement) > 0 {
		return !matchesOne(stringsOf(notElement), value, match)
	}
	return false
}

func matchesOne(patterns []string, value string, match func(pattern, s string) bool) bool {
	for _, p := range patterns {
		if match(p, value) {
			return true
		}
	}
	return false
}

// stringsOf reads a policy element that is a string or a list of strings.
func stringsOf(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	if s := unquote(raw); s != "" {
		return []string{s}
	}
	return nil
}

func unquote(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
