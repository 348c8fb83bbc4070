package sns

import (
	"fmt"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/snsapi"
)

// The catalogue of Amazon SNS's texts: every text the service answers is here. The texts
// are AWS's; where AWS's exact wording could not be confirmed the text is marked
// "(xregion)" and follows AWS's style ("Invalid parameter: <what> Reason: <why>").

// Topics and their attributes.
var (
	msgTopicNotFound     = awserr.Message{Kind: snsapi.ErrNotFound, Text: "Topic does not exist"}
	msgBadTopicName      = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Topic Name"}
	msgBadFifoTopicName  = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."}
	msgTopicARN          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: TopicArn"}
	msgShortTopicARN     = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not %d"}
	msgOtherAttributes   = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Attributes Reason: Topic already exists with different attributes"}
	msgOtherTags         = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Tags Reason: Topic already exists with different tags"}
	msgTopicAttrName     = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: AttributeName"}
	msgCreateAttrName    = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Attributes Reason: Unknown attribute %s"}         // (xregion)
	msgAttrValue         = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %s Reason: %s"}                                   // (xregion) for values AWS documents
	msgFifoOnly          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %s Reason: only FIFO topics have this attribute"} // (xregion)
	msgPolicyError       = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Policy Error: null"}
	msgPolicyScope       = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Policy statement action out of service scope!"}
	msgNoDataProtection  = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: DataProtectionPolicy Reason: xregion does not apply message data protection policies"} // (xregion)
	msgDeliveryPolicy    = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: DeliveryPolicy: %s"}                                                                   // (xregion)
	msgBadNextToken      = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: NextToken"}
	msgNotAuthorized     = awserr.Message{Kind: snsapi.ErrAuthorizationError, Text: "User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action"}
	msgDeniedByPolicy    = awserr.Message{Kind: snsapi.ErrAuthorizationError, Text: "User: %s is not authorized to perform: %s on resource: %s with an explicit deny in a resource-based policy"}
	msgUnsubscribeAnonym = awserr.Message{Kind: snsapi.ErrAuthorizationError, Text: "Unsubscribe requires authentication: the subscription was confirmed with AuthenticateOnUnsubscribe"} // (xregion)
)

// Subscriptions.
var (
	msgSubscriptionNotFound = awserr.Message{Kind: snsapi.ErrNotFound, Text: "Subscription does not exist"}
	msgBadProtocol          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Amazon SNS does not support this protocol string: %s"}
	msgProtocolNotServed    = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Protocol Reason: xregion delivers to http and https endpoints only, not to %s endpoints"} // (xregion)
	msgFifoProtocol         = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Protocol Reason: FIFO topics deliver only to Amazon SQS queues, not to %s endpoints"}     // (xregion)
	msgNoEndpoint           = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Endpoint"}
	msgEndpointProtocol     = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Endpoint must match the specified protocol"}
	msgOtherSubAttributes   = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Attributes Reason: Subscription already exists with different attributes"}
	msgSubAttrName          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %sAttributeName"}
	msgRawDelivery          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %sRawMessageDelivery: Invalid value [%s]. Must be true or false."}
	msgFilterScope          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %sFilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes"}
	msgFilterJSON           = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %sFilterPolicy: failed to parse JSON."}
	msgFilterPolicy         = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %sFilterPolicy: %s"}
	msgNoSQS                = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: %s%s Reason: xregion has no Amazon SQS to redrive or replay messages to"}        // (xregion)
	msgNoArchive            = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: ArchivePolicy Reason: xregion has no Amazon SQS to replay archived messages to"} // (xregion)
	msgSubscriptionARN      = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not %d"}
	msgSubscriptionRegion   = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: SubscriptionArn Reason: the subscription belongs to another Region"} // (xregion)
	msgSubscriptionID       = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: SubscriptionId"}
	msgPendingUnsubscribe   = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Cannot unsubscribe a subscription that is pending confirmation"}
	msgBadToken             = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Token"}
	msgNotOwner             = awserr.Message{Kind: snsapi.ErrAuthorizationError, Text: "User: %s is not authorized to perform: %s on resource: %s"}
)

