package dynamodb

import (
	"github.com/xregion/xregion/internal/awserr"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// validation is DynamoDB's ValidationException (its message member is "message").
var validation = attr.Validation

// Tables.
var (
	msgNotFound          = awserr.Message{Kind: ddb.ErrResourceNotFound, Text: "Requested resource not found"}
	msgTableNotFound     = awserr.Message{Kind: ddb.ErrResourceNotFound, Text: "Requested resource not found: Table: %s not found"}
	msgResourceARN       = awserr.Message{Kind: ddb.ErrResourceNotFound, Text: "Requested resource not found: ResourcArn: %s not found"}
	msgTableExists       = awserr.Message{Kind: ddb.ErrResourceInUse, Text: "Table already exists: %s"}
	msgTableBusy         = awserr.Message{Kind: ddb.ErrResourceInUse, Text: "Attempt to change a resource which is still in use: Table is being %s: %s"}
	msgDeleteProtected   = awserr.Message{Kind: validation, Text: "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."}
	msgBadARN            = awserr.Message{Kind: validation, Text: "Invalid TableArn: Invalid ResourceArn provided as input %s"}
	msgBadTableName      = awserr.Message{Kind: validation, Text: "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"}
	msgShortTableName    = awserr.Message{Kind: validation, Text: "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"}
	msgLongTableName     = awserr.Message{Kind: validation, Text: "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"}
	msgNothingToUpdate   = awserr.Message{Kind: validation, Text: "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"}
	msgHashNotFirst      = awserr.Message{Kind: validation, Text: "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"}
	msgRangeNotSecond    = awserr.Message{Kind: validation, Text: "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"}
	msgKeySchemaSize     = awserr.Message{Kind: validation, Text: "1 validation error detected: Value '%s' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"}
	msgSameKeyTwice      = awserr.Message{Kind: validation, Text: "Invalid KeySchema: Some index key attribute have no definition"}
	msgKeyUndefined      = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]"}
	msgUnusedDefinitions = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"}
	msgDuplicateDef      = awserr.Message{Kind: validation, Text: "Cannot have two attributes with the same name. Attribute name: %s"}
	msgNeedThroughput    = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"}
	msgNoThroughput      = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"}
	msgIndexThroughput   = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s"}
	msgIndexNoThroughput = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST"}
	msgDuplicateIndex    = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Duplicate index name: %s"}
	msgLSINeedsRange     = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"}
	msgLSIHash           = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s"}
	msgLSIRange          = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s"}
	msgProjection        = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified"}
	msgNoNonKey          = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: NonKeyAttributes must be specified when ProjectionType is INCLUDE"}
	msgTooManyIndexes    = awserr.Message{Kind: ddb.ErrLimitExceeded, Text: "One or more parameter values were invalid: Number of %s exceeds per-table limit of %d"}
	msgStreamViewType    = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: StreamViewType must be specified when StreamEnabled is true"}
	msgStreamNoViewType  = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false"}
	msgStreamAlready     = awserr.Message{Kind: ddb.ErrResourceInUse, Text: "Table already has an enabled stream: %s"}
	msgStreamNone        = awserr.Message{Kind: validation, Text: "Table already has no stream enabled"}
	msgStreamReplicas    = awserr.Message{Kind: validation, Text: "Table must have DynamoDB Streams enabled with StreamViewType NEW_AND_OLD_IMAGES to have replicas"}
	msgKeyWithoutSSE     = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: KMSMasterKeyId can only be specified when SSE is enabled"}
	msgSSEType           = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Server-Side Encryption of type %s is not supported"}
	msgKMSKey            = awserr.Message{Kind: validation, Text: "KMS key %s is not usable: %s"}
	msgKMSAccess         = awserr.Message{Kind: validation, Text: "The table's KMS key is inaccessible: %s"}
	msgIndexNotFound     = awserr.Message{Kind: ddb.ErrResourceNotFound, Text: "Requested resource not found: Index: %s not found"}
	msgIndexExists       = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Global Secondary Index already exists: %s"}
	msgIndexMissing      = awserr.Message{Kind: ddb.ErrResourceNotFound, Text: "Requested resource not found: Global Secondary Index does not exist: %s"}
	msgOneIndexUpdate    = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: %s"}
	msgTagKeys           = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Too many tags: a resource may have at most 50 tags"}
	msgListLimit         = awserr.Message{Kind: validation, Text: "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"}
)

