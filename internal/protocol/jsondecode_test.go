package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

// decodeBoth decodes body into a fresh value of shape s with DecodeJSON and with the
// reference decoder, and fails the test if they disagree.
func decodeBoth(t *testing.T, s *awsmodel.Shape, body []byte) {
	t.Helper()
	got, want := reflect.New(s.GoType), reflect.New(s.GoType)
	gotErr := DecodeJSON(s, body, got.Elem())
	// encoding/json's Valid is the judge of the grammar: what it refuses, DecodeJSON must
	// refuse. (The reference decoder cannot judge: it reads the first value with
	// json.Decoder, whose More takes a trailing '}' or ']' for the end of the input and so
	// accepts "{}}".)
	if len(bytes.Trim(body, " \t\r\n")) > 0 && !json.Valid(body) {
		if gotErr == nil {
			t.Fatalf("%s %q: DecodeJSON accepted a document that is not JSON", s.Name, body)
		}
		return
	}
	wantErr := referenceDecodeJSON(s, body, want.Elem())
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%s %q: DecodeJSON error %v, reference error %v", s.Name, body, gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	if g, w := jsonOf(got.Interface()), jsonOf(want.Interface()); g != w {
		t.Fatalf("%s %q:\nDecodeJSON %s\nreference  %s", s.Name, body, g, w)
	}
}

// jsonOf renders a decoded value for comparison (NaN-safe, unlike reflect.DeepEqual).
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "unrenderable: " + err.Error()
	}
	return string(b)
}

var decodeShapes = []*awsmodel.Shape{
	secretsmanagerapi.Model().Shapes["CreateSecretRequest"],
	secretsmanagerapi.Model().Shapes["ListSecretsRequest"],
	kmsapi.Model().Shapes["EncryptRequest"],
	kmsapi.Model().Shapes["CreateKeyRequest"],
	backupapi.Model().Shapes["CreateBackupPlanInput"],
}

func TestDecodeJSONMatchesReference(t *testing.T) {
	bodies := []string{
		``, ` `, `null`, `{}`, `[]`, `"x"`, `{"Name":"n"}`, `{"Name":"n",}`, `{"Name" "n"}`, `{"Name":"n"} {}`,
		`{"Name":"caf\u00e9 \ud83d\ude00 \ud800 tab\t"}`, "{\"Name\":\"bad \xff utf8\"}", `{"Name":"ctl ` + "\x01" + `"}`,
		`{"Name":1}`, `{"Name":null,"Description":"d"}`, `{"Tags":[{"Key":"k","Value":"v"},null,{"Key":5}]}`,
		`{"SecretBinary":"AAEC"}`, `{"SecretBinary":"%%"}`, `{"ForceOverwriteReplicaSecret":true}`,
		`{"MaxResults":10}`, `{"MaxResults":1.5}`, `{"MaxResults":1e2}`, `{"MaxResults":-0}`, `{"MaxResults":01}`,
		`{"MaxResults":99999999999999999999}`, `{"Filters":[{"Key":"name","Values":["a","b"]}]}`,
		`{"Plaintext":"aGk=","EncryptionContext":{"a":"b","c":"d"}}`, `{"EncryptionContext":{"a":1}}`,
		`{"Tags":[{"TagKey":"k","TagValue":"v"}],"MultiRegion":false}`, `{"Unknown":{"deep":[1,2,{"x":null}]},"Name":"n"}`,
		`{"BackupPlan":{"BackupPlanName":"p","Rules":[{"RuleName":"r","Lifecycle":{"DeleteAfterDays":120}}]}}`,
		`{"BackupPlan":{"Rules":[{"Lifecycle":{"DeleteAfterDays":"120"}}]}}`, `{"Name":"\u0000"}`, `{"Name":"\/"}`,
	}
	for _, s := range decodeShapes {
		for _, b := range bodies {
			decodeBoth(t, s, []byte(b))
		}
	}
}

// FuzzDecodeJSON checks DecodeJSON against the reference decoder on arbitrary input.
func FuzzDecodeJSON(f *testing.F) {
	for _, b := range []string{`{"Name":"n","Tags":[{"Key":"k"}],"SecretBinary":"AAEC"}`, `{"MaxResults":1e2}`,
		`{"Filters":[{"Key":"name","Values":["a"]}]}`, `{"EncryptionContext":{"a":"b"}}`, `{"Name":"\ud83d\ude00"}`} {
		f.Add(0, []byte(b))
	}
	f.Fuzz(func(t *testing.T, which int, body []byte) {
		if which < 0 {
			which = -which
		}
		decodeBoth(t, decodeShapes[which%len(decodeShapes)], body)
	})
}
