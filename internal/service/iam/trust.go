package iam

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// A role's trust policy decides who may assume it. This is its evaluation, once for every
// service that asks: STS for AssumeRole and AssumeRoleWithWebIdentity (strict mode), and
// the services whose jobs act through a role (AWS Backup's backup.amazonaws.com). As in
// AWS: a statement applies when its principal, its action and its conditions all match;
// an applying Deny refuses whatever else applies; without an applying Allow the request
// is refused. Identity-based policies of the caller are not evaluated (xregion does not
// model users' permissions), so a trust policy that names an account lets every principal
// of that account in, as it does in AWS for a caller whose own policies allow it.

// AuthorizeAssumeRole checks that the role roleARN exists and that its trust policy
// allows every one of reqs (AssumeRole together with TagSession when session tags are
// passed, say). It answers port.ErrNoSuchRole or a *port.NotTrustedError naming the
// first action refused.
func (s *Service) AuthorizeAssumeRole(tx kit.Tx, roleARN string, reqs ...port.TrustRequest) (port.RoleInfo, error) {
	role, ok, err := s.RoleByARN(tx, roleARN)
	if err != nil {
		return port.RoleInfo{}, err
	}
	if !ok {
		return port.RoleInfo{}, port.ErrNoSuchRole
	}
	for _, req := range reqs {
		req.Keys = s.fullContext(req)
		allowed, reason, err := Trusts(role.AssumeRolePolicyDocument, req)
		if err != nil {
			reason = err.Error()
		}
		if !allowed {
			return role, &port.NotTrustedError{Action: req.Action, Reason: reason}
		}
	}
	return role, nil
}

// TrustsService checks that the role roleARN exists and trusts the service principal
// (backup.amazonaws.com) to assume it, with the condition keys a service's job carries
// (aws:SourceAccount, aws:SourceArn).
func (s *Service) TrustsService(tx kit.Tx, roleARN, servicePrincipal string, keys port.ConditionKeys) (port.RoleInfo, error) {
	return s.AuthorizeAssumeRole(tx, roleARN, port.TrustRequest{
		Action: "sts:AssumeRole", Principal: port.Principal{Type: port.PrincipalService, ID: servicePrincipal}, Keys: keys,
	})
}

// fullContext adds to a request's keys those that follow from its principal and the
// clock, without overriding what the caller set.
func (s *Service) fullContext(req port.TrustRequest) port.ConditionKeys {
	ctx := port.ConditionKeys{}
	for k, v := range principalContext(req.Principal) {
		ctx[k] = v
	}
	if s.Clock != nil {
		now := s.Clock.Now().UTC()
		ctx.Set("aws:CurrentTime", now.Format("2006-01-02T15:04:05Z"))
		ctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	}
	for k, v := range req.Keys {
		ctx[k] = v
	}
	return ctx
}

// principalContext is the global condition keys a principal brings.
func principalContext(p port.Principal) port.ConditionKeys {
	ctx := port.ConditionKeys{}
	switch p.Type {
	case port.PrincipalService:
		ctx.Set("aws:PrincipalIsAWSService", "true")
		ctx.Set("aws:PrincipalServiceName", p.ID)
		return ctx
	case port.PrincipalFederated:
		ctx.Set("aws:FederatedProvider", p.ID)
		return ctx
	}
	ctx.Set("aws:PrincipalIsAWSService", "false")
	a, err := arn.Parse(p.ID)
	if err != nil {
		return ctx
	}
	ctx.Set("aws:PrincipalAccount", a.Account)
	ctx.Set("aws:PrincipalArn", p.ID)
	switch {
	case a.Resource == "root":
		ctx.Set("aws:PrincipalType", "Account")
	case strings.HasPrefix(a.Resource, "user/"):
		ctx.Set("aws:PrincipalType", "User")
		ctx.Set("aws:username", a.Resource[strings.LastIndexByte(a.Resource, '/')+1:])
	case strings.HasPrefix(a.Resource, "assumed-role/"):
		ctx.Set("aws:PrincipalType", "AssumedRole")
		// A session's aws:PrincipalArn is its role's ARN. The session ARN does not carry
		// the role's path, so the ARN is written without one.
		role, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
		ctx.Set("aws:PrincipalArn", arn.New(a.Partition, "iam", "", a.Account, "role/"+role))
	}
	return ctx
}

// Trusts evaluates the trust policy doc for req: allowed, and if not, why. An error
// means a statement could not be evaluated, which refuses the request.
func Trusts(doc string, req port.TrustRequest) (allowed bool, reason string, err error) {
	p, err := parsePolicy(doc, errSyntax)
	if err != nil {
		return false, "", fmt.Errorf("iam: the stored trust policy does not parse: %v", err)
	}
	allowedBy := false
	for _, st := range p.statements {
		applies, err := statementApplies(st, req)
		if err != nil {
			return false, "", err
		}
		if !applies {
			continue
		}
		if st["Effect"] == "Deny" {
			return false, "denied by a statement of the trust policy", nil
		}
		allowedBy = true
	}
	if !allowedBy {
		return false, "no statement of the trust policy allows it", nil
	}
	return true, "", nil
}

func statementApplies(st map[string]any, req port.TrustRequest) (bool, error) {
	if p, ok := st["Principal"]; ok && !principalMatches(p, req.Principal) {
		return false, nil
	}
	if p, ok := st["NotPrincipal"]; ok && principalMatches(p, req.Principal) {
		return false, nil
	}
	if a, ok := st["Action"]; ok && !actionMatches(elements(a), req.Action) {
		return false, nil
	}
	if a, ok := st["NotAction"]; ok && actionMatches(elements(a), req.Action) {
		return false, nil
	}
	if c, ok := st["Condition"]; ok {
		return conditionsHold(c, req.Keys)
	}
	return true, nil
}

func actionMatches(patterns []string, action string) bool {
	for _, p := range patterns {
		if wildcardMatch(p, action, true) {
			return true
		}
	}
	return false
}

// principalMatches reports whether a Principal element ("*", or a map of principal types
// to one or more principals) names p.
func principalMatches(elem any, p port.Principal) bool {
	if s, ok := elem.(string); ok {
		return s == "*"
	}
	m, _ := elem.(map[string]any)
	for kind, v := range m {
		if !strings.EqualFold(kind, p.Type) {
			continue
		}
		for _, named := range elements(v) {
			if principalNames(p.Type, named, p.ID) {
				return true
			}
		}
	}
	return false
}

// principalNames reports whether one principal of a policy, of the given type, names id.
func principalNames(kind, named, id string) bool {
	if named == "*" || strings.EqualFold(named, id) {
		return true
	}
	if kind != port.PrincipalAWS {
		return false
	}
	caller, err := arn.Parse(id)
	if err != nil {
		return false
	}
	if auth.IsAccountID(named) {
		return named == caller.Account
	}
	pa, err := arn.Parse(named)
	if err != nil || pa.Account != caller.Account || pa.Partition != caller.Partition {
		return false
	}
	switch {
	case pa.Service == "iam" && pa.Resource == "root":
		return true // the account: every principal in it
	case pa.Service == "iam" && strings.HasPrefix(pa.Resource, "role/") && strings.HasPrefix(caller.Resource, "assumed-role/"):
		// A role names its sessions. The session ARN keeps the role's name, not its path.
		role, _, _ := strings.Cut(strings.TrimPrefix(caller.Resource, "assumed-role/"), "/")
		return pa.Resource[strings.LastIndexByte(pa.Resource, '/')+1:] == role
	}
	return false
}
