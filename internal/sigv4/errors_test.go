package sigv4

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCode(t *testing.T) {
	type w struct {
		code   string
		status int
	}
	authFailure, expired := w{"AuthFailure", 401}, w{"RequestExpired", 400}
	cases := []struct {
		kind                     Kind
		query, json, restJS, ec2 w
	}{
		{KindMissingAuthentication, w{"MissingAuthenticationToken", 403}, w{"MissingAuthenticationTokenException", 400}, w{"MissingAuthenticationTokenException", 403}, w{"MissingAuthenticationToken", 401}},
		{KindIncompleteSignature, w{"IncompleteSignature", 400}, w{"IncompleteSignatureException", 400}, w{"IncompleteSignatureException", 403}, w{"IncompleteSignature", 400}},
		{KindHostNotSigned, w{"SignatureDoesNotMatch", 403}, w{"InvalidSignatureException", 400}, w{"InvalidSignatureException", 403}, authFailure},
		{KindInvalidCredentialScope, w{"SignatureDoesNotMatch", 403}, w{"InvalidSignatureException", 400}, w{"InvalidSignatureException", 403}, authFailure},
		{KindRequestTimeTooSkewed, w{"SignatureDoesNotMatch", 403}, w{"InvalidSignatureException", 400}, w{"InvalidSignatureException", 403}, expired},
		{KindPresignedURLExpired, w{"RequestExpired", 400}, w{"InvalidSignatureException", 400}, w{"InvalidSignatureException", 403}, expired},
		{KindSignatureMismatch, w{"SignatureDoesNotMatch", 403}, w{"InvalidSignatureException", 400}, w{"InvalidSignatureException", 403}, authFailure},
		{KindPayloadHashMismatch, w{"SignatureDoesNotMatch", 403}, w{"InvalidSignatureException", 400}, w{"InvalidSignatureException", 403}, authFailure},
		{KindUnknownAccessKey, w{"InvalidClientTokenId", 403}, w{"UnrecognizedClientException", 400}, w{"UnrecognizedClientException", 403}, authFailure},
		{KindInvalidSecurityToken, w{"InvalidClientTokenId", 403}, w{"UnrecognizedClientException", 400}, w{"UnrecognizedClientException", 403}, authFailure},
		{KindExpiredSecurityToken, w{"ExpiredToken", 403}, w{"ExpiredTokenException", 400}, w{"ExpiredTokenException", 403}, expired},
	}
	if len(cases) != len(kindNames)-1 {
		t.Fatalf("%d kinds tested, %d declared", len(cases), len(kindNames)-1)
	}
	for _, c := range cases {
		for p, want := range map[Protocol]w{ProtocolQuery: c.query, ProtocolJSON: c.json, ProtocolRESTJSON: c.restJS, ProtocolEC2: c.ec2, "smithy-rpc-v2-cbor": c.json} {
			code, status := Code(c.kind, p)
			if code != want.code || status != want.status {
				t.Errorf("Code(%v, %s) = %s %d, want %s %d", c.kind, p, code, status, want.code, want.status)
			}
		}
	}
	if code, status := Code(Kind(99), ProtocolQuery); code != "SignatureDoesNotMatch" || status != 403 {
		t.Errorf("unknown kind: %s %d", code, status)
	}
	if s := Kind(99).String(); s != "Kind(99)" {
		t.Errorf("String = %q", s)
	}
}

func TestWireMessages(t *testing.T) {
	_, err := Parse(headerRequest(""))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if _, _, m := e.Wire(ProtocolQuery); m != "Request is missing Authentication Token" {
		t.Errorf("query message %q", m)
	}
	for _, p := range []Protocol{ProtocolJSON, ProtocolRESTJSON} {
		if _, _, m := e.Wire(p); m != "Missing Authentication Token" {
			t.Errorf("%s message %q", p, m)
		}
	}

	mismatch := &Error{Kind: KindSignatureMismatch, Message: msgMismatch, CanonicalRequest: "GET\n/\n", StringToSign: "AWS4-HMAC-SHA256\nx"}
	code, status, m := mismatch.Wire(ProtocolQuery)
	want := msgMismatch + "\n\nThe Canonical String for this request should have been\n'GET\n/\n'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\nx'\n"
	if code != "SignatureDoesNotMatch" || status != 403 || m != want {
		t.Errorf("Wire = %s %d %q", code, status, m)
	}
	if !strings.HasPrefix(mismatch.Error(), "sigv4: signature mismatch: The request signature") {
		t.Errorf("Error() = %q", mismatch.Error())
	}

	// EC2 words its own: one AuthFailure for every credential it cannot validate, with
	// no canonical request, and RequestExpired for what came too late.
	for _, c := range []struct {
		err       *Error
		code, msg string
		status    int
	}{
		{mismatch, "AuthFailure", "AWS was not able to validate the provided access credentials", 401},
		{UnknownAccessKey(), "AuthFailure", "AWS was not able to validate the provided access credentials", 401},
		{WrongRegion("mars-1"), "AuthFailure", "AWS was not able to validate the provided access credentials", 401},
		{ExpiredSecurityToken(), "RequestExpired", "Request has expired.", 400},
		{e, "MissingAuthenticationToken", "Request is missing Authentication Token", 401},
	} {
		if code, status, m := c.err.Wire(ProtocolEC2); code != c.code || status != c.status || m != c.msg {
			t.Errorf("ec2 %v: %s %d %q", c.err.Kind, code, status, m)
		}
	}

	for _, c := range []struct {
		err  *Error
		kind Kind
		msg  string
	}{
		{UnknownAccessKey(), KindUnknownAccessKey, "The security token included in the request is invalid."},
		{InvalidSecurityToken(), KindInvalidSecurityToken, "The security token included in the request is invalid."},
		{ExpiredSecurityToken(), KindExpiredSecurityToken, "The security token included in the request is expired"},
		{WrongRegion("mars-1"), KindInvalidCredentialScope, "Credential should be scoped to a valid region, not 'mars-1'."},
		{WrongService("kms"), KindInvalidCredentialScope, "Credential should be scoped to correct service: 'kms'."},
	} {
		if c.err.Kind != c.kind || c.err.Message != c.msg {
			t.Errorf("got %v %q, want %v %q", c.err.Kind, c.err.Message, c.kind, c.msg)
		}
		var target *Error
		if !errors.As(fmt.Errorf("wrapped: %w", c.err), &target) || target != c.err {
			t.Errorf("errors.As lost %v", c.err)
		}
	}
}