// Items.
var (
	msgMissingKey      = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Missing the key %s in the item"}
	msgKeySchema       = awserr.Message{Kind: validation, Text: "The provided key element does not match the schema"}
	msgKeyType         = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s"}
	msgEmptyKey        = awserr.Message{Kind: validation, Text: "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s"}
	msgIndexKeyType    = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s"}
	msgEmptyIndexKey   = awserr.Message{Kind: validation, Text: "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s"}
	msgHashTooLong     = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"}
	msgRangeTooLong    = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"}
	msgItemTooLarge    = awserr.Message{Kind: validation, Text: "Item size has exceeded the maximum allowed size"}
	msgUpdateTooLarge  = awserr.Message{Kind: validation, Text: "Item size to update has exceeded the maximum allowed size"}
	msgKeyUpdate       = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key"}
	msgReturnValues    = awserr.Message{Kind: validation, Text: "Return values set to invalid value"}
	msgMixedParams     = awserr.Message{Kind: validation, Text: "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}"}
	msgNamesNoExpr     = awserr.Message{Kind: validation, Text: "ExpressionAttributeNames can only be specified when using expressions"}
	msgValuesNoExpr    = awserr.Message{Kind: validation, Text: "ExpressionAttributeValues can only be specified when using expressions"}
	msgConditionFailed = awserr.Message{Kind: ddb.ErrConditionalCheckFailed, Text: "The conditional request failed"}
	msgOperatorNoExpr  = awserr.Message{Kind: validation, Text: "ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is specified"}
)

// Queries and scans.
var (
	msgNoKeyCondition   = awserr.Message{Kind: validation, Text: "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."}
	msgNoSuchIndex      = awserr.Message{Kind: validation, Text: "The table does not have the specified index: %s"}
	msgConsistentGSI    = awserr.Message{Kind: validation, Text: "Consistent reads are not supported on global secondary indexes"}
	msgKeyCondType      = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Condition parameter type does not match schema type"}
	msgStartKey         = awserr.Message{Kind: validation, Text: "The provided starting key is invalid: %s"}
	msgStartKeyIndex    = awserr.Message{Kind: validation, Text: "The provided starting key is invalid: The provided key element does not match the schema"}
	msgSegmentNeeded    = awserr.Message{Kind: validation, Text: "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"}
	msgTotalNeeded      = awserr.Message{Kind: validation, Text: "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"}
	msgSegmentRange     = awserr.Message{Kind: validation, Text: "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d"}
	msgSelectAll        = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL"}
	msgSelectSpecific   = awserr.Message{Kind: validation, Text: "1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"}
	msgSelectProjection = awserr.Message{Kind: validation, Text: "Cannot specify the ProjectionExpression when choosing to get %s"}
	msgSelectNoProj     = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet"}
	msgProjectedOnTable = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is not supported without an IndexName"}
)

// Batches and transactions.
var (
	msgTooManyKeys      = awserr.Message{Kind: validation, Text: "Too many items requested for the BatchGetItem call"}
	msgDuplicateKeys    = awserr.Message{Kind: validation, Text: "Provided list of item keys contains duplicates"}
	msgWriteRequest     = awserr.Message{Kind: validation, Text: "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest"}
	msgTooManyWrites    = awserr.Message{Kind: validation, Text: "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"}
	msgTransactTwice    = awserr.Message{Kind: validation, Text: "Transaction request cannot include multiple operations on one item"}
	msgTransactOne      = awserr.Message{Kind: validation, Text: "TransactItems can only contain one of Check, Put, Update or Delete"}
	msgTransactCanceled = awserr.Message{Kind: ddb.ErrTransactionCanceled, Text: "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"}
	msgTokenMismatch    = awserr.Message{Kind: ddb.ErrIdempotentParameterMismatch, Text: "Request token has been used with different parameters"}
)

