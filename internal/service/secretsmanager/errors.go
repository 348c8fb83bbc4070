package secretsmanager

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
)

// Error texts AWS answers. Where AWS's exact wording could not be confirmed the text is
// marked "(xregion)" in a comment and follows AWS's style.
const (
	msgNotFound        = "Secrets Manager can't find the specified secret."
	msgMarkedDeleted   = "You can't perform this operation on the secret because it was marked for deletion."
	msgScheduledCreate = "You can't create this secret because a secret with this name is already scheduled for deletion."
	msgOnReplica       = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
	msgNeedToken       = "You must provide a ClientRequestToken value. We recommend a UUID-type value."
	msgBothValues      = "You can't specify both a binary secret value and a string secret value in the same secret."
	msgNeedValue       = "You must provide either SecretString or SecretBinary."
	msgVersionExists   = "You can't modify an existing version, you can only create a new version."
	msgInvalidName     = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
	msgStageMismatch   = "You provided a VersionStage that is not associated to the provided VersionId."
	msgRecoveryWindow  = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
	msgForceAndWindow  = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
	msgNoLambda        = "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call."
	msgRotationBusy    = "A previous rotation isn't complete. That rotation will be reattempted."
	msgBothSchedules   = "You cannot specify both rotation frequency and schedule expression together."
	msgInvalidReplica  = "Invalid replica region."
	msgEncryption      = "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state."
	msgDecryption      = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
	msgPolicySyntax    = "This policy has invalid syntax."
	msgPublicPolicy    = "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret."
	msgInSync          = "Replication succeeded"
	msgTooManyVersions = "You have exceeded the maximum number of versions for this secret (100). Secrets Manager removes versions without staging labels only once they are 24 hours old." // (xregion)
	msgTooManyStages   = "A secret can have at most 20 staging labels attached across all of its versions."                                                                                 // (xregion)
	msgBadNextToken    = "The NextToken value is invalid."                                                                                                                                  // (xregion)
)

func notFound() error      { return sm.ErrResourceNotFound.New(msgNotFound) }
func markedDeleted() error { return sm.ErrInvalidRequest.New(msgMarkedDeleted) }
func onReplica() error     { return sm.ErrInvalidParameter.New(msgOnReplica) }
func invalidParam(format string, args ...any) error {
	return sm.ErrInvalidParameter.New(format, args...)
}
func invalidRequest(format string, args ...any) error {
	return sm.ErrInvalidRequest.New(format, args...)
}

func valueNotFoundForStage(stage string) error {
	return sm.ErrResourceNotFound.New("Secrets Manager can't find the specified secret value for staging label: %s", stage)
}

func valueNotFoundForVersion(id string) error {
	return sm.ErrResourceNotFound.New("Secrets Manager can't find the specified secret value for VersionId: %s", id)
}

func secretExists(name string) error {
	return sm.ErrResourceExists.New("The operation failed because the secret %s already exists.", name)
}

// deleteWithReplicas is the text AWS answers (seen in cloud-nuke#435).
func deleteWithReplicas(arn string, regions []string) error {
	return invalidParam("You can't delete secret %s that still has replica regions [%s].", arn, strings.Join(regions, ", "))
}

// asAWS keeps AWS errors and turns anything else into an internal failure, for errors
// that reach a per-secret Errors entry of BatchGetSecretValue.
func asAWS(err error) *awserr.Error { return awserr.As(err) }

// cancelJobs cancels pending jobs by id, ignoring those already finished.
func (s *Service) cancelJobs(tx store.Tx, ids ...string) error {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := s.jobs.Cancel(tx, id); err != nil && !errors.Is(err, jobs.ErrNotFound) {
			return fmt.Errorf("secretsmanager: cancelling job %s: %w", id, err)
		}
	}
	return nil
}
