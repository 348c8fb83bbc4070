package kms_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

const (
	strictAccount = "111111111111"
	strictKeys    = "AKIDSTRICT:secret-s:" + strictAccount
	strictRoot    = "arn:aws:iam::" + strictAccount + ":root"
)

// strictEnv is a strict server, KMS as the account's root, and sessions of roles.
type strictEnv struct {
	inst *servertest.Instance
	root *kms.Client
	iam  *iam.Client
}

func startStrict(t *testing.T) *strictEnv {
	t.Helper()
	inst := servertest.Start(t, servertest.WithStrictAuth(strictKeys))
	cfg := inst.ConfigAs("us-east-1", "AKIDSTRICT", "secret-s")
	return &strictEnv{inst: inst, root: kms.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg)}
}

// session makes a role whose IAM policy is identity (none when empty) and returns a KMS
// client acting as a session of it, and the role's ARN.
func (e *strictEnv) session(t *testing.T, name, identity string) (*kms.Client, string) {
	t.Helper()
	cfg, role := e.sessionConfig(t, name, identity)
	return kms.NewFromConfig(cfg), role
}

// sessionConfig makes a role whose IAM policy is identity (none when empty) and returns
// the client configuration of a session of it, and the role's ARN.
func (e *strictEnv) sessionConfig(t *testing.T, name, identity string) (aws.Config, string) {
	t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + strictRoot + `"},"Action":"sts:AssumeRole"}]}`
	role := xtest.Must[*iam.CreateRoleOutput](t)(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
	if identity != "" {
		xtest.Must[*iam.PutRolePolicyOutput](t)(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("kms"), PolicyDocument: aws.String(identity)}))
	}
	stsc := sts.NewFromConfig(e.inst.ConfigAs("us-east-1", "AKIDSTRICT", "secret-s"))
	out := xtest.Must[*sts.AssumeRoleOutput](t)(stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("session")}))
	cfg := e.inst.Config("us-east-1")
	c := out.Credentials
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}, nil
	})
	return cfg, *role.Role.Arn
}

const allKMS = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`

func wantDenied(t *testing.T, what string, err error, part string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: allowed, want AccessDeniedException", what)
	}
	if !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), part) {
		t.Fatalf("%s: %v, want AccessDeniedException saying %q", what, err, part)
	}
}

// keyPolicy allows the account's root everything but the cryptographic operations, and
// adds statements.
func keyPolicy(extra ...string) string {
	admin := `{"Sid":"admin","Effect":"Allow","Principal":{"AWS":"` + strictRoot + `"},"Action":["kms:Describe*","kms:Get*","kms:List*","kms:Put*","kms:Create*","kms:RevokeGrant","kms:ScheduleKeyDeletion","kms:TagResource"],"Resource":"*"}`
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(append([]string{admin}, extra...), ",") + `]}`
}

func TestStrictDefaultPolicyDelegatesToIAM(t *testing.T) {
	e := startStrict(t)
	md := createKey(t, e.root, nil)
	allowed, _ := e.session(t, "allowed", allKMS)
	none, _ := e.session(t, "none", "")
	xtest.Must[*kms.EncryptOutput](t)(allowed.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}))
	_, err := none.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	wantDenied(t, "a role without IAM permission", err, "kms:Encrypt on resource: "+*md.Arn)
	_, err = none.ListKeys(ctx, &kms.ListKeysInput{})
	wantDenied(t, "ListKeys without IAM permission", err, "because no identity-based policy allows the kms:ListKeys action")

	denyDecrypt, _ := e.session(t, "deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"},
		{"Effect":"Deny","Action":"kms:Decrypt","Resource":"`+*md.Arn+`"}]}`)
	ct := xtest.Must[*kms.EncryptOutput](t)(denyDecrypt.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}))
	_, err = denyDecrypt.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob})
	wantDenied(t, "an explicit Deny in IAM", err, "with an explicit deny in an identity-based policy")
}

