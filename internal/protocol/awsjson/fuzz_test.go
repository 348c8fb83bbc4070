package awsjson

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

// FuzzDecode feeds arbitrary targets and bodies to the JSON codec: it must never panic,
// and every refusal must be an AWS error a client can read.
func FuzzDecode(f *testing.F) {
	f.Add("secretsmanager.CreateSecret", `{"Name":"n","AddReplicaRegions":[{"Region":"eu-west-3"}],"SecretBinary":"AAEC"}`)
	f.Add("secretsmanager.GetSecretValue", `{"SecretId":"x","VersionId":null}`)
	f.Add("secretsmanager.ListSecrets", `{"MaxResults":1e400,"Filters":[{"Key":"name","Values":["a"]}]}`)
	f.Add("TrentService.Encrypt", `{"KeyId":"k","Plaintext":"!!!","EncryptionContext":{"a":"b"}}`)
	f.Add("TrentService.CreateKey", `{"Tags":[{"TagKey":1}]}`)
	f.Add("secretsmanager.Nope", `[]`)
	f.Add("", "")
	codecs := map[string]*Codec{"secretsmanager": New(secretsmanagerapi.Model()), "TrentService": New(kmsapi.Model())}
	f.Fuzz(func(t *testing.T, target, body string) {
		prefix, _, _ := strings.Cut(target, ".")
		c := codecs[prefix]
		if c == nil {
			c = codecs["secretsmanager"]
		}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", target)
		op, in, err := c.Decode(r, []byte(body))
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Status/100 != 4 {
				t.Fatalf("Decode error %v is not a 4xx AWS error", err)
			}
			return
		}
		if op == nil || in == nil {
			t.Fatal("Decode succeeded without an operation and input")
		}
		w := httptest.NewRecorder()
		c.Encode(w, op, nil, "id")
	})
}
