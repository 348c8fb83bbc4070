package expr

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// The kinds of expression, as AWS's messages name them ("Invalid UpdateExpression: ...").
const (
	KindCondition    = "ConditionExpression"
	KindFilter       = "FilterExpression"
	KindKeyCondition = "KeyConditionExpression"
	KindUpdate       = "UpdateExpression"
	KindProjection   = "ProjectionExpression"
)

// Parse errors: every text starts with the kind of expression it is about.
var (
	msgSyntax         = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Syntax error; token: \"%s\", near: \"%s\""}
	msgEmpty          = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: The expression can not be empty;"}
	msgReserved       = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Attribute name is a reserved keyword; reserved keyword: %s"}
	msgNameUndefined  = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s"}
	msgValueUndefined = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: An expression attribute value used in expression is not defined; attribute value: %s"}
	msgBadFunction    = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Invalid function name; function: %s"}
	msgFunctionUse    = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: The function is not allowed to be used this way in an expression; function: %s"}
	msgOperandCount   = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d"}
	msgOperandType    = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Incorrect operand type for operator or function; operator or function: %s, operand type: %s"}
	msgNeedsPath      = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Operator or function requires a document path; operator or function: %s"}
	msgBadTypeName    = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Invalid attribute type name found; type: %s, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"}
	msgBetweenOrder   = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}"}
	msgRedundantParen = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: The expression has redundant parentheses;"}
	msgPathsOverlap   = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s"}
	msgPathsConflict  = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s"}
	msgSectionTwice   = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: The \"%s\" section can only be used once in an update expression;"}
	msgSetOperand     = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Incorrect operand type for operator or function; operator: %s, operand type: %s, typeSet: %s"}
	msgTooManyIn      = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Too many operands for IN; maximum operands: 100"}
	msgIndexTooLarge  = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: List index is out of range; index: %s"}
)

// Errors about the names and values a request defines.
var (
	msgNamesEmpty    = awserr.Message{Kind: attr.Validation, Text: "ExpressionAttributeNames must not be empty"}
	msgValuesEmpty   = awserr.Message{Kind: attr.Validation, Text: "ExpressionAttributeValues must not be empty"}
	msgBadNameKey    = awserr.Message{Kind: attr.Validation, Text: "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\""}
	msgBadValueKey   = awserr.Message{Kind: attr.Validation, Text: "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\""}
	msgBadValue      = awserr.Message{Kind: attr.Validation, Text: "ExpressionAttributeValues contains invalid value: %s for key %s"}
	msgUnusedNames   = awserr.Message{Kind: attr.Validation, Text: "Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}"}
	msgUnusedValues  = awserr.Message{Kind: attr.Validation, Text: "Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}"}
	msgNameEmptyText = awserr.Message{Kind: attr.Validation, Text: "ExpressionAttributeNames contains invalid value: Empty attribute name for key %s"}
)

// Key condition errors.
var (
	msgKeyMissing      = awserr.Message{Kind: attr.Validation, Text: "Query condition missed key schema element: %s"}
	msgKeyNotSupported = awserr.Message{Kind: attr.Validation, Text: "Query key condition not supported"}
	msgKeyTwice        = awserr.Message{Kind: attr.Validation, Text: "KeyConditionExpressions must only contain one condition per key"}
	msgKeyOperator     = awserr.Message{Kind: attr.Validation, Text: "Invalid %s: Invalid operator used in KeyConditionExpression: %s"}
	msgKeyNotKey       = awserr.Message{Kind: attr.Validation, Text: "Query condition missed key schema element: %s"}
)

// Errors of applying an update to an item.
var (
	msgNoSuchAttribute = awserr.Message{Kind: attr.Validation, Text: "The provided expression refers to an attribute that does not exist in the item"}
	msgPathInvalid     = awserr.Message{Kind: attr.Validation, Text: "The document path provided in the update expression is invalid for update"}
	msgWrongDataType   = awserr.Message{Kind: attr.Validation, Text: "An operand in the update expression has an incorrect data type"}
)

// Errors of the legacy (non-expression) parameters.
var (
	msgLegacyArgs     = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator"}
	msgLegacyOperator = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: Unsupported operator on ExpectedAttributeValue or ConditionalOperator: %s"}
	msgLegacyValue    = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: Value or ComparisonOperator must be used with Exists"}
	msgLegacyExists   = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: %s"}
	msgLegacyType     = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: ComparisonOperator %s is not valid for %s AttributeValue type"}
	msgLegacyAction   = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"}
	msgLegacyAdd      = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: ADD action is not supported for the type %s"}
	msgLegacyDelete   = awserr.Message{Kind: attr.Validation, Text: "One or more parameter values were invalid: DELETE action with value is not supported for the type %s"}
)
