package rds

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// The texts below are RDS's own where they are known from AWS answers quoted in issue
// threads and SDK test fixtures; where AWS's wording is not on record they follow the
// same style, and say what is wrong with which value.

func invalidValue(format string, args ...any) error {
	return awserr.InvalidParameterValue.New(format, args...)
}

func invalidCombination(format string, args ...any) error {
	return awserr.InvalidParameterCombo.New(format, args...)
}

// blank is RDS's answer to a parameter that is present but empty, or absent where the
// model does not require it but the operation does.
func blank(param string) error {
	return invalidValue("The parameter %s must be provided and must not be blank.", param)
}

func instanceNotFound(id string) error {
	return rdsapi.ErrDBInstanceNotFoundFault.New("DBInstance %s not found.", id)
}

func snapshotNotFound(id string) error {
	return rdsapi.ErrDBSnapshotNotFoundFault.New("DBSnapshot %s not found.", id)
}

func autoBackupNotFound(what string) error {
	return rdsapi.ErrDBInstanceAutomatedBackupNotFoundFault.New("DBInstanceAutomatedBackup %s not found.", what)
}

func instanceState(format string, args ...any) error {
	return rdsapi.ErrInvalidDBInstanceStateFault.New(format, args...)
}

func snapshotState(format string, args ...any) error {
	return rdsapi.ErrInvalidDBSnapshotStateFault.New(format, args...)
}

// keyNotAccessible is RDS's answer for a KMS key that does not exist in the Region, is
// disabled, or is pending deletion.
func keyNotAccessible(key string) error {
	return rdsapi.ErrKMSKeyNotAccessibleFault.New("The specified KMS key [%s] does not exist, is not enabled or you do not have permissions to access it.", key)
}

func snapshotExists(id string) error {
	return rdsapi.ErrDBSnapshotAlreadyExistsFault.New("Cannot create the snapshot because a snapshot with the identifier %s already exists.", id)
}

func invalidIdentifier(param string) error {
	return invalidValue("The parameter %s is not a valid identifier. Identifiers must begin with a letter; "+
		"must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.", param)
}
