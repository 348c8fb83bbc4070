package awserr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
)

func TestMessageFillsItsText(t *testing.T) {
	kind := awserr.Kind{Code: "NotFoundException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
	m := awserr.Message{Kind: kind, Text: "Key '%s' does not exist"}
	e := m.New("arn:aws:kms:us-east-1:111122223333:key/k")
	if e.Code != "NotFoundException" || e.Status != 400 || !e.Sender || e.MessageField != "message" ||
		e.Message != "Key 'arn:aws:kms:us-east-1:111122223333:key/k' does not exist" {
		t.Errorf("New = %+v", e)
	}
	// A text without arguments is taken as it is, even with a per cent sign in it.
	if e := (awserr.Message{Kind: awserr.ValidationException, Text: "100% sure"}).New(); e.Message != "100% sure" || e.MessageField != "Message" {
		t.Errorf("New() = %+v", e)
	}
}

func TestAsKeepsAWSErrorsAndHidesOthers(t *testing.T) {
	e := awserr.ValidationException.New("bad")
	if got := awserr.As(fmt.Errorf("wrapped: %w", e)); got != e {
		t.Errorf("As(wrapped) = %v", got)
	}
	cause := errors.New("disk on fire")
	got := awserr.As(cause)
	if got.Code != "InternalFailure" || got.Status != awserr.StatusInternalServerError || got.Cause != cause || !errors.Is(got, cause) {
		t.Errorf("As(internal) = %+v", got)
	}
	if !awserr.Is(e, "ValidationException") || awserr.Is(cause, "ValidationException") {
		t.Error("Is misreads codes")
	}
}
