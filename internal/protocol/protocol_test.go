package protocol_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/protocol"
)

func ptr[T any](v T) *T { return &v }

func TestValidationMessages(t *testing.T) {
	v := protocol.CoralValidation(awserr.ValidationException)
	op := secretsmanagerapi.Model().Operations["CreateSecret"]
	cases := []struct {
		in   *secretsmanagerapi.CreateSecretRequest
		want string
	}{
		{&secretsmanagerapi.CreateSecretRequest{}, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{&secretsmanagerapi.CreateSecretRequest{Name: ptr("")}, "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{&secretsmanagerapi.CreateSecretRequest{Name: ptr("n"), AddReplicaRegions: []secretsmanagerapi.ReplicaRegionType{{Region: ptr("")}}},
			"2 validation errors detected: Value '' at 'addReplicaRegions.1.member.region' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'addReplicaRegions.1.member.region' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-)+\\d+$"},
		{&secretsmanagerapi.CreateSecretRequest{Name: ptr("n"), SecretString: ptr(strings.Repeat("x", 65537))},
			"1 validation error detected: Value '***' at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"},
	}
	for _, c := range cases {
		err := v.Validate(op, c.in)
		if err == nil || err.Code != "ValidationException" || err.Message != c.want {
			t.Errorf("Validate(%+v) = %v, want %q", c.in, err, c.want)
		}
	}
	if err := v.Validate(op, &secretsmanagerapi.CreateSecretRequest{Name: ptr("ok")}); err != nil {
		t.Errorf("valid input refused: %v", err)
	}

	// Several errors are counted and joined; enum values are listed.
	kop := kmsapi.Model().Operations["CreateKey"]
	err := v.Validate(kop, &kmsapi.CreateKeyRequest{KeyUsage: ptr("SPEED"), Description: ptr(strings.Repeat("d", 8193))})
	if err == nil || !strings.HasPrefix(err.Message, "2 validation errors detected: ") ||
		!strings.Contains(err.Message, "Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]") {
		t.Errorf("two errors: %v", err)
	}

	// Patterns are matched against the whole value.
	iop := iamapi.Model().Operations["CreateRole"]
	err = v.Validate(iop, &iamapi.CreateRoleRequest{RoleName: ptr("bad name"), AssumeRolePolicyDocument: ptr("{}")})
	if err == nil || !strings.Contains(err.Message, "Member must satisfy regular expression pattern: [\\w+=,.@-]+") {
		t.Errorf("pattern: %v", err)
	}

	// A service may report absent members its own way.
	rdsStyle := protocol.Validation{Invalid: awserr.InvalidParameterValue, Missing: awserr.MissingParameter,
		MissingText: func(p string) string { return "The request must contain the parameter " + p }}
	err = rdsStyle.Validate(op, &secretsmanagerapi.CreateSecretRequest{})
	if err == nil || err.Code != "MissingParameter" || err.Message != "The request must contain the parameter Name" {
		t.Errorf("missing text: %v", err)
	}
}

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

// The hand-written JSON string encoder must agree with encoding/json on what it decodes to.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\n\t\r", "é漢字🙂", "\xff\xfe", "\u2028\u2029", "<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := protocol.AppendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, b, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if utf8.ValidString(s) && got != s || !utf8.ValidString(s) && got != decodeLikeStdlib(s) {
			t.Fatalf("%q round-tripped as %q (want %q)", s, got, want)
		}
	})
}

// decodeLikeStdlib is what encoding/json makes of a string with invalid UTF-8: each bad
// byte becomes U+FFFD.
func decodeLikeStdlib(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
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
