package protocol_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/protocol"
)

func ptr[T any](v T) *T { return &v }

func TestTimeFormats(t *testing.T) {
	tm := time.Date(2024, 2, 29, 23, 59, 58, 120e6, time.UTC)
	if got := protocol.FormatTime(tm, protocol.TimestampISO8601); got != "2024-02-29T23:59:58.120Z" {
		t.Errorf("iso8601 = %s", got)
	}
	if got := protocol.FormatTime(tm, protocol.TimestampUnix); got != "1709251198.12" {
		t.Errorf("unix = %s", got)
	}
	if got := protocol.FormatTime(tm, protocol.TimestampRFC822); got != "Thu, 29 Feb 2024 23:59:58 GMT" {
		t.Errorf("rfc822 = %s", got)
	}
	for _, s := range []string{"2024-02-29T23:59:58.12Z", "2024-02-29T23:59:58.120+00:00", "1709251198.12", "Thu, 29 Feb 2024 23:59:58 GMT"} {
		got, err := protocol.ParseTime(s)
		want := tm
		if strings.Contains(s, "GMT") {
			want = tm.Truncate(time.Second)
		}
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := protocol.ParseTime("yesterday"); err == nil {
		t.Error("ParseTime accepted junk")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	api := secretsmanagerapi.Model()
	shape := api.Shapes["DescribeSecretResponse"]
	created := time.Date(2024, 1, 2, 3, 4, 5, 600e6, time.UTC)
	in := &secretsmanagerapi.DescribeSecretResponse{
		ARN: ptr("arn"), Name: ptr("n"), RotationEnabled: ptr(false), CreatedDate: &created,
		Tags:               []secretsmanagerapi.Tag{{Key: ptr("k"), Value: ptr("v")}},
		VersionIdsToStages: map[string][]string{"v1": {"AWSCURRENT"}, "v0": {}},
		ReplicationStatus:  []secretsmanagerapi.ReplicationStatusType{},
	}
	b := protocol.AppendJSON(nil, shape, reflect.ValueOf(in).Elem())
	// Members come out in model order.
	want := `{"ARN":"arn","Name":"n","RotationEnabled":false,"Tags":[{"Key":"k","Value":"v"}],"VersionIdsToStages":{"v0":[],"v1":["AWSCURRENT"]},"CreatedDate":1704164645.6,"ReplicationStatus":[]}`
	if string(b) != want {
		t.Errorf("encoded\n%s\nwant\n%s", b, want)
	}
	out := &secretsmanagerapi.DescribeSecretResponse{}
	if err := protocol.DecodeJSON(shape, b, reflect.ValueOf(out).Elem()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("decoded %+v\nwant %+v", out, in)
	}
}

// A decoding error names the member it happened in, however deep.
func TestJSONDecodeErrorsNameTheMember(t *testing.T) {
	shape := secretsmanagerapi.Model().Shapes["CreateSecretRequest"]
	for body, want := range map[string]string{
		`{"AddReplicaRegions":[{"Region":"a"},{"Region":5}]}`: "unexpected JSON number for member AddReplicaRegions.2.Region of type string",
		`{"Name":["x"]}`:         "unexpected JSON array for member Name of type string",
		`{"SecretBinary":"%%%"}`: "member SecretBinary: invalid base64",
	} {
		err := protocol.DecodeJSON(shape, []byte(body), reflect.ValueOf(&secretsmanagerapi.CreateSecretRequest{}).Elem())
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
