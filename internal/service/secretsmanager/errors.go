package secretsmanager

import (
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

// The catalogue of Secrets Manager's texts: every text the service answers is here. The
// texts are AWS's; where AWS's exact wording could not be confirmed the text is marked
// "(xregion)" and follows AWS's style.

// accessDenied is Secrets Manager's refusal; its model does not declare it.
var accessDenied = awserr.Kind{Code: "AccessDeniedException", Status: awserr.StatusBadRequest, Sender: true}

// msgKMSAccessDenied is AWS's answer when the caller may not use the secret's key.
var msgKMSAccessDenied = awserr.Message{Kind: accessDenied, Text: "Access to KMS is not allowed"}

// Secrets that are not there, or not in a state for the operation.
var (
	msgNotFound        = awserr.Message{Kind: sm.ErrResourceNotFound, Text: "Secrets Manager can't find the specified secret."}
	msgNoValueForStage = awserr.Message{Kind: sm.ErrResourceNotFound, Text: "Secrets Manager can't find the specified secret value for staging label: %s"}
	msgNoValueForID    = awserr.Message{Kind: sm.ErrResourceNotFound, Text: "Secrets Manager can't find the specified secret value for VersionId: %s"}
	msgMarkedDeleted   = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "You can't perform this operation on the secret because it was marked for deletion."}
	msgScheduledCreate = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "You can't create this secret because a secret with this name is already scheduled for deletion."}
	msgSecretExists    = awserr.Message{Kind: sm.ErrResourceExists, Text: "The operation failed because the secret %s already exists."}
	msgOnReplica       = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Operation not permitted on a replica secret. Call must be made in primary secret's region."}
	// A secret another AWS service owns (OwningService): the API reference's
	// InvalidRequestException cause "The secret is managed by another service, and you must
	// use that service to update it", worded as AWS words its other refusals of this kind
	// and naming the managing service, as the troubleshooting guide says the message does.
	msgOwnedByService   = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "You can't perform this operation on the secret because it was created by another AWS service. This secret is managed by %s, and you must use that service to update it."}
	msgInvalidName      = awserr.Message{Kind: awserr.ValidationException, Text: "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"}
	msgBadNextToken     = awserr.Message{Kind: sm.ErrInvalidNextToken, Text: "The NextToken value is invalid."}                                 // (xregion)
	msgDeleteReplicated = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "You can't delete secret %s that still has replica regions [%s]."} // as AWS answers it (cloud-nuke#435)
	msgRecoveryWindow   = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."}
	msgForceAndWindow   = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."}
	msgIdsOrFilters     = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Either 'SecretIdList' or 'Filters' must be provided, but not both."}
	msgMaxNeedsFilters  = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."}
	msgNoFilterKey      = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid filter key"}
	msgNoFilterValues   = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid filter values for key: %s"}
)

// Values, versions and staging labels.
var (
	msgNeedToken       = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "You must provide a ClientRequestToken value. We recommend a UUID-type value."}
	msgNeedTokenRotate = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "You must provide a ClientRequestToken value. We recommend a UUID-type value."}
	msgBothValues      = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "You can't specify both a binary secret value and a string secret value in the same secret."}
	msgNeedValue       = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "You must provide either SecretString or SecretBinary."}
	// A ClientRequestToken that names a version with another value. Issue #19 quotes the API
	// reference's sentence "You can't modify an existing version, you can only create a new
	// version."; AWS's answer, recorded against AWS by moto's aws_verified tests of
	// CreateSecret, PutSecretValue and UpdateSecret, is this one.
	msgTokenInUse      = awserr.Message{Kind: sm.ErrResourceExists, Text: "You can't use ClientRequestToken %s because that value is already in use for a version of secret %s."}
	msgStageMismatch   = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "You provided a VersionStage that is not associated to the provided VersionId."}
	msgTooManyVersions = awserr.Message{Kind: sm.ErrLimitExceeded, Text: "You have exceeded the maximum number of versions for this secret (100). Secrets Manager removes versions without staging labels only once they are 24 hours old."} // (xregion)
	msgTooManyStages   = awserr.Message{Kind: sm.ErrLimitExceeded, Text: "A secret can have at most 20 staging labels attached across all of its versions."}                                                                                 // (xregion)
	msgStageTwice      = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "The staging label %s appears more than once in VersionStages."}                                                                                                 // (xregion)
	msgMoveOrRemove    = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "You must specify MoveToVersionId, RemoveFromVersionId, or both."}                                                                                               // (xregion)
	msgNotAVersion     = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Not a valid version: %s"}
	msgStageNotOn      = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "The staging label %s isn't attached to version %s."} // (xregion)
	msgMustRemoveFrom  = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId."}
	msgKeepCurrent     = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "You can't remove the staging label AWSCURRENT from a version without moving it to another version."} // (xregion)
	msgEncryption      = awserr.Message{Kind: sm.ErrEncryptionFailure, Text: "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state."}
	msgDecryption      = awserr.Message{Kind: sm.ErrDecryptionFailure, Text: "Secrets Manager can't decrypt the protected secret text using the provided KMS key."}
)

