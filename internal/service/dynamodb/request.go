package dynamodb

import (
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
)

// params names the expression and legacy parameters a request sent, to check them
// together as DynamoDB does before it parses anything.
type params struct {
	exprs, legacy []string
}

func (p *params) expression(name string, v *string) {
	if v != nil {
		p.exprs = append(p.exprs, name)
	}
}

func (p *params) old(name string, present bool) {
	if present {
		p.legacy = append(p.legacy, name)
	}
}

// context checks the mix of parameters and returns the request's expression context.
func (p *params) context(names map[string]string, values map[string]attr.Value) (*expr.Context, error) {
	if len(p.exprs) > 0 && len(p.legacy) > 0 {
		return nil, msgMixedParams.New(strings.Join(p.legacy, ", "), strings.Join(p.exprs, ", "))
	}
	if len(p.exprs) == 0 && names != nil {
		return nil, msgNamesNoExpr.New()
	}
	if len(p.exprs) == 0 && values != nil {
		return nil, msgValuesNoExpr.New()
	}
	return expr.NewContext(names, values)
}

// condition parses a condition: the ConditionExpression, or the legacy Expected.
func condition(ctx *expr.Context, expression *string, expected map[string]ddb.ExpectedAttributeValue, op *string) (expr.Cond, error) {
	if op != nil && expected == nil {
		return nil, msgOperatorNoExpr.New()
	}
	if expression != nil {
		return expr.ParseCondition(expr.KindCondition, *expression, ctx)
	}
	if expected != nil {
		return expr.FromExpected(expected, deref(op))
	}
	return nil, nil
}

// writeCondition checks and parses the condition of a single-item write (PutItem,
// DeleteItem): its ConditionExpression or legacy Expected, with every name and value the
// request defines used by it.
func writeCondition(expression *string, expected map[string]ddb.ExpectedAttributeValue, op *string,
	names map[string]string, values map[string]attr.Value) (expr.Cond, error) {
	var p params
	p.expression("ConditionExpression", expression)
	p.old("Expected", expected != nil)
	ectx, err := p.context(names, values)
	if err != nil {
		return nil, err
	}
	cond, err := condition(ectx, expression, expected, op)
	if err != nil {
		return nil, err
	}
	return cond, ectx.Unused()
}

// projection parses a projection: the ProjectionExpression, or the legacy
// AttributesToGet. nil means the whole item.
func projection(ctx *expr.Context, expression *string, toGet []string) (expr.Projection, error) {
	if expression != nil {
		return expr.ParseProjection(*expression, ctx)
	}
	if toGet != nil {
		return expr.NewProjection(toGet...), nil
	}
	return nil, nil
}

// holds reports whether cond (nil: no condition) holds for item.
func holds(cond expr.Cond, item attr.Item) bool { return cond == nil || cond.Eval(item) }

// conditionFailed is ConditionalCheckFailedException, with the item as it is when the
// request asked for it (ReturnValuesOnConditionCheckFailure ALL_OLD).
func conditionFailed(onFailure *string, item attr.Item) error {
	e := msgConditionFailed.New()
	if deref(onFailure) == ddb.ReturnValuesOnConditionCheckFailureAllOld && item != nil {
		e.Members = map[string]any{"Item": item}
	}
	return e
}

// returnValues checks ReturnValues against those an operation allows.
func returnValues(rv *string, allowed ...string) (string, error) {
	v := deref(rv)
	if v == "" {
		return ddb.ReturnValueNone, nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", msgReturnValues.New()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// isAWS reports whether err is an AWS error (one to answer as it is), as opposed to an
// internal failure.
func isAWS(err error) bool {
	_, ok := err.(*awserr.Error)
	return ok
}
