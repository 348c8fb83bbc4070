package query

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// FuzzDecode feeds arbitrary forms to the query codec: it must never panic, refusals must
// be 4xx AWS errors, and what it decodes must encode as XML.
func FuzzDecode(f *testing.F) {
	f.Add("Action=CreateDBInstance&DBInstanceIdentifier=db&Engine=postgres&DBInstanceClass=c&Tags.Tag.1.Key=a&Tags.Tag.1.Value=b")
	f.Add("Action=DescribeDBInstances&Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=postgres&MaxRecords=20")
	f.Add("Action=RemoveTagsFromResource&ResourceName=x&TagKeys=")
	f.Add("Action=DescribeDBInstances&Filters.Filter.0.Name=x&Filters.Filter.99999999999999999999.Name=y")
	f.Add("Action=ModifyDBInstance&ApplyImmediately=maybe&AllocatedStorage=1e9")
	f.Add("Action=%zz")
	f.Add("")
	c := New(rdsapi.Model())
	f.Fuzz(func(t *testing.T, form string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		op, in, err := c.Decode(r, []byte(form))
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Status/100 != 4 {
				t.Fatalf("Decode error %v is not a 4xx AWS error", err)
			}
			return
		}
		if op.Output == nil {
			return
		}
		// Echo the input's shape back where the output shape is the same type, which
		// exercises the XML writer on whatever the decoder produced.
		if op.Input.GoType == op.Output.GoType {
			c.Encode(httptest.NewRecorder(), op, in, "id")
		} else {
			c.Encode(httptest.NewRecorder(), op, reflect.New(op.Output.GoType).Interface(), "id")
		}
	})
}
