package secretsmanager

import (
	"context"
	"encoding/json"
	"strings"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service/kit"
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
		return nil, msgPolicySyntax.New()
	}
	var out []finding
	if v, ok := pol["Version"]; ok {
		var ver string
		if json.Unmarshal(v, &ver) != nil || (ver != "2012-10-17" && ver != "2008-10-17") {
			out = append(out, finding{checkSyntax, textBadVersion.with()})
		}
	}
	raw, ok := pol["Statement"]
	if !ok {
		return append(out, finding{checkSyntax, textNoStatement.with()}), nil
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(raw, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return append(out, finding{checkSyntax, textStatementShape.with()}), nil
		}
		stmts = []map[string]json.RawMessage{one}
	}
	if len(stmts) == 0 {
		out = append(out, finding{checkSyntax, textEmptyStatement.with()})
	}
	for i, st := range stmts {
		out = append(out, statementFindings(i+1, st)...)
	}
	return out, nil
}

// statementFindings checks statement n of a policy.
func statementFindings(n int, st map[string]json.RawMessage) []finding {
	var out []finding
	var effect string
	if json.Unmarshal(st["Effect"], &effect) != nil || (effect != "Allow" && effect != "Deny") {
		out = append(out, finding{checkSyntax, textBadEffect.with(n)})
	}
	_, hasP := st["Principal"]
	_, hasNP := st["NotPrincipal"]
	if !hasP && !hasNP {
		out = append(out, finding{checkSyntax, textNoPrincipal.with(n)})
	}
	_, hasA := st["Action"]
	_, hasNA := st["NotAction"]
	if !hasA && !hasNA {
		out = append(out, finding{checkSyntax, textNoAction.with(n)})
	}
	_, cond := st["Condition"]
	if effect == "Allow" && !cond && (hasNP || (hasP && wildcardPrincipal(st["Principal"]))) {
		out = append(out, finding{checkPublic, textBroadAccess.with(n)})
	}
	return out
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

func (s *Service) PutResourcePolicy(ctx context.Context, in *sm.PutResourcePolicyRequest) (*sm.PutResourcePolicyResponse, error) {
	c := s.Call(ctx)
	findings, err := analysePolicy(*in.ResourcePolicy)
	if err != nil {
		return nil, err
	}
	block := in.BlockPublicPolicy != nil && *in.BlockPublicPolicy
	for _, f := range findings {
		if f.check == checkSyntax {
			return nil, msgPolicySyntax.New()
		}
		if f.check == checkPublic && block {
			return nil, msgPublicPolicy.New()
		}
	}
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.PutResourcePolicyResponse, error) {
		rec.Policy = in.ResourcePolicy
		return &sm.PutResourcePolicyResponse{ARN: new(rec.arn(v)), Name: new(rec.Name)}, s.commit(tx, v, rec, c.Now())
	})
}

func (s *Service) GetResourcePolicy(ctx context.Context, in *sm.GetResourcePolicyRequest) (*sm.GetResourcePolicyResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*sm.GetResourcePolicyResponse, error) {
		v := c.In(tx)
		// A read, so a replica answers too: with the primary's policy, which every sync
		// copies to it.
		rec, err := find(v, *in.SecretId)
		if err != nil {
			return nil, err
		}
		return &sm.GetResourcePolicyResponse{ARN: new(rec.arn(v)), Name: new(rec.Name), ResourcePolicy: rec.Policy}, nil
	})
}

func (s *Service) DeleteResourcePolicy(ctx context.Context, in *sm.DeleteResourcePolicyRequest) (*sm.DeleteResourcePolicyResponse, error) {
	c := s.Call(ctx)
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.DeleteResourcePolicyResponse, error) {
		out := &sm.DeleteResourcePolicyResponse{ARN: new(rec.arn(v)), Name: new(rec.Name)}
		if rec.Policy == nil {
			return out, nil
		}
		rec.Policy = nil
		return out, s.commit(tx, v, rec, c.Now())
	})
}

func (s *Service) ValidateResourcePolicy(ctx context.Context, in *sm.ValidateResourcePolicyRequest) (*sm.ValidateResourcePolicyResponse, error) {
	c := s.Call(ctx)
	if in.SecretId != nil {
		err := s.View(func(tx kit.Tx) error {
			_, err := find(c.In(tx), *in.SecretId)
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
	out := &sm.ValidateResourcePolicyResponse{PolicyValidationPassed: new(len(findings) == 0), ValidationErrors: []sm.ValidationErrorsEntry{}}
	for _, f := range findings {
		out.ValidationErrors = append(out.ValidationErrors, sm.ValidationErrorsEntry{CheckName: new(f.check), ErrorMessage: new(strings.TrimSpace(f.message))})
	}
	return out, nil
}
