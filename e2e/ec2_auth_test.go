package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestBoto3EC2AuthFailure: in strict mode EC2 answers a wrong secret and an unknown
// access key with AuthFailure 401, as EC2 does, where STS answers its own codes.
func TestBoto3EC2AuthFailure(t *testing.T) {
	t.Parallel()
	srv := strictServer(t, t.TempDir())
	out := srv.python(t, "us-east-1", fmt.Sprintf(`
import boto3, botocore
def failure(service, key, secret, call):
    client = boto3.client(service, aws_access_key_id=key, aws_secret_access_key=secret)
    try:
        call(client)
    except botocore.exceptions.ClientError as e:
        return "%%s %%s %%s" %% (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Message"])
    raise AssertionError("%%s accepted %%s" %% (service, key))
regions = lambda c: c.describe_regions()
print("valid:", len(boto3.client("ec2").describe_regions()["Regions"]) > 0)
print("ec2 wrong secret:", failure("ec2", %q, "not-the-secret", regions))
print("ec2 unknown key:", failure("ec2", "AKIAUNKNOWNEXAMPLE", "x", regions))
print("sts unknown key:", failure("sts", "AKIAUNKNOWNEXAMPLE", "x", lambda c: c.get_caller_identity()))
`, keyA))
	for _, want := range []string{
		"valid: True",
		"ec2 wrong secret: 401 AuthFailure AWS was not able to validate the provided access credentials",
		"ec2 unknown key: 401 AuthFailure AWS was not able to validate the provided access credentials",
		"sts unknown key: 403 InvalidClientTokenId The security token included in the request is invalid.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}
