package iam

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/lazyregexp"
)

// encodeDocument is how IAM returns policy documents: percent-encoded, as a query string
// value would be, but with spaces as %20. Clients decode with either url.QueryUnescape
// (Terraform, Go) or urllib's unquote (botocore, which leaves '+' alone), and only this
// spelling reads back the same through both.
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// policySize is a document's size as IAM counts it against its quotas: white space does
// not count.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// Quotas (AWS's defaults) that documents count against.
const (
	trustPolicyQuota   = 2048  // ACLSizePerRole
	inlineRoleQuota    = 10240 // aggregate size of a role's inline policies
	managedPolicyQuota = 6144  // PolicySize
)

var (
	errSyntax       = msgSyntax.New()
	errLegacy       = msgLegacy.New()
	errNoStatement  = msgNoStatement.New()
	errNoActions    = msgNoActions.New()
	errNoResources  = msgNoResources.New()
	errDuplicateSid = msgDuplicateSid.New()
)

var (
	topLevel      = map[string]bool{"Version": true, "Id": true, "Statement": true}
	validVersions = map[string]bool{"2008-10-17": true, "2012-10-17": true}
)

// parsedPolicy is a document that passed the checks common to every kind of policy.
type parsedPolicy struct {
	statements []map[string]any
}

// parsePolicy does the structural checks every IAM policy gets. badJSON is the error for
// text that is not JSON, which differs between trust and permissions policies.
func parsePolicy(doc string, badJSON error) (*parsedPolicy, error) {
	if !json.Valid([]byte(doc)) {
		return nil, badJSON
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badJSON
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errSyntax
	}
	for k := range top {
		if !topLevel[k] { // any unknown element gives the same error, so order does not matter
			return nil, errSyntax
		}
	}
	if ver, present := top["Version"]; present {
		if s, ok := ver.(string); !ok || !validVersions[s] {
			return nil, errSyntax
		}
	}
	if id, present := top["Id"]; present {
		if _, ok := id.(string); !ok {
			return nil, errSyntax
		}
	}
	var statements []map[string]any
	switch st := top["Statement"].(type) {
	case map[string]any:
		statements = append(statements, st)
	case []any:
		if len(st) == 0 {
			return nil, errNoStatement
		}
		for _, e := range st {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, errSyntax
			}
			statements = append(statements, m)
		}
	default:
		return nil, errSyntax
	}
	return &parsedPolicy{statements: statements}, nil
}

// commonStatementChecks checks the elements trust and permissions statements share.
func (p *parsedPolicy) commonStatementChecks() error {
	sids := map[string]bool{}
	for _, st := range p.statements {
		effect, ok := st["Effect"].(string)
		if !ok || (!strings.EqualFold(effect, "Allow") && !strings.EqualFold(effect, "Deny")) {
			return errSyntax
		}
		for _, key := range []string{"Action", "NotAction", "Resource", "NotResource"} {
			if v, present := st[key]; present && !isStringOrStrings(v) {
				return errSyntax
			}
		}
		if hasBoth(st, "Action", "NotAction") || hasBoth(st, "Resource", "NotResource") || hasBoth(st, "Principal", "NotPrincipal") {
			return errSyntax
		}
		if c, present := st["Condition"]; present && !validCondition(c) {
			return errSyntax
		}
		if sid, present := st["Sid"]; present {
			s, ok := sid.(string)
			if !ok {
				return errSyntax
			}
			if s != "" && sids[s] {
				return errDuplicateSid
			}
			sids[s] = true
		}
	}
	for _, st := range p.statements {
		if effect := st["Effect"].(string); effect != "Allow" && effect != "Deny" {
			return errLegacy // AWS takes any case in its syntax pass but not in this one
		}
	}
	return nil
}

func hasBoth(st map[string]any, a, b string) bool {
	_, hasA := st[a]
	_, hasB := st[b]
	return hasA && hasB
}

