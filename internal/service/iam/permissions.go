package iam

import (
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Permissions policies evaluated for other services (port.Permissions): a resource's own
// policy (a KMS key policy), and the IAM policies of the principal that calls. The rules
// are the trust policies' (trust.go): an applying Deny wins, an applying Allow allows, and
// anything else is an implicit deny. Session policies bound a session's identity-based
// permissions (IdentityPolicies); a permissions boundary is not evaluated.

var _ port.Permissions = (*Service)(nil)

// ResourcePolicy implements port.Permissions.
func (s *Service) ResourcePolicy(doc string, req port.AccessRequest) (port.Decision, error) {
	p, err := parsePolicy(doc, errSyntax)
	if err != nil {
		return port.NoDecision, fmt.Errorf("iam: the stored resource policy does not parse: %v", err)
	}
	req.Keys = s.fullContext(port.TrustRequest{Principal: req.Principal, Keys: req.Keys})
	decision := port.NoDecision
	for _, st := range p.statements {
		who := resourcePrincipal(st, req.Principal)
		if who == port.NoDecision {
			continue
		}
		applies, err := permissionApplies(st, req)
		if err != nil {
			return port.NoDecision, err
		}
		switch {
		case !applies:
		case st["Effect"] == "Deny":
			return port.Deny, nil
		case who == port.Allow || decision == port.NoDecision:
			decision = who
		}
	}
	return decision, nil
}

// resourcePrincipal says how a resource policy statement's principal covers the caller:
// Allow when it names the caller (or everyone), AllowAccount when it names the caller's
// account, whose IAM policies then decide, NoDecision when it does not cover the caller.
func resourcePrincipal(st map[string]any, p port.Principal) port.Decision {
	if np, ok := st["NotPrincipal"]; ok {
		if principalMatches(np, p) {
			return port.NoDecision
		}
		return port.Allow
	}
	elem, ok := st["Principal"]
	if !ok {
		return port.NoDecision
	}
	if s, ok := elem.(string); ok && s == "*" {
		return port.Allow
	}
	if !principalMatches(elem, p) {
		return port.NoDecision
	}
	if p.Type != port.PrincipalAWS || isRoot(p.ID) || !namesOnlyAccount(elem, p) {
		return port.Allow
	}
	return port.AllowAccount
}

// namesOnlyAccount reports whether the principal element covers the caller only through
// its account (an account id or root ARN), not by its own ARN or its role.
func namesOnlyAccount(elem any, p port.Principal) bool {
	m, _ := elem.(map[string]any)
	for kind, v := range m {
		if !strings.EqualFold(kind, port.PrincipalAWS) {
			continue
		}
		for _, named := range elements(v) {
			if principalNames(port.PrincipalAWS, named, p.ID) && !namesAccount(named) {
				return false
			}
		}
	}
	return true
}

func namesAccount(named string) bool {
	if auth.IsAccountID(named) {
		return true
	}
	a, err := arn.Parse(named)
	return err == nil && a.Service == "iam" && a.Resource == "root"
}

func isRoot(principalARN string) bool {
	a, err := arn.Parse(principalARN)
	return err == nil && a.Service == "iam" && a.Resource == "root"
}

// permissionApplies matches a statement's action, resource and conditions.
func permissionApplies(st map[string]any, req port.AccessRequest) (bool, error) {
	if a, ok := st["Action"]; ok && !actionMatches(elements(a), req.Action) {
		return false, nil
	}
	if a, ok := st["NotAction"]; ok && actionMatches(elements(a), req.Action) {
		return false, nil
	}
	if r, ok := st["Resource"]; ok && !resourceMatches(elements(r), req.Resource) {
		return false, nil
	}
	if r, ok := st["NotResource"]; ok && resourceMatches(elements(r), req.Resource) {
		return false, nil
	}
	if c, ok := st["Condition"]; ok {
		return conditionsHold(c, req.Keys)
	}
	return true, nil
}

func resourceMatches(patterns []string, resource string) bool {
	for _, p := range patterns {
		if ok, _ := arnLike(resource, p); p == "*" || ok {
			return true
		}
	}
	return false
}

// IdentityPolicies implements port.Permissions. A session with session policies may do
// what its principal's policies and its session policies both allow; a federated user's
// principal is the one that federated it, and without session policies it may do
// nothing, as AWS documents for GetFederationToken.
func (s *Service) IdentityPolicies(tx kit.Tx, req port.AccessRequest) (port.Decision, error) {
	if req.Principal.Type != port.PrincipalAWS {
		return port.NoDecision, nil
	}
	federated := req.Session.FederatedBy != "" && isFederatedUser(req.Principal.ID)
	if federated && !req.Session.Limited() {
		return port.NoDecision, nil
	}
	req.Keys = s.fullContext(port.TrustRequest{Principal: req.Principal, Keys: req.Keys})
	owner := req.Principal.ID
	if federated {
		owner = req.Session.FederatedBy
	}
	byPrincipal, err := s.principalDecision(tx, owner, req)
	if err != nil || byPrincipal == port.Deny || !req.Session.Limited() {
		return byPrincipal, err
	}
	docs, err := s.sessionPolicies(tx, req.Principal.ID, req.Session)
	if err != nil {
		return port.NoDecision, err
	}
	bySession, err := evaluatePolicies(docs, req)
	switch {
	case err != nil || bySession == port.Deny:
		return bySession, err
	case byPrincipal == port.Allow && bySession == port.Allow:
		return port.Allow, nil
	}
	return port.NoDecision, nil
}

// principalDecision evaluates the IAM policies of a principal: the root may do anything.
func (s *Service) principalDecision(tx kit.Tx, principalARN string, req port.AccessRequest) (port.Decision, error) {
	if isRoot(principalARN) {
		return port.Allow, nil
	}
	docs, err := s.principalPolicies(tx, principalARN)
	if err != nil {
		return port.NoDecision, err
	}
	return evaluatePolicies(docs, req)
}

// evaluatePolicies is the decision of a set of permissions policies: an applying Deny
// wins, an applying Allow allows, and anything else decides nothing.
func evaluatePolicies(docs []string, req port.AccessRequest) (port.Decision, error) {
	decision := port.NoDecision
	for _, doc := range docs {
		p, err := parsePolicy(doc, errSyntax)
		if err != nil {
			return port.NoDecision, fmt.Errorf("iam: a stored permissions policy does not parse: %v", err)
		}
		for _, st := range p.statements {
			applies, err := permissionApplies(st, req)
			if err != nil {
				return port.NoDecision, err
			}
			if !applies {
				continue
			}
			if st["Effect"] == "Deny" {
				return port.Deny, nil
			}
			decision = port.Allow
		}
	}
	return decision, nil
}

// sessionPolicies are a session's inline policy and the current default versions of its
// managed session policies, looked up when a request is evaluated as AWS does. A managed
// policy that no longer exists allows nothing.
func (s *Service) sessionPolicies(ktx kit.Tx, principalARN string, sess kit.Session) ([]string, error) {
	var docs []string
	if sess.Policy != "" {
		docs = append(docs, sess.Policy)
	}
	a, err := arn.Parse(principalARN)
	if err != nil {
		return docs, nil
	}
	c := accountCall(a.Account, a.Partition)
	tx := s.Join(ktx)
	for _, policyARN := range sess.PolicyARNs {
		if _, _, _, err := parsePolicyARN(policyARN); err != nil {
			continue
		}
		m, ok, err := resolvePolicy(tx, c, policyARN)
		if err != nil {
			return nil, err
		}
		if ok {
			docs = append(docs, m.defaultDocument())
		}
	}
	return docs, nil
}

// defaultDocument is the document of a managed policy's default version.
func (m managed) defaultDocument() string {
	for _, v := range m.versions() {
		if v.ID == m.defaultVersion() {
			return v.Document
		}
	}
	return ""
}

func isFederatedUser(principalARN string) bool {
	a, err := arn.Parse(principalARN)
	return err == nil && a.Service == "sts" && strings.HasPrefix(a.Resource, "federated-user/")
}

// principalPolicies lists the permissions policies of a role session's role: its inline
// policies and the default versions of its attached managed policies.
func (s *Service) principalPolicies(ktx kit.Tx, principalARN string) ([]string, error) {
	a, err := arn.Parse(principalARN)
	if err != nil || a.Service != "sts" || !strings.HasPrefix(a.Resource, "assumed-role/") {
		return nil, nil
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
	c := accountCall(a.Account, a.Partition)
	tx := s.Join(ktx)
	r, ok, err := loadRole(c.in(tx), name)
	if err != nil || !ok {
		return nil, err
	}
	var docs []string
	for _, p := range r.Inline {
		docs = append(docs, p.Document)
	}
	for _, policyARN := range r.Attached {
		m, ok, err := resolvePolicy(tx, c, policyARN)
		if err != nil {
			return nil, err
		}
		if ok {
			docs = append(docs, m.defaultDocument())
		}
	}
	return docs, nil
}
