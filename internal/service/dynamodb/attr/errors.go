package attr

import "github.com/xregion/xregion/internal/awserr"

// Validation is DynamoDB's ValidationException. DynamoDB writes its message in the
// member "message", unlike the common JSON error kind.
var Validation = awserr.Kind{Code: "ValidationException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}

var (
	msgEmptyValue     = awserr.Message{Kind: Validation, Text: "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"}
	msgManyTypes      = awserr.Message{Kind: Validation, Text: "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"}
	msgNullFalse      = awserr.Message{Kind: Validation, Text: "One or more parameter values were invalid: Null attribute value types must have the value of true"}
	msgEmptySet       = awserr.Message{Kind: Validation, Text: "One or more parameter values were invalid: An %s set  may not be empty"}
	msgDuplicates     = awserr.Message{Kind: Validation, Text: "One or more parameter values were invalid: Input collection %s contains duplicates."}
	msgNotANumber     = awserr.Message{Kind: Validation, Text: "A value provided cannot be converted into a number"}
	msgTooPrecise     = awserr.Message{Kind: Validation, Text: "Attempting to store more than 38 significant digits in a Number"}
	msgNumberOverflow = awserr.Message{Kind: Validation, Text: "Number overflow. Attempting to store a number with magnitude larger than supported range"}
	msgNumberUnder    = awserr.Message{Kind: Validation, Text: "Number underflow. Attempting to store a number with magnitude smaller than supported range"}
	msgTooDeep        = awserr.Message{Kind: Validation, Text: "Nesting Levels have exceeded supported limits"}
)
