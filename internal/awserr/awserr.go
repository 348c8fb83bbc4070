// Package awserr is the error type every service returns for an AWS error: a code, a
// message and an HTTP status, which each protocol codec serialises its own way. The
// generated packages declare a constructor per error shape of their model; the errors that
// belong to no model (validation, routing, authentication) are declared here.
package awserr

import (
	"errors"
	"fmt"
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
	// Members are further members of the error shape whose values are structured
	// (DynamoDB's Item and CancellationReasons): values of the generated Go types, which
	// a codec encodes as the error shape of its model says.
	Members map[string]any
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

// Message is one entry of a service's error catalogue (its errors.go): an error kind and
// the text the service answers with it, a fmt format whose verbs New fills. Every text a
// service sends lives in its catalogue, so that the texts can be read, compared with
// AWS's and changed in one place.
type Message struct {
	Kind Kind
	Text string
}

// New makes the error with the catalogue's text, formatted with args.
func (m Message) New(args ...any) *Error { return m.Kind.New(m.Text, args...) }

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

// HTTP statuses of AWS errors. The package speaks no HTTP: a codec writes the status.
const (
	StatusBadRequest          = 400
	StatusForbidden           = 403
	StatusNotFound            = 404
	StatusRequestTooLarge     = 413
	StatusInternalServerError = 500
	StatusServiceUnavailable  = 503
)

// Errors common to AWS services that no single model declares. Codes and statuses follow
// the AWS "common errors" reference pages of the query and JSON services.
var (
	// InternalFailure: the request processing failed because of an unknown error (500).
	InternalFailure = Kind{Code: "InternalFailure", Status: StatusInternalServerError}
	// ServiceUnavailable: the service is temporarily unable to handle the request (503).
	ServiceUnavailable = Kind{Code: "ServiceUnavailable", Status: StatusServiceUnavailable}

	// JSON protocol services.
	ValidationException       = Kind{Code: "ValidationException", Status: StatusBadRequest, Sender: true}
	UnknownOperationException = Kind{Code: "UnknownOperationException", Status: StatusBadRequest, Sender: true}
	SerializationException    = Kind{Code: "SerializationException", Status: StatusBadRequest, Sender: true}
	ThrottlingException       = Kind{Code: "ThrottlingException", Status: StatusBadRequest, Sender: true}
	AccessDeniedException     = Kind{Code: "AccessDeniedException", Status: StatusBadRequest, Sender: true}

	// Query protocol services.
	InvalidAction         = Kind{Code: "InvalidAction", Status: StatusBadRequest, Sender: true}
	MissingAction         = Kind{Code: "MissingAction", Status: StatusBadRequest, Sender: true}
	MissingParameter      = Kind{Code: "MissingParameter", Status: StatusBadRequest, Sender: true}
	InvalidParameterValue = Kind{Code: "InvalidParameterValue", Status: StatusBadRequest, Sender: true}
	InvalidParameterCombo = Kind{Code: "InvalidParameterCombination", Status: StatusBadRequest, Sender: true}
	ValidationError       = Kind{Code: "ValidationError", Status: StatusBadRequest, Sender: true}
	MalformedQueryString  = Kind{Code: "MalformedQueryString", Status: StatusNotFound, Sender: true}
	InvalidQueryParameter = Kind{Code: "InvalidQueryParameter", Status: StatusBadRequest, Sender: true}
	RequestEntityTooLarge = Kind{Code: "RequestEntityTooLarge", Status: StatusRequestTooLarge, Sender: true}
	UnsupportedOperation  = Kind{Code: "UnsupportedOperation", Status: StatusBadRequest, Sender: true}
	InvalidRegion         = Kind{Code: "InvalidRegion", Status: StatusBadRequest, Sender: true}
	UnknownService        = Kind{Code: "UnknownService", Status: StatusBadRequest, Sender: true}
)
