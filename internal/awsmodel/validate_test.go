package awsmodel_test

import (
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

func TestValidationMessages(t *testing.T) {
	v := awsmodel.CoralValidation(awserr.ValidationException)
	op := secretsmanagerapi.Model().Operations["CreateSecret"]
	cases := []struct {
		in   *secretsmanagerapi.CreateSecretRequest
		want string
	}{
		{&secretsmanagerapi.CreateSecretRequest{}, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{&secretsmanagerapi.CreateSecretRequest{Name: new("")}, "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{&secretsmanagerapi.CreateSecretRequest{Name: new("n"), AddReplicaRegions: []secretsmanagerapi.ReplicaRegionType{{Region: new("")}}},
			"2 validation errors detected: Value '' at 'addReplicaRegions.1.member.region' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'addReplicaRegions.1.member.region' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-)+\\d+$"},
		{&secretsmanagerapi.CreateSecretRequest{Name: new("n"), SecretString: new(strings.Repeat("x", 65537))},
			"1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"},
	}
	for _, c := range cases {
		err := v.Validate(op, c.in)
		if err == nil || err.Code != "ValidationException" || err.Message != c.want {
			t.Errorf("Validate(%+v) = %v, want %q", c.in, err, c.want)
		}
	}
	if err := v.Validate(op, &secretsmanagerapi.CreateSecretRequest{Name: new("ok")}); err != nil {
		t.Errorf("valid input refused: %v", err)
	}

	// Several errors are counted and joined; enum values are listed.
	kop := kmsapi.Model().Operations["CreateKey"]
	err := v.Validate(kop, &kmsapi.CreateKeyRequest{KeyUsage: new("SPEED"), Description: new(strings.Repeat("d", 8193))})
	if err == nil || !strings.HasPrefix(err.Message, "2 validation errors detected: ") ||
		!strings.Contains(err.Message, "Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]") {
		t.Errorf("two errors: %v", err)
	}

	// Patterns are matched against the whole value.
	iop := iamapi.Model().Operations["CreateRole"]
	err = v.Validate(iop, &iamapi.CreateRoleRequest{RoleName: new("bad name"), AssumeRolePolicyDocument: new("{}")})
	if err == nil || !strings.Contains(err.Message, "Member must satisfy regular expression pattern: [\\w+=,.@-]+") {
		t.Errorf("pattern: %v", err)
	}

	// A service may report absent members its own way.
	rdsStyle := awsmodel.Validation{Invalid: awserr.InvalidParameterValue, Missing: awserr.MissingParameter,
		MissingText: func(p string) string { return "The request must contain the parameter " + p }}
	err = rdsStyle.Validate(op, &secretsmanagerapi.CreateSecretRequest{})
	if err == nil || err.Code != "MissingParameter" || err.Message != "The request must contain the parameter Name" {
		t.Errorf("missing text: %v", err)
	}
}

func BenchmarkValidateCreateSecret(b *testing.B) {
	api := secretsmanagerapi.Model()
	op := api.Operations["CreateSecret"]
	s := func(v string) *string { return &v }
	in := &secretsmanagerapi.CreateSecretRequest{Name: s("MyTestSecret"), SecretString: s(strings.Repeat("x", 64)),
		AddReplicaRegions: []secretsmanagerapi.ReplicaRegionType{{Region: s("eu-west-3")}}}
	v := awsmodel.CoralValidation(awserr.ValidationException)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Validate(op, in); err != nil {
			b.Fatal(err)
		}
	}
}
