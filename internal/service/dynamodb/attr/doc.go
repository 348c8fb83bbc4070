// Package attr is DynamoDB's data model: attribute values and items, the checks AWS makes
// on them, numbers as exact decimals of up to 38 significant digits, the order DynamoDB
// sorts keys in, the size it charges an item, and the binary form items are stored in
// (always sealed by the caller: see the service's crypto).
//
// Values are the generated dynamodbapi.AttributeValue, so that what a request decoded
// is what the expression evaluator and the store see, without a copy.
package attr
