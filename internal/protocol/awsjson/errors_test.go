package awsjson

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/gen/kmsapi"
)

// TestErrorTypes: DynamoDB's errors name their shape with its Smithy namespace, and the
// common errors with Coral's, as DynamoDB answers on the wire; KMS's stay bare.
func TestErrorTypes(t *testing.T) {
	ddb, kms := New(dynamodbapi.Model()), New(kmsapi.Model())
	cases := []struct {
		codec *Codec
		code  string
		want  string
	}{
		{ddb, "ResourceNotFoundException", "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"},
		{ddb, "ValidationException", "com.amazon.coral.validate#ValidationException"},
		{ddb, "InternalFailure", "com.amazon.coral.service#InternalFailure"},
		{kms, "NotFoundException", "NotFoundException"},
	}
	for _, tc := range cases {
		if got := tc.codec.errorType(tc.code); got != tc.want {
			t.Errorf("errorType(%s) = %s, want %s", tc.code, got, tc.want)
		}
	}
}

// TestErrorMembers: structured members of an error shape (a ConditionalCheckFailed's
// Item) are written beside the message, in the shape's encoding.
func TestErrorMembers(t *testing.T) {
	c := New(dynamodbapi.Model())
	w := httptest.NewRecorder()
	e := &awserr.Error{Code: "ConditionalCheckFailedException", Status: 400, Message: "The conditional request failed", MessageField: "message",
		Members: map[string]any{"Item": map[string]dynamodbapi.AttributeValue{"pk": {S: new("a")}}}}
	c.EncodeError(w, nil, e, "req-1")
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
		Item    map[string]map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	if body.Type != "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" || body.Message != e.Message || body.Item["pk"]["S"] != "a" {
		t.Errorf("error body = %s", w.Body)
	}
	if w.Header().Get("X-Amzn-Errortype") != "ConditionalCheckFailedException" {
		t.Errorf("x-amzn-ErrorType = %q", w.Header().Get("X-Amzn-Errortype"))
	}
}
