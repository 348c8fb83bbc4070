// Package awserr is the error type every service returns for an AWS error: a code, a
// message and an HTTP status, which each protocol codec serialises its own way. The
// generated packages declare a constructor per error shape of their model; the errors that
// belong to no model (validation, routing, authentication) are declared here.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS error answer.
type Error struct {
	Code    string
	Message string
	Status  int
	// Sender is true when the caller is at fault ("Sender" in query error XML) and false
	// for the service's own failures ("Receiver").
	Sender bool
	// MessageField is the JSON member the message goes in: "Message" or "message", as the
	// error shape in the model spells it.
	MessageField string
	// Fields are further members of the error shape (for example AWS Backup's Type and
	// Context), written beside the message by the JSON codecs.
	Fields map[string]string
	// Cause is the internal error behind an InternalFailure; it is logged, never sent.
	Cause error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func (e *Error) Unwrap() error { return e.Cause }

// Kind describes an error shape: everything but the message.
type Kind struct {
	Code         string
	Status       int
	Sender       bool
	MessageField string
}

// New makes an error of this kind with a formatted message.
func (k Kind) New(format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	field := k.MessageField
	if field == "" {
		field = "Message"
	}
	return &Error{Code: k.Code, Message: msg, Status: k.Status, Sender: k.Sender, MessageField: field}
}

// Is reports whether err is an AWS error with the given code.
func Is(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// As returns err as an *Error. Errors that are not AWS errors become InternalFailure, with
// the original kept as the Cause for the log.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// Internal wraps an unexpected failure. Clients see a generic message; the cause is logged.
func Internal(cause error) *Error {
	e := InternalFailure.New("We encountered an internal error. Please try again.")
	e.Cause = cause
	return e
}

// Errors common to AWS services that no single model declares. Codes and statuses follow
// the AWS "common errors" reference pages of the query and JSON services.
var (
	// InternalFailure: the request processing failed because of an unknown error (500).
	InternalFailure = Kind{Code: "InternalFailure", Status: http.StatusInternalServerError}
	// ServiceUnavailable: the service is temporarily unable to handle the request (503).
	ServiceUnavailable = Kind{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable}

	// JSON protocol services.
	ValidationException       = Kind{Code: "ValidationException", Status: 400, Sender: true}
	UnknownOperationException = Kind{Code: "UnknownOperationException", Status: 400, Sender: true}
	SerializationException    = Kind{Code: "SerializationException", Status: 400, Sender: true}
	ThrottlingException       = Kind{Code: "ThrottlingException", Status: 400, Sender: true}
	AccessDeniedException     = Kind{Code: "AccessDeniedException", Status: 400, Sender: true}

	// Query protocol services.
	InvalidAction         = Kind{Code: "InvalidAction", Status: 400, Sender: true}
	MissingAction         = Kind{Code: "MissingAction", Status: 400, Sender: true}
	MissingParameter      = Kind{Code: "MissingParameter", Status: 400, Sender: true}
	InvalidParameterValue = Kind{Code: "InvalidParameterValue", Status: 400, Sender: true}
	InvalidParameterCombo = Kind{Code: "InvalidParameterCombination", Status: 400, Sender: true}
	ValidationError       = Kind{Code: "ValidationError", Status: 400, Sender: true}
	MalformedQueryString  = Kind{Code: "MalformedQueryString", Status: 404, Sender: true}
	InvalidQueryParameter = Kind{Code: "InvalidQueryParameter", Status: 400, Sender: true}
	RequestEntityTooLarge = Kind{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge, Sender: true}
	UnsupportedOperation  = Kind{Code: "UnsupportedOperation", Status: 400, Sender: true}
	InvalidRegion         = Kind{Code: "InvalidRegion", Status: 400, Sender: true}
	UnknownService        = Kind{Code: "UnknownService", Status: 400, Sender: true}
)
