package sts_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xregion/xregion/internal/server/servertest"
)

// ec2Query sends a signed EC2 query request as key and returns the answer's body and
// status (the SDK for EC2 is not a dependency of this module).
func ec2Query(t *testing.T, inst *servertest.Instance, key, secret string, params map[string]string) (string, int) {
	t.Helper()
	form := url.Values{"Version": {"2016-11-15"}}
	for k, v := range params {
		form.Set(k, v)
	}
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, inst.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ec2", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return string(out), resp.StatusCode
}

func xmlField(t *testing.T, doc, name string) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no <%s> in %s", name, doc)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			var v string
			if err := d.DecodeElement(&v, &se); err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
}

// sharedSnapshotRefusal has account A share a snapshot with B, and B try to delete it:
// EC2 refuses with an encoded authorization failure message, which it returns.
func sharedSnapshotRefusal(t *testing.T, inst *servertest.Instance) (snapshot, encoded string) {
	t.Helper()
	vol, _ := ec2Query(t, inst, "AKIDACCOUNTA", "secret-a", map[string]string{"Action": "CreateVolume", "AvailabilityZone": "us-east-1a", "Size": "1"})
	snap, _ := ec2Query(t, inst, "AKIDACCOUNTA", "secret-a", map[string]string{"Action": "CreateSnapshot", "VolumeId": xmlField(t, vol, "volumeId")})
	snapshot = xmlField(t, snap, "snapshotId")
	inst.WaitIdle()
	if body, status := ec2Query(t, inst, "AKIDACCOUNTA", "secret-a", map[string]string{"Action": "ModifySnapshotAttribute",
		"SnapshotId": snapshot, "Attribute": "createVolumePermission", "OperationType": "add", "UserId.1": accountB}); status != 200 {
		t.Fatalf("sharing the snapshot: %d %s", status, body)
	}
	body, status := ec2Query(t, inst, "AKIDACCOUNTB", "secret-b", map[string]string{"Action": "DeleteSnapshot", "SnapshotId": snapshot})
	msg := xmlField(t, body, "Message")
	const marker = "Encoded authorization failure message: "
	i := strings.Index(msg, marker)
	if status != http.StatusForbidden || xmlField(t, body, "Code") != "UnauthorizedOperation" || i < 0 {
		t.Fatalf("B deletes A's snapshot: %d %s", status, body)
	}
	return snapshot, msg[i+len(marker):]
}

func TestDecodeAuthorizationMessage(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth(strictKeys))
	ctx := context.Background()
	snapshot, encoded := sharedSnapshotRefusal(t, inst)
	if strings.Contains(encoded, "DeleteSnapshot") || strings.Contains(encoded, "{") {
		t.Errorf("the message is readable: %s", encoded)
	}

	fromB := sts.NewFromConfig(inst.ConfigAs("us-east-1", "AKIDACCOUNTB", "secret-b"))
	out, err := fromB.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: &encoded})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Allowed, ExplicitDeny bool
		MatchedStatements     struct{ Items []any }
		Failures              struct{ Items []any }
		Context               struct {
			Principal        struct{ ID, ARN string }
			Action, Resource string
			Conditions       struct {
				Items []struct {
					Key    string
					Values struct{ Items []struct{ Value string } }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(*out.DecodedMessage), &doc); err != nil {
		t.Fatalf("%v: %s", err, *out.DecodedMessage)
	}
	c := doc.Context
	if doc.Allowed || doc.ExplicitDeny || doc.MatchedStatements.Items == nil || doc.Failures.Items == nil ||
		c.Principal.ARN != "arn:aws:iam::"+accountB+":root" || c.Principal.ID != accountB || c.Action != "ec2:DeleteSnapshot" ||
		c.Resource != "arn:aws:ec2:us-east-1::snapshot/"+snapshot {
		t.Errorf("decoded %s", *out.DecodedMessage)
	}
	owner := ""
	for _, cond := range c.Conditions.Items {
		if cond.Key == "ec2:Owner" && len(cond.Values.Items) == 1 {
			owner = cond.Values.Items[0].Value
		}
	}
	if owner != accountA {
		t.Errorf("the conditions name the owner %q: %s", owner, *out.DecodedMessage)
	}

	// Tampered with, or decoded by another account, the message does not open.
	fromA := sts.NewFromConfig(inst.ConfigAs("us-east-1", "AKIDACCOUNTA", "secret-a"))
	tampered := encoded[:len(encoded)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(encoded, "AA")]
	for name, c := range map[string]struct {
		client *sts.Client
		msg    string
	}{"tampered": {fromB, tampered}, "another account": {fromA, encoded}, "not base64": {fromB, "%%%"}} {
		_, err := c.client.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(c.msg)})
		if code(err) != "InvalidAuthorizationMessageException" {
			t.Errorf("%s: %v, want InvalidAuthorizationMessageException", name, err)
		}
	}
}

// A role session decodes only with sts:DecodeAuthorizationMessage in its policies.
func TestDecodeAuthorizationMessageNeedsPermission(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth(strictKeys))
	ctx := context.Background()
	_, encoded := sharedSnapshotRefusal(t, inst)
	trustB := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + accountB + `"},"Action":"sts:AssumeRole"}]}`
	admin := iam.NewFromConfig(inst.ConfigAs("us-east-1", "AKIDACCOUNTB", "secret-b"))
	fromB := sts.NewFromConfig(inst.ConfigAs("us-east-1", "AKIDACCOUNTB", "secret-b"))
	session := func(name, policy string) *sts.Client {
		role := strictRole(t, inst, "AKIDACCOUNTB", "secret-b", name, trustB)
		if policy != "" {
			if _, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := fromB.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &role, RoleSessionName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return sts.NewFromConfig(withCredentials(inst.Config("us-east-1"), out.Credentials))
	}
	idle := session("idle", "")
	_, err := idle.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: &encoded})
	wantDenied(t, "a session without the permission", err,
		"User: arn:aws:sts::"+accountB+":assumed-role/idle/idle is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows")
	reader := session("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}]}`)
	if _, err := reader.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: &encoded}); err != nil {
		t.Errorf("a session with the permission: %v", err)
	}
}
