package efs

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import (
	"errors"

	"github.com/xregion/xregion/internal/awserr"
)

// withErrorCode adds the ErrorCode member EFS's error shapes carry beside the message.
func withErrorCode(err error) error {
	var ae *awserr.Error
	if !errors.As(err, &ae) || !ae.Sender {
		return err
	}
	if ae.Fields == nil {
		ae.Fields = map[string]string{}
	}
	ae.Fields["ErrorCode"] = ae.Code
	return ae
}