// Tags, policies and passwords.
var (
	msgEmptyTagKey    = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "A tag key can't be empty."}                                        // (xregion)
	msgReservedTag    = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Tag keys can't start with aws: because AWS reserves that prefix."} // (xregion)
	msgTooManyTags    = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "A secret can have at most %d tags."}                               // (xregion)
	msgPolicySyntax   = awserr.Message{Kind: sm.ErrMalformedPolicyDocument, Text: "This policy has invalid syntax."}
	msgPublicPolicy   = awserr.Message{Kind: sm.ErrPublicPolicy, Text: "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret."}
	msgNoCharacters   = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "The password can't be generated because every character type is excluded."} // (xregion)
	msgPasswordLength = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Password length is too short based on the required types."}
)

// Rotation.
var (
	// RotateSecret and CancelRotateSecret word a missing rotation function differently:
	// RotateSecret as AWS answers it (seen from the CLI and CloudFormation), CancelRotateSecret
	// as the API reference documents its InvalidRequestException.
	msgNoRotationFunction = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "No Lambda rotation function ARN is associated with this secret."}
	msgNoLambda           = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call."}
	msgRotationBusy       = awserr.Message{Kind: sm.ErrInvalidRequest, Text: "A previous rotation isn't complete. That rotation will be reattempted."}
	msgBothSchedules      = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "You cannot specify both rotation frequency and schedule expression together."}
	msgBadSchedule        = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid ScheduleExpression %s: %s"}                                                        // (xregion)
	msgScheduleSyntax     = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid ScheduleExpression %s."}                                                           // (xregion)
	msgRateUnit           = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid ScheduleExpression %s: a rotation rate must be in hours or days."}                 // (xregion)
	msgCronMinutes        = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid ScheduleExpression %s: the minutes field must be 0."}                              // (xregion)
	msgCronYear           = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid ScheduleExpression %s: the year field must be *."}                                 // (xregion)
	msgTooOften           = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid ScheduleExpression %s: a secret can be rotated at most every four hours."}         // (xregion)
	msgBadDuration        = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid Duration %s: the rotation window must be a whole number of hours from 1h to 24h."} // (xregion)
	msgWindowTooLong      = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid Duration %s: the rotation window can't extend into the next UTC day."}             // (xregion)
	msgInvalidReplica     = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Invalid replica region."}
	msgReplicaTwice       = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "Duplicate replica Region %s: each Region can be given only once."}                          // (xregion)
	msgNotAReplica        = awserr.Message{Kind: sm.ErrInvalidParameter, Text: "The secret %s is not a replica: call StopReplicationToReplica in the Region of a replica."} // (xregion)
)

// text is a message the service shows in an answer other than an error: a replica's
// StatusMessage, a finding of ValidateResourcePolicy. It is a fmt format.
type text string

func (t text) with(args ...any) string { return fmt.Sprintf(string(t), args...) }

// A replica's StatusMessage.
const (
	textInSync          text = "Replication succeeded"
	textNameTaken       text = "Replication failed: Secret with this name already exists in this region %s."                                      // (xregion)
	textUndecryptable   text = "Replication failed: the value of version %s can't be decrypted in %s."                                            // (xregion)
	textRefused         text = "Replication failed: %s"                                                                                           // (xregion)
	textKeyElsewhere    text = "Replication failed: The KMS key %s is in Region %s, not in the replica Region %s."                                // (xregion)
	textKeyNotFound     text = "Replication failed: The KMS key %s can't be found in %s."                                                         // (xregion)
	textKeyUnusable     text = "Replication failed: The KMS key %s can't be used: %v."                                                            // (xregion)
	textKeyDeleting     text = "Replication failed: The KMS key %s is pending deletion."                                                          // (xregion)
	textKeyDisabled     text = "Replication failed: The KMS key %s is disabled."                                                                  // (xregion)
	textKeyNotSymmetric text = "Replication failed: The KMS key %s is not a symmetric encryption key."                                            // (xregion)
	textKMSDenied       text = "Replication failed: Access to KMS is not allowed: the caller may not use the KMS key %s in %s."                   // (xregion)
	textGaveUp          text = "Replication failed: Region %s is unreachable; gave up after %d attempts. Call ReplicateSecretToRegions to retry." // (xregion)
)

// Findings of ValidateResourcePolicy. AWS does not document its texts. (xregion)
const (
	textBadVersion     text = "The policy Version must be 2012-10-17 or 2008-10-17."
	textNoStatement    text = "The policy must contain a Statement."
	textStatementShape text = "The policy Statement must be an object or a list of objects."
	textEmptyStatement text = "The policy Statement must not be empty."
	textBadEffect      text = "Statement %d: Effect must be Allow or Deny."
	textNoPrincipal    text = "Statement %d: a resource policy statement must name a Principal."
	textNoAction       text = "Statement %d: the statement must contain an Action."
	textBroadAccess    text = "Statement %d grants access to every principal: the policy allows broad access to the secret."
)

func deleteWithReplicas(arn string, regions []string) error {
	return msgDeleteReplicated.New(arn, strings.Join(regions, ", "))
}