func TestStrictKeyPolicyAndGrants(t *testing.T) {
	e := startStrict(t)
	app, appARN := e.session(t, "app", allKMS)
	md := createKey(t, e.root, &kms.CreateKeyInput{Policy: aws.String(keyPolicy())})

	// IAM allows the role everything, but the key policy gives the account no
	// cryptographic use: denied.
	ec := map[string]string{"app": "web"}
	_, err := app.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionContext: ec})
	wantDenied(t, "IAM allows, the key policy does not", err, "because no resource-based policy allows the kms:Encrypt action")

	// A grant with a constraint allows the role, only with the context.
	g := createGrant(t, e.root, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(appARN),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: ec}})
	ct := xtest.Must[*kms.EncryptOutput](t)(app.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "web", "more": "1"}, GrantTokens: []string{*g.GrantToken}}))
	xtest.Must[*kms.DecryptOutput](t)(app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob, EncryptionContext: map[string]string{"app": "web", "more": "1"}}))
	_, err = app.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "db"}})
	wantDenied(t, "a context outside the grant's constraint", err, "kms:Encrypt")
	_, err = app.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	wantDenied(t, "an operation the grant does not allow", err, "kms:GenerateDataKey")

	// The root revokes the grant: the role is denied again.
	xtest.Must[*kms.RevokeGrantOutput](t)(e.root.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g.GrantId}))
	_, err = app.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionContext: ec})
	wantDenied(t, "after RevokeGrant", err, "kms:Encrypt")
}

func TestStrictKeyPolicyDenyAndViaService(t *testing.T) {
	e := startStrict(t)
	app, appARN := e.session(t, "app", allKMS)
	deny := `{"Effect":"Deny","Principal":{"AWS":"` + appARN + `"},"Action":"kms:Decrypt","Resource":"*"}`
	use := `{"Effect":"Allow","Principal":{"AWS":"` + appARN + `"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`
	md := createKey(t, e.root, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(use, deny))})
	ct := xtest.Must[*kms.EncryptOutput](t)(app.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}))
	_, err := app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob})
	wantDenied(t, "a Deny in the key policy", err, "with an explicit deny in a resource-based policy")

	via := `{"Effect":"Allow","Principal":{"AWS":"` + appARN + `"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}}`
	encrypt := `{"Effect":"Allow","Principal":{"AWS":"` + appARN + `"},"Action":"kms:Encrypt","Resource":"*"}`
	md2 := createKey(t, e.root, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(via, encrypt))})
	ct2 := xtest.Must[*kms.EncryptOutput](t)(app.Encrypt(ctx, &kms.EncryptInput{KeyId: md2.KeyId, Plaintext: []byte("x")}))
	_, err = app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct2.CiphertextBlob})
	wantDenied(t, "kms:ViaService on a direct call", err, "kms:Decrypt")
}

func TestLockoutSafetyCheck(t *testing.T) {
	e := startStrict(t)
	_, appARN := e.session(t, "app", allKMS)
	onlyApp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + appARN + `"},"Action":"kms:*","Resource":"*"}]}`
	_, err := e.root.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(onlyApp)})
	wantErr(t, err, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	md := createKey(t, e.root, &kms.CreateKeyInput{Policy: aws.String(onlyApp), BypassPolicyLockoutSafetyCheck: true})
	// The root is now locked out of the key, as AWS warns.
	_, err = e.root.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: aws.String(keyPolicy())})
	wantDenied(t, "the locked-out root", err, "kms:PutKeyPolicy")
}

func TestStrictCreateGrantConditionKeys(t *testing.T) {
	e := startStrict(t)
	ops, opsARN := e.session(t, "ops", "")
	// The key policy lets the ops role grant only Decrypt, and only to the app role.
	grantor := `{"Effect":"Allow","Principal":{"AWS":"` + opsARN + `"},"Action":"kms:CreateGrant","Resource":"*",
		"Condition":{"ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt"]},"StringEquals":{"kms:GranteePrincipal":"arn:aws:iam::` + strictAccount + `:role/app"}}}`
	md := createKey(t, e.root, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(grantor))})
	app := "arn:aws:iam::" + strictAccount + ":role/app"
	createGrant(t, ops, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(app), Operations: []types.GrantOperation{"Decrypt"}})
	_, err := ops.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(app), Operations: []types.GrantOperation{"Decrypt", "Encrypt"}})
	wantDenied(t, "an operation the condition does not list", err, "kms:CreateGrant")
	_, err = ops.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(opsARN), Operations: []types.GrantOperation{"Decrypt"}})
	wantDenied(t, "another grantee", err, "kms:CreateGrant")
}