// Publishing.
var (
	msgEmptyMessage      = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Empty message"}
	msgTooLong           = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Message too long"}
	msgBadSubject        = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Subject"}
	msgNoTarget          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"}
	msgNoSMS             = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: PhoneNumber Reason: xregion publishes to topics only, not to phone numbers"}    // (xregion)
	msgNoMobile          = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: TargetArn Reason: xregion publishes to topics only, not to platform endpoints"} // (xregion)
	msgNoDefault         = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Message Structure - No default entry in JSON message body"}
	msgStructureJSON     = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Message Structure - JSON message body failed to parse"}
	msgGroupRequired     = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"}
	msgDedupRequired     = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"}
	msgDedupOnStandard   = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"}
	msgAttrNameTooLong   = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "Length of message attribute name must be less than 256 bytes."}
	msgAttrNameStart     = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "Invalid message attribute name starting with character '.' was found."}
	msgAttrNameEnd       = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "Invalid message attribute name ending with character '.' was found."}
	msgAttrNameChar      = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "Invalid non-alphanumeric character '#x%X' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."}
	msgAttrNameDots      = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "Message attribute name can not have successive '.' character."}
	msgAttrType          = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."}
	msgAttrEmpty         = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'."}
	msgAttrField         = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "The message attribute '%s' with type '%s' must use field '%s'."}
	msgAttrNumber        = awserr.Message{Kind: snsapi.ErrInvalidParameterValue, Text: "Could not cast message attribute '%s' value to number."}
	msgTooManyEntries    = awserr.Message{Kind: snsapi.ErrTooManyEntriesInBatchRequest, Text: "The batch request contains more entries than permissible."}
	msgEmptyBatch        = awserr.Message{Kind: snsapi.ErrEmptyBatchRequest, Text: "The batch request doesn't contain any entries."}
	msgBatchIDsTwice     = awserr.Message{Kind: snsapi.ErrBatchEntryIdsNotDistinct, Text: "Two or more batch entries in the request have the same Id."}
	msgBatchIDTooLong    = awserr.Message{Kind: snsapi.ErrInvalidBatchEntryId, Text: "The Id of a batch entry in the batch request is too long: %s"}
	msgBatchIDCharacters = awserr.Message{Kind: snsapi.ErrInvalidBatchEntryId, Text: "The Id of a batch entry in the batch request contains an impermissible character: %s"}
	msgBatchTooLong      = awserr.Message{Kind: snsapi.ErrBatchRequestTooLong, Text: "The length of all the messages put together is more than the limit."}
)

// Tags.
var (
	msgTagResource    = awserr.Message{Kind: snsapi.ErrResourceNotFound, Text: "Resource does not exist"}
	msgTagKeyReserved = awserr.Message{Kind: snsapi.ErrInvalidParameter, Text: "Invalid parameter: Tags Reason: Keys can't start with aws:"} // (xregion)
	msgTooManyTags    = awserr.Message{Kind: snsapi.ErrTagLimitExceeded, Text: "Could not complete request: tag quota of per resource exceeded"}
)

// text is a text the service sends in something other than an error: the Message of a
// confirmation it delivers. It is a fmt format.
type text string

func (t text) with(args ...any) string { return fmt.Sprintf(string(t), args...) }

// textSubscribeReason starts the reason of an attribute Subscribe refuses; the same
// attribute set with SetSubscriptionAttributes is refused without it.
const textSubscribeReason text = "Attributes Reason: "

// The messages of the confirmations SNS delivers to HTTP/S endpoints, as AWS words them.
const (
	textSubscribe   text = "You have chosen to subscribe to the topic %s.\nTo confirm the subscription, visit the SubscribeURL included in this message."
	textUnsubscribe text = "You have chosen to deactivate subscription %s.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
)

// Why a delivery policy is refused. AWS's texts are not documented. (xregion)
const (
	reasonNotDeliveryPolicy text = "the policy is not a JSON delivery policy (%v)"
	reasonThrottle          text = "throttlePolicy.maxReceivesPerSecond must be at least 1"
	reasonContentType       text = "requestPolicy.headerContentType %s is not supported"
	reasonNumRetries        text = "numRetries must be between 0 and 100"
	reasonNegative          text = "the numbers of retries of each phase must not be negative"
	reasonPhases            text = "numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries must add up to at most numRetries"
	reasonMinDelay          text = "minDelayTarget must be at least 1 and at most maxDelayTarget"
	reasonMaxDelay          text = "maxDelayTarget must be at most 3600"
	reasonBackoff           text = "backoffFunction must be linear, arithmetic, geometric or exponential"
	reasonTotal             text = "the retries must take at most 3600 seconds in all"
)

// Why a topic attribute's value is refused. (xregion)
const (
	reasonDisplayName text = "must be at most 100 characters long"
	reasonTracingFifo text = "Active tracing is only supported on standard topics"
	reasonRoleARN     text = "must be an IAM role ARN"
	reasonSampleRate  text = "must be an integer from 0 to 100"
	reasonOneOf       text = "must be one of: %s"
)

// Why a filter policy is refused, after "FilterPolicy: ". (xregion)
const (
	reasonFilterKeys     text = "Filter policy can not have more than %d keys"
	reasonFilterNested   text = "Filter policy scope MessageAttributes does not support nested filter policy"
	reasonFilterArray    text = "Match value for key %s must be an array of conditions"
	reasonFilterOperator text = "Unrecognized match type %s"
)