// Backups and point-in-time recovery.
var (
	msgBackupNotFound   = awserr.Message{Kind: ddb.ErrBackupNotFound, Text: "Backup not found: %s"}
	msgBackupInUse      = awserr.Message{Kind: ddb.ErrBackupInUse, Text: "Backup is being created: %s"}
	msgTableNotFoundB   = awserr.Message{Kind: ddb.ErrTableNotFound, Text: "Table not found: %s"}
	msgTargetExists     = awserr.Message{Kind: ddb.ErrTableAlreadyExists, Text: "Table already exists: %s"}
	msgTableInUse       = awserr.Message{Kind: ddb.ErrTableInUse, Text: "Table is being %s: %s"}
	msgPITRDisabled     = awserr.Message{Kind: ddb.ErrPointInTimeRecoveryUnavailable, Text: "Point in time recovery is not enabled for table '%s'"}
	msgRestoreTime      = awserr.Message{Kind: ddb.ErrInvalidRestoreTime, Text: "Invalid restore time: %s. RestoreDateTime must be between EarliestRestorableDateTime %s and LatestRestorableDateTime %s"}
	msgRestoreBoth      = awserr.Message{Kind: validation, Text: "Only one of RestoreDateTime or UseLatestRestorableTime can be specified"}
	msgRestoreNone      = awserr.Message{Kind: validation, Text: "Either RestoreDateTime or UseLatestRestorableTime must be specified"}
	msgRestoreSource    = awserr.Message{Kind: validation, Text: "Only one of SourceTableArn or SourceTableName can be specified"}
	msgRestoreNoSource  = awserr.Message{Kind: validation, Text: "Either SourceTableArn or SourceTableName must be specified"}
	msgRecoveryPeriod   = awserr.Message{Kind: validation, Text: "RecoveryPeriodInDays must be between 1 and 35"}
	msgBackupsContinuum = awserr.Message{Kind: ddb.ErrContinuousBackupsUnavailable, Text: "Backups are being enabled for the table: %s. Please retry later"}
	msgBadBackupARN     = awserr.Message{Kind: validation, Text: "Invalid BackupArn: %s"}
)

// Global tables.
var (
	msgReplicaRegion  = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Invalid replica Region: %s"}
	msgReplicaSelf    = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: A replica cannot be created in the same Region as the table: %s"}
	msgReplicaExists  = awserr.Message{Kind: validation, Text: "Failed to create a the new replica of table with name: '%s' because one or more replicas already existed as tables."}
	msgReplicaMissing = awserr.Message{Kind: validation, Text: "Replica specified in the Replica Update or Replica Delete action of the request was not found: %s"}
	msgReplicaAction  = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: A ReplicationGroupUpdate must contain exactly one of Create, Update or Delete"}
	msgReplicaBusy    = awserr.Message{Kind: validation, Text: "Cannot perform the requested operation while a replica is being %s: %s"}
	msgReplicaTwice   = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Duplicate replica Region: %s"}
	msgReplicaKey     = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: KMSMasterKeyId %s is not a key of the replica Region %s"}
)

// Time to live, tags, misc.
var (
	msgTTLAlready    = awserr.Message{Kind: validation, Text: "TimeToLive is already %s"}
	msgTTLChanging   = awserr.Message{Kind: validation, Text: "Time to live has been modified multiple times within a fixed interval"}
	msgTTLAttribute  = awserr.Message{Kind: validation, Text: "TimeToLive is active on a different AttributeName: current AttributeName is %s"}
	msgNotAvailable  = awserr.Message{Kind: validation, Text: "%s is not available in xregion's DynamoDB: %s"}
	msgTagNotAllowed = awserr.Message{Kind: validation, Text: "One or more parameter values were invalid: Tag keys starting with aws: are reserved for AWS use"}
)

// The failures AWS Backup shows as a job's StatusMessage.
const (
	textNotATable        = "%s is not the ARN of a DynamoDB table"
	textTableElsewhere   = "table %s is not in account %s and Region %s"
	textTableMissing     = "Table not found: %s"
	textTableNotActive   = "Table %s is not ACTIVE: it is %s"
	textNotABackup       = "%s is not the ARN of a DynamoDB backup of account %s"
	textBackupMissing    = "Backup not found: %s"
	textCopyKey          = "The destination key %s is not usable: %s"
	textRestoreElsewhere = "backup %s is not in Region %s"
	textRestoreNoTarget  = "the restore metadata must name the table to create: %s"
	textRestoreBadTarget = "Invalid table name in the restore metadata: %s"
	textRestoreFailed    = "Restoring table %s failed: %s"
)

// Texts that are not errors, and the words and names errors quote.
const (
	wordString             = "string"
	wordBinary             = "binary"
	wordEnabled            = "enabled"
	wordDisabled           = "disabled"
	paramGSIs              = "GlobalSecondaryIndexes"
	paramLSIs              = "LocalSecondaryIndexes"
	paramReplicaUpdates    = "ReplicaUpdates"
	featureReplicaSettings = "Update (replica settings)"

	textStreamLabelFormat = "2006-01-02T15:04:05.000"
)
