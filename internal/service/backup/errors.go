package backup

import (
	"errors"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/backupapi"
)

func invalidParameter(format string, args ...any) error {
	return backupapi.ErrInvalidParameterValue.New(format, args...)
}

func vaultNotFound(name string) error {
	return backupapi.ErrResourceNotFound.New("Backup vault %s cannot be found", name)
}

func planNotFound(id string) error {
	return backupapi.ErrResourceNotFound.New("Failed reading Backup plan with provided version")
}

func selectionNotFound(id string) error {
	return backupapi.ErrResourceNotFound.New("Backup selection %s cannot be found", id)
}

// isAWSError reports whether err is already an answer for the client.
func isAWSError(err error) bool {
	var e *awserr.Error
	return errors.As(err, &e)
}