func isStringOrStrings(v any) bool {
	switch v := v.(type) {
	case string:
		return true
	case []any:
		for _, e := range v {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// strings of a string-or-list element.
func elements(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

// validCondition: {"Operator": {"key": value or [values]}} with scalar values.
func validCondition(c any) bool {
	ops, ok := c.(map[string]any)
	if !ok {
		return false
	}
	for _, block := range ops {
		keys, ok := block.(map[string]any)
		if !ok {
			return false
		}
		for _, v := range keys {
			switch v := v.(type) {
			case string, json.Number, bool:
			case []any:
				for _, e := range v {
					switch e.(type) {
					case string, json.Number, bool:
					default:
						return false
					}
				}
			default:
				return false
			}
		}
	}
	return true
}

// hasElements reports whether a statement names at least one item under key or notKey.
func hasElements(st map[string]any, key, notKey string) bool {
	for _, k := range []string{key, notKey} {
		if v, present := st[k]; present {
			return len(elements(v)) > 0
		}
	}
	return false
}

var vendorPattern = lazyregexp.MustCompile(`^[a-zA-Z0-9\-.]+$`)

func checkActions(st map[string]any) error {
	for _, k := range []string{"Action", "NotAction"} {
		for _, a := range elements(st[k]) {
			if a == "*" {
				continue
			}
			parts := strings.Split(a, ":")
			switch {
			case len(parts) == 1:
				return msgNoVendor.New()
			case len(parts) > 2:
				return msgTwoColons.New()
			case !vendorPattern.MatchString(parts[0]):
				return msgBadVendor.New(parts[0])
			}
		}
	}
	return nil
}

func checkResources(st map[string]any) error {
	for _, k := range []string{"Resource", "NotResource"} {
		for _, r := range elements(st[k]) {
			if r != "*" && !strings.HasPrefix(r, "arn:") {
				return msgResourceNotARN.New(r)
			}
		}
	}
	return nil
}

// validatePermissionsPolicy checks an identity-based policy (inline or managed).
func validatePermissionsPolicy(doc string) error {
	p, err := parsePolicy(doc, errSyntax)
	if err != nil {
		return err
	}
	for _, st := range p.statements {
		for _, k := range slices.Sorted(maps.Keys(st)) {
			switch k {
			case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition":
			case "Principal", "NotPrincipal":
				return msgPrincipalInPermissions.New()
			default:
				return errSyntax
			}
		}
	}
	if err := p.commonStatementChecks(); err != nil {
		return err
	}
	for _, st := range p.statements {
		if !hasElements(st, "Action", "NotAction") {
			return errNoActions
		}
	}
	for _, st := range p.statements {
		if !hasElements(st, "Resource", "NotResource") {
			return errNoResources
		}
	}
	for _, st := range p.statements {
		if err := checkResources(st); err != nil {
			return err
		}
		if err := checkActions(st); err != nil {
			return err
		}
	}
	return nil
}

// trustActions are the actions a role trust policy may grant (compared in lower case).
var trustActions = map[string]bool{
	"sts:assumerole": true, "sts:assumerolewithsaml": true, "sts:assumerolewithwebidentity": true,
	"sts:tagsession": true, "sts:setsourceidentity": true, "sts:setcontext": true,
}

// validateTrustPolicy checks a role's assume-role policy document.
func validateTrustPolicy(doc string) error {
	p, err := parsePolicy(doc, msgInvalidJSON.New())
	if err != nil {
		return err
	}
	for _, st := range p.statements {
		for _, k := range slices.Sorted(maps.Keys(st)) {
			switch k {
			case "Sid", "Effect", "Action", "NotAction", "Principal", "NotPrincipal", "Condition":
			case "Resource":
				return msgProhibitedResource.New()
			case "NotResource":
				return msgTrustResources.New()
			default:
				return errSyntax
			}
		}
	}
	if err := p.commonStatementChecks(); err != nil {
		return err
	}
	for _, st := range p.statements {
		principal, hasPrincipal := st["Principal"]
		notPrincipal, hasNot := st["NotPrincipal"]
		switch {
		case !hasPrincipal && !hasNot:
			return msgNoPrincipal.New()
		case hasNot && st["Effect"] == "Allow":
			return msgAllowNotPrincipal.New()
		case hasPrincipal:
			if err := checkPrincipal(principal); err != nil {
				return err
			}
		default:
			if err := checkPrincipal(notPrincipal); err != nil {
				return err
			}
		}
		if !hasElements(st, "Action", "NotAction") {
			return errNoActions
		}
		for _, a := range elements(st["Action"]) {
			if !trustAction(a) {
				return msgTrustActions.New()
			}
		}
	}
	return nil
}

// trustAction accepts the STS actions a trust policy may name, and wildcards within the
// sts namespace ("sts:AssumeRole*").
func trustAction(a string) bool {
	l := strings.ToLower(a)
	return trustActions[l] || (strings.HasPrefix(l, "sts:") && strings.ContainsAny(l, "*?"))
}

var (
	principalARN = lazyregexp.MustCompile(`^arn:[a-z\-]+:(iam|sts)::(\d{12}|aws):.+$`)
	servicePrinc = lazyregexp.MustCompile(`^[a-z0-9][a-z0-9\-.]*\.amazon(aws)?\.com(\.cn)?$`)
)

// checkPrincipal validates a Principal element: "*" or a map of principal types to one
// or more principals.
func checkPrincipal(p any) error {
	if s, ok := p.(string); ok {
		if s == "*" {
			return nil
		}
		return msgInvalidPrincipal.New(s)
	}
	m, ok := p.(map[string]any)
	if !ok {
		return errSyntax
	}
	if len(m) == 0 {
		return msgEmptyPrincipal.New()
	}
	for _, kind := range slices.Sorted(maps.Keys(m)) {
		v := m[kind]
		if !isStringOrStrings(v) {
			return errSyntax
		}
		for _, who := range elements(v) {
			valid := false
			switch kind {
			case "AWS":
				valid = who == "*" || auth.IsAccountID(who) || principalARN.MatchString(who)
			case "Service":
				valid = servicePrinc.MatchString(who)
			case "Federated", "CanonicalUser":
				valid = who != ""
			}
			if !valid {
				return msgInvalidPrincipal.New(strings.ToUpper(kind) + `":"` + who)
			}
		}
	}
	return nil
}
