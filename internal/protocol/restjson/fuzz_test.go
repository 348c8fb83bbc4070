package restjson

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/backupapi"
)

// FuzzDecode feeds arbitrary methods, paths and bodies to the REST-JSON router and codec:
// no panics, and refusals are 4xx AWS errors.
func FuzzDecode(f *testing.F) {
	f.Add("PUT", "/backup-vaults/v1", `{"EncryptionKeyArn":"arn:aws:kms:us-east-1:123456789012:key/k"}`)
	f.Add("GET", "/backup-jobs/?state=COMPLETED&maxResults=x", "")
	f.Add("GET", "/backup-vaults/v/recovery-points/arn%3Aaws%3Aec2%3Aus-east-1%3A%3Asnapshot%2Fsnap-1", "")
	f.Add("POST", "/backup-vaults/v/recovery-points/arn/disassociate", "")
	f.Add("PUT", "/backup/plans/", `{"BackupPlan":{"Rules":[{"Lifecycle":{"DeleteAfterDays":"x"}}]}}`)
	f.Add("GET", "/%zz", "")
	f.Add("DELETE", "/", "")
	c := New(backupapi.Model())
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		r, err := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		_, _, err = c.Decode(r, []byte(body))
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Status/100 != 4 {
				t.Fatalf("Decode error %v is not a 4xx AWS error", err)
			}
		}
	})
}
