package secretsmanager

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// Check names of ValidateResourcePolicy findings. AWS does not document its names; these
// say which of its three checks (syntax, broad access, lock-out) failed. (xregion)
const (
	checkSyntax = "SYNTAX_CHECK"
	checkPublic = "PUBLIC_ACCESS_CHECK"
)

type finding struct{ check, message string }

// analysePolicy checks a resource policy: it must be a JSON policy document that IAM could
// parse, and it grants public access when an Allow statement names the principal "*" (or
// {"AWS": "*"}) with no condition to narrow it. Malformed JSON returns an error; problems
// with the document's structure are syntax findings.
func analysePolicy(doc string) ([]finding, error) {
	var pol map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &pol); err != nil {
		return nil, sm.ErrMalformedPolicyDocument.New(msgPolicySyntax)
	}
	var out []finding
	syntax := func(format string, args ...any) {
		out = append(out, finding{checkSyntax, fmt.Sprintf(format, args...)})
	}
	if v, ok := pol["Version"]; ok {
		var ver string
		if json.Unmarshal(v, &ver) != nil || (ver != "2012-10-17" && ver != "2008-10-17") {
			syntax("The policy Version must be 2012-10-17 or 2008-10-17.")
		}
	}
	raw, ok := pol["Statement"]
	if !ok {
		syntax("The policy must contain a Statement.")
		return out, nil
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(raw, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			syntax("The policy Statement must be an object or a list of objects.")
			return out, nil
		}
		stmts = []map[string]json.RawMessage{one}
	}
	if len(stmts) == 0 {
		syntax("The policy Statement must not be empty.")
	}
	for i, st := range stmts {
		n := i + 1
		var effect string
		if json.Unmarshal(st["Effect"], &effect) != nil || (effect != "Allow" && effect != "Deny") {
			syntax("Statement %d: Effect must be Allow or Deny.", n)
		}
		_, hasP := st["Principal"]
		_, hasNP := st["NotPrincipal"]
		if !hasP && !hasNP {
			syntax("Statement %d: a resource policy statement must name a Principal.", n)
		}
		_, hasA := st["Action"]
		_, hasNA := st["NotAction"]
		if !hasA && !hasNA {
			syntax("Statement %d: the statement must contain an Action.", n)
		}
		_, cond := st["Condition"]
		if effect == "Allow" && !cond && (hasNP || (hasP && wildcardPrincipal(st["Principal"]))) {
			out = append(out, finding{checkPublic, fmt.Sprintf("Statement %d grants access to every principal: the policy allows broad access to the secret.", n)})
		}
	}
	return out, nil
}

// wildcardPrincipal reports whether a Principal element names everyone.
func wildcardPrincipal(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	aws, ok := m["AWS"]
	if !ok {
		return false
	}
	if json.Unmarshal(aws, &s) == nil {
		return s == "*"
	}
	var l []string
	if json.Unmarshal(aws, &l) == nil {
		for _, p := range l {
			if p == "*" {
				return true
			}
		}
	}
	return false
}

func (s *Service) putResourcePolicy(ctx context.Context, in *sm.PutResourcePolicyRequest) (*sm.PutResourcePolicyResponse, error) {
	info := request.From(ctx)
	findings, err := analysePolicy(*in.ResourcePolicy)
	if err != nil {
		return nil, err
	}
	block := in.BlockPublicPolicy != nil && *in.BlockPublicPolicy
	for _, f := range findings {
		if f.check == checkSyntax {
			return nil, sm.ErrMalformedPolicyDocument.New(msgPolicySyntax)
		}
		if f.check == checkPublic && block {
			return nil, sm.ErrPublicPolicy.New(msgPublicPolicy)
		}
	}
	var out *sm.PutResourcePolicyResponse
	err = s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		rec.Policy = in.ResourcePolicy
		out = &sm.PutResourcePolicyResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name)}
		return s.commit(tx, info.Account, info.Region, rec, s.clock.Now())
	})
	return out, err
}

func (s *Service) getResourcePolicy(ctx context.Context, in *sm.GetResourcePolicyRequest) (*sm.GetResourcePolicyResponse, error) {
	info := request.From(ctx)
	var out *sm.GetResourcePolicyResponse
	err := s.st.View(func(tx store.Tx) error {
		rec, err := find(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		if rec.isReplica() {
			return onReplica()
		}
		out = &sm.GetResourcePolicyResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name), ResourcePolicy: rec.Policy}
		return nil
	})
	return out, err
}

func (s *Service) deleteResourcePolicy(ctx context.Context, in *sm.DeleteResourcePolicyRequest) (*sm.DeleteResourcePolicyResponse, error) {
	info := request.From(ctx)
	var out *sm.DeleteResourcePolicyResponse
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		out = &sm.DeleteResourcePolicyResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name)}
		if rec.Policy == nil {
			return nil
		}
		rec.Policy = nil
		return s.commit(tx, info.Account, info.Region, rec, s.clock.Now())
	})
	return out, err
}

func (s *Service) validateResourcePolicy(ctx context.Context, in *sm.ValidateResourcePolicyRequest) (*sm.ValidateResourcePolicyResponse, error) {
	info := request.From(ctx)
	if in.SecretId != nil {
		err := s.st.View(func(tx store.Tx) error {
			_, err := find(tx, info, *in.SecretId)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	findings, err := analysePolicy(*in.ResourcePolicy)
	if err != nil {
		return nil, err
	}
	passed := len(findings) == 0
	out := &sm.ValidateResourcePolicyResponse{PolicyValidationPassed: &passed, ValidationErrors: []sm.ValidationErrorsEntry{}}
	for _, f := range findings {
		out.ValidationErrors = append(out.ValidationErrors, sm.ValidationErrorsEntry{CheckName: str(f.check), ErrorMessage: str(strings.TrimSpace(f.message))})
	}
	return out, nil
}
